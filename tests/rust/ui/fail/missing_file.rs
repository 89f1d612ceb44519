sync_macros::sync_api!("../../../../tests/rust/ui/specs/does-not-exist.yaml");

fn main() {}
