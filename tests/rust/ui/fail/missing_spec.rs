sync_macros::sync_api!(module = api);

fn main() {}
