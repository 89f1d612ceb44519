sync_macros::sync_api!(spec = "../../../../tests/rust/ui/specs/../../specs/contacts.yaml", module = a, module = b);

fn main() {}
