//! Shape handles. A handle names one shape definition over one incarnation of the change log:
//! `{definition hash}-{database epoch}-{compaction generation}`. Deriving it instead of storing
//! it means a restarted server hands out the same handle, so clients resume where they were;
//! a new database (new epoch) or a compacted log (new generation) changes it, so clients that
//! cannot be served get a 409 with a handle they have not seen.

/// FNV-1a: stable across builds and platforms, unlike `std`'s hasher.
pub fn stable_hash(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

pub fn format_handle(definition_hash: u64, epoch: &str, generation: u64) -> String {
    format!("{definition_hash:016x}-{epoch}-{generation}")
}

/// Whether a client's handle still names this shape in this database: the definition and
/// epoch must match. The generation may be older: the caller checks the offset is retained.
pub fn same_shape(handle: &str, definition_hash: u64, epoch: &str) -> bool {
    let mut parts = handle.splitn(3, '-');
    parts.next() == Some(format!("{definition_hash:016x}").as_str())
        && parts.next() == Some(epoch)
        && parts.next().is_some_and(|generation| generation.parse::<u64>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_round_trip() {
        let handle = format_handle(stable_hash("contacts"), "abc", 3);
        assert!(same_shape(&handle, stable_hash("contacts"), "abc"));
        assert!(!same_shape(&handle, stable_hash("contacts"), "abd"));
        assert!(!same_shape(&handle, stable_hash("other"), "abc"));
        assert!(!same_shape("garbage", stable_hash("contacts"), "abc"));
    }
}
