sync_macros::sync_api!(openapi.yaml);

fn main() {}
