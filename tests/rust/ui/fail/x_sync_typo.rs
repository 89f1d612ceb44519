sync_macros::sync_api!("../../../../tests/rust/ui/specs/x-sync-typo.yaml");

fn main() {}
