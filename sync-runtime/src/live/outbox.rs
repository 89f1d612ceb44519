//! The outbox's rules that do not depend on the collection (docs/outbox.md): what an entry is,
//! how one attempt's outcome is classified (§3), and how long to wait before the next (§4).

use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::error::Error;

pub use super::ops::WriteOp as Op;

/// One persisted outbox entry: `{ id, write }` with the write as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    /// Order in the store (assigned on insert).
    pub seq: i64,
    pub id: String,
    pub op: Op,
    /// The item's key as JSON (for a create: the key the optimistic row has).
    pub key: Value,
    /// The create or update body.
    pub body: Option<Value>,
    /// Whether a request for it may have left before (a replay after a crash).
    pub attempted: bool,
}

/// What a failed attempt to send an entry came to (docs/outbox.md §3; a `2xx` is delivered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No answer, or `408`/`425`/`429`/`5xx`: keep it and retry. `answered` says whether the
    /// server was reached.
    Retry { answered: bool },
    /// Any other `4xx`: remove it and roll it back.
    Rejected,
    /// A `2xx` whose body could not be decoded, or a body the sender could not encode: removed
    /// (it may have reached the API) and reported.
    Dropped,
}

/// Classifies a failed attempt.
pub fn classify<E>(error: &Error<E>) -> Outcome {
    match error {
        Error::Timeout | Error::Transport(_) => Outcome::Retry { answered: false },
        Error::Encode(_) => Outcome::Dropped,
        Error::Decode { status, .. } if (200..300).contains(status) => Outcome::Dropped,
        other => match other.status() {
            Some(408 | 425 | 429) => Outcome::Retry { answered: true },
            Some(status) if status >= 500 => Outcome::Retry { answered: true },
            Some(status) if (200..300).contains(&status) => Outcome::Dropped,
            Some(_) => Outcome::Rejected,
            None => Outcome::Retry { answered: false },
        },
    }
}

/// A uniformly random fraction in `[0, 1)`, from the OS random source behind UUID v4.
fn random_fraction() -> f64 {
    (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64
}

/// The wait after failed attempt `attempt` (from 0): `base = min(30 s, 0.5 s × 2^min(n, 6))`,
/// a uniformly random time in `[base / 2, base]`, never shorter than `retry_after`.
pub fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    let base = Duration::from_millis(500).saturating_mul(1 << attempt.min(6)).min(Duration::from_secs(30));
    let wait = base.mul_f64(0.5 + 0.5 * random_fraction());
    wait.max(retry_after.unwrap_or_default())
}

/// `Retry-After` as delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(date);
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified_as_the_outbox_document_says() {
        let status = |status| Error::<()>::Status { status, body: String::new() };
        assert_eq!(classify(&status(503)), Outcome::Retry { answered: true });
        assert_eq!(classify(&status(429)), Outcome::Retry { answered: true });
        assert_eq!(classify(&status(408)), Outcome::Retry { answered: true });
        assert_eq!(classify(&status(422)), Outcome::Rejected);
        assert_eq!(classify(&status(401)), Outcome::Rejected);
        assert_eq!(classify(&Error::<()>::Timeout), Outcome::Retry { answered: false });
        assert_eq!(classify(&Error::<()>::Encode("x".into())), Outcome::Dropped);
    }

    #[test]
    fn backoff_grows_with_jitter_and_honours_retry_after() {
        for attempt in 0..10 {
            let base = Duration::from_millis(500 * (1 << attempt.min(6))).min(Duration::from_secs(30));
            let wait = backoff(attempt, None);
            assert!(wait >= base / 2 && wait <= base, "attempt {attempt}: {wait:?}");
        }
        assert!(backoff(0, Some(Duration::from_secs(3))) >= Duration::from_secs(3));
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
