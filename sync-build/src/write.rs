//! Writing generated files without touching unchanged ones, so watchers and web tooling don't
//! rebuild for nothing.

use std::io;
use std::path::Path;

/// Writes `contents` to `path` (creating folders) unless it already holds exactly that.
/// Returns whether the file was written.
pub fn write_if_changed(path: &Path, contents: &str) -> io::Result<bool> {
    if std::fs::read(path).is_ok_and(|existing| existing == contents.as_bytes()) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents)?;
    Ok(true)
}
