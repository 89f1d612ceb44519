//! Shape log offsets, `{position}_{check}`. The change log has one position per captured row
//! change, assigned in commit order; the offset means "everything up to and including
//! `position`". Electric offsets are `{tx}_{op}`; clients treat them as opaque, and the second
//! part is used for two things here:
//!
//! - below 2^32 it is the fingerprint of the log entry at `position` (0: not checked, for
//!   offsets written by hand or by older servers). A database restored from a backup reuses
//!   positions for different entries, so a client coming back with an offset the database no
//!   longer has (or has with another entry) is told to refetch instead of missing changes.
//! - from 2^32 it names a snapshot chunk: the initial rows are served in several responses,
//!   each ending in an offset that names where the next one starts (see `crate::chunks`).

/// Where snapshot chunk ids start.
pub const CHUNK_ID_BASE: u64 = 1 << 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOffset {
    /// `-1`: start with a snapshot.
    BeforeAll,
    /// `now`: skip the snapshot, start at the current end of the log.
    Now,
    /// A log position returned earlier in `electric-offset`, with the fingerprint of its entry
    /// (0 if unchecked).
    At { position: u64, fingerprint: u32 },
    /// The next chunk of a snapshot taken at log position `head`.
    Chunk { head: u64, id: u64 },
}

impl RequestOffset {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "-1" => Ok(RequestOffset::BeforeAll),
            "now" => Ok(RequestOffset::Now),
            _ => {
                let invalid = || {
                    let shown: String = text.chars().take(64).collect();
                    format!(
                        "`{shown}` is not an offset: expected -1, now, or an offset returned in electric-offset (like 0_0)"
                    )
                };
                let (position, check) = text.split_once('_').ok_or_else(invalid)?;
                let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
                if !digits(position) || !digits(check) {
                    return Err(invalid());
                }
                let position: u64 = position.parse().map_err(|_| invalid())?;
                let check: u64 = check.parse().map_err(|_| invalid())?;
                Ok(match u32::try_from(check) {
                    Ok(fingerprint) => RequestOffset::At { position, fingerprint },
                    Err(_) if check >= CHUNK_ID_BASE => RequestOffset::Chunk { head: position, id: check },
                    Err(_) => return Err(invalid()),
                })
            }
        }
    }
}

pub fn format_offset(position: u64, fingerprint: u32) -> String {
    format!("{position}_{fingerprint}")
}

pub fn format_chunk_offset(head: u64, id: u64) -> String {
    format!("{head}_{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets() {
        assert_eq!(RequestOffset::parse("-1"), Ok(RequestOffset::BeforeAll));
        assert_eq!(RequestOffset::parse("now"), Ok(RequestOffset::Now));
        assert_eq!(RequestOffset::parse("42_0"), Ok(RequestOffset::At { position: 42, fingerprint: 0 }));
        assert_eq!(RequestOffset::parse(&format_offset(7, 99)), Ok(RequestOffset::At { position: 7, fingerprint: 99 }));
        let chunk = format_chunk_offset(7, CHUNK_ID_BASE + 5);
        assert_eq!(RequestOffset::parse(&chunk), Ok(RequestOffset::Chunk { head: 7, id: CHUNK_ID_BASE + 5 }));
        for bad in ["", "0", "x_0", "1_x", "-2", "1_-1", "1;drop", "+1_0", "1_+0", "99999999999999999999_0", "1_0_0"] {
            assert!(RequestOffset::parse(bad).is_err(), "{bad}");
        }
    }
}
