sync_macros::sync_api!("../../../../tests/rust/ui/specs/bad-yaml.yaml");

fn main() {}
