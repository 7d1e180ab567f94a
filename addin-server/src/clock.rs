//! The one clock of the server: Unix time now, and times formatted as RFC 3339 in UTC for
//! answers and records. Every "now" and every formatted time goes through here.

use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Unix milliseconds now (0 if the system clock is before 1970).
pub fn now_ms() -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// Unix seconds now (0 if the system clock is before 1970).
pub fn now_secs() -> i64 {
    now_ms() / 1000
}

/// Formats Unix seconds as RFC 3339 in UTC, e.g. `2027-01-31T17:00:00Z` (empty when out of
/// range).
pub fn rfc3339(unix_s: i64) -> String {
    rfc3339_ns(i128::from(unix_s) * 1_000_000_000)
}

/// Formats Unix milliseconds as RFC 3339 in UTC, e.g. `2027-01-31T17:00:00.25Z` (empty when
/// out of range).
pub fn rfc3339_ms(unix_ms: i64) -> String {
    rfc3339_ns(i128::from(unix_ms) * 1_000_000)
}

/// Now as RFC 3339 in UTC, to the nanosecond.
pub fn now_rfc3339() -> String {
    format(OffsetDateTime::now_utc())
}

fn rfc3339_ns(unix_ns: i128) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(unix_ns)
        .map(format)
        .unwrap_or_default()
}

fn format(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_seconds_and_milliseconds() {
        assert_eq!(rfc3339(1_801_414_800), "2027-01-31T17:00:00Z");
        assert_eq!(rfc3339_ms(1_801_414_800_250), "2027-01-31T17:00:00.25Z");
        assert_eq!(rfc3339(i64::MAX), "");
        assert_eq!(rfc3339_ms(i64::MIN), "");
    }

    #[test]
    fn now_agrees_with_itself() {
        let (ms, s) = (now_ms(), now_secs());
        assert!(s - ms / 1000 <= 1, "{s} {ms}");
        let parsed = OffsetDateTime::parse(&now_rfc3339(), &Rfc3339).unwrap();
        assert!((parsed.unix_timestamp() - s).abs() <= 1);
    }
}
