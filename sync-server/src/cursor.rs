//! The live cursor (`electric-cursor`), computed as Electric computes it: the next multiple of
//! the long-poll timeout in seconds since 2024-10-09T00:00:00Z. Clients echo it in `cursor`,
//! which makes live URLs change every interval so caches cannot serve stale long polls.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 2024-10-09T00:00:00Z as seconds since the Unix epoch.
const CURSOR_EPOCH: u64 = 1_728_432_000;

pub fn next_cursor(long_poll: Duration, previous: Option<&str>) -> String {
    let interval = long_poll.as_secs();
    if interval == 0 {
        return "0".into();
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let elapsed = now.saturating_sub(CURSOR_EPOCH);
    let next = elapsed.div_ceil(interval) * interval;
    if previous == Some(next.to_string().as_str()) {
        // Same interval as the client's last response: move on so the URL differs.
        let (jitter, _) = uuid::Uuid::new_v4().as_u64_pair();
        return (next + 1 + jitter % 3600).to_string();
    }
    next.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_moves_past_the_previous_one() {
        let timeout = Duration::from_secs(20);
        let cursor = next_cursor(timeout, None);
        assert_eq!(cursor.parse::<u64>().unwrap() % 20, 0);
        assert_ne!(next_cursor(timeout, Some(&cursor)), cursor);
        assert_eq!(next_cursor(Duration::from_millis(500), None), "0");
    }
}
