// A resource without a delete operation has no `delete()`: the handle only offers what the
// spec has, so the mistake is a compile error rather than a 405 at run time.
sync_macros::sync_api!(spec = "../../../../tests/rust/ui/specs/read-only.yaml", module = api);

async fn remove(client: &api::Client) {
    let _ = client.notes().delete("n1").await;
}

fn main() {
    let _ = remove;
}
