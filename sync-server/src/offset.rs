//! Shape log offsets. The change log has one position per captured row change, assigned in
//! commit order; the offset `{position}_0` means "everything up to and including `position`".
//! The second part exists because Electric offsets are `{tx}_{op}`; it is always 0 here.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOffset {
    /// `-1`: start with a snapshot.
    BeforeAll,
    /// `now`: skip the snapshot, start at the current end of the log.
    Now,
    /// A position returned earlier in `electric-offset`.
    At(u64),
}

impl RequestOffset {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "-1" => Ok(RequestOffset::BeforeAll),
            "now" => Ok(RequestOffset::Now),
            _ => {
                let invalid = || {
                    format!(
                        "`{text}` is not an offset: expected -1, now, or an offset returned in electric-offset (like 0_0)"
                    )
                };
                let (position, op) = text.split_once('_').ok_or_else(invalid)?;
                let position: u64 = position.parse().map_err(|_| invalid())?;
                op.parse::<u64>().map_err(|_| invalid())?;
                Ok(RequestOffset::At(position))
            }
        }
    }
}

pub fn format_offset(position: u64) -> String {
    format!("{position}_0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets() {
        assert_eq!(RequestOffset::parse("-1"), Ok(RequestOffset::BeforeAll));
        assert_eq!(RequestOffset::parse("now"), Ok(RequestOffset::Now));
        assert_eq!(RequestOffset::parse("42_0"), Ok(RequestOffset::At(42)));
        assert_eq!(RequestOffset::parse(&format_offset(7)), Ok(RequestOffset::At(7)));
        for bad in ["", "0", "x_0", "1_x", "-2", "1_-1", "1;drop"] {
            assert!(RequestOffset::parse(bad).is_err(), "{bad}");
        }
    }
}
