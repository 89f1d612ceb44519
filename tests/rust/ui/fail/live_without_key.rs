sync_macros::sync_api!("../../../../tests/rust/ui/specs/live-without-key.yaml");

fn main() {}
