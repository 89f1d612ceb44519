sync_macros::sync_api!(spec = "../../../../tests/rust/ui/specs/../../specs/contacts.yaml", modle = api);

fn main() {}
