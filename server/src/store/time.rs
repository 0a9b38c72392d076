//! Timestamps as stored: RFC 3339 UTC with microseconds, so text order is time order.

use super::StoreError;
use chrono::{DateTime, SecondsFormat, Utc};

pub fn to_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_text(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::corrupt(format!("timestamp {s:?}: {e}")))
}

/// The current time at the precision it is stored with, so an answer given before a write
/// and one read back after it agree.
pub fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}
