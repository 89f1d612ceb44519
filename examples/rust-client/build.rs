//! Generates the Rust client into OUT_DIR (included by `sync_runtime::include_api!()`).
//! Add `.typescript("web/src/api")` to write the web client from the same spec.

fn main() -> Result<(), sync_build::BuildError> {
    sync_build::Builder::new("openapi.yaml").generate()?;
    Ok(())
}
