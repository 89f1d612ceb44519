//! The API's models, generated from `openapi.yaml` by `sync_api!`: the server reads and writes
//! exactly the types its spec declares, the same ones clients generated from it use.
//!
//! The expansion also holds the generated client (`Client`, `ContactsResource`); the server
//! does not call it, the `client` example does.

sync_macros::sync_api!("openapi.yaml");
