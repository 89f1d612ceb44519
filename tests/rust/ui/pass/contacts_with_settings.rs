// Settings: a module, extra derives (Eq and Hash on types that already derive them are
// skipped, not duplicated).
sync_macros::sync_api!(spec = "../../../../tests/rust/ui/specs/../../specs/contacts.yaml", module = api, derives = [Eq, Hash]);

fn main() {
    let status = api::Status::Active;
    let contact = api::Contact { id: "c1".into(), name: "Ada".into(), email: None, status: Some(status), tags: None, created_at: None };
    let mut set = std::collections::HashSet::new();
    set.insert(contact.clone());
    assert!(set.contains(&contact));
}
