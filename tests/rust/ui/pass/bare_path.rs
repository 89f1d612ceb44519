// The shortest form, at the crate root.
sync_macros::sync_api!("../../../../tests/rust/ui/specs/read-only.yaml");

async fn first(client: &Client) -> Option<Note> {
    client.notes().list().await.ok()?.into_iter().next()
}

fn main() {
    let _ = first;
    let _ = Client::new("http://127.0.0.1:1").expect("a valid URL");
}
