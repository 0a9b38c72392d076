//! The day's numbers as the manager's screen shows them, and the CSV export's rules.
//!
//! Pure: the store hands over timestamps and rows, these functions bucket and format them.

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike, Utc};
use std::borrow::Cow;

use crate::ValidationErrors;

/// The longest date range one CSV export may cover.
pub const MAX_EXPORT_DAYS: i64 = 366;

/// How many orders were placed in each hour of the shop's local day (index 0 = midnight).
pub fn orders_per_hour(placed_at: &[DateTime<Utc>], utc_offset: FixedOffset) -> [u32; 24] {
    let mut hours = [0u32; 24];
    for at in placed_at {
        let hour = at.with_timezone(&utc_offset).hour() as usize;
        if let Some(slot) = hours.get_mut(hour) {
            *slot = slot.saturating_add(1);
        }
    }
    hours
}

/// A `YYYY-MM-DD` business date, or the field's error.
pub fn parse_date(field: &str, raw: &str, errors: &mut ValidationErrors) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.push(field, "must be a date like 2026-11-23");
            None
        }
    }
}

/// An export's date range: both ends inclusive, `from <= to`, at most [`MAX_EXPORT_DAYS`].
pub fn export_range(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let from = parse_date("from", from, &mut errors);
    let to = parse_date("to", to, &mut errors);
    let (Some(from), Some(to)) = (from, to) else { return Err(errors) };
    if to < from {
        errors.push("to", "must not be before from");
    } else if (to - from).num_days() >= MAX_EXPORT_DAYS {
        errors.push("to", format!("a range covers at most {MAX_EXPORT_DAYS} days"));
    }
    errors.into_result((from, to))
}

/// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, and
/// defused when a spreadsheet would run it as a formula (`=`, `+`, `-`, `@` first).
pub fn csv_field(raw: &str) -> Cow<'_, str> {
    let formula = raw.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let needs_quotes = raw.contains([',', '"', '\n', '\r']) || formula;
    if !needs_quotes {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len() + 3);
    out.push('"');
    if formula {
        out.push('\'');
    }
    for c in raw.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    Cow::Owned(out)
}

/// One CSV record, fields already as text, ending in CRLF.
pub fn csv_record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields.iter().map(|f| csv_field(f.as_ref()).into_owned()).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// Minor units as a plain decimal (`1234` → `12.34`), as spreadsheets read it.
pub fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).single().expect("time")
    }

    #[test]
    fn hours_are_the_shops_local_hours() {
        let plus_two = FixedOffset::east_opt(2 * 3600).expect("offset");
        let hours = orders_per_hour(&[at(6, 5), at(6, 59), at(7, 0), at(23, 30)], plus_two);
        assert_eq!(hours[8], 2);
        assert_eq!(hours[9], 1);
        assert_eq!(hours[1], 1, "23:30 UTC is 01:30 at +02:00");
        assert_eq!(hours.iter().sum::<u32>(), 4);
    }

    #[test]
    fn export_ranges_are_checked_by_field() {
        assert!(export_range("2026-11-01", "2026-11-23").is_ok());
        assert!(export_range("2026-11-23", "2026-11-23").is_ok());
        let fields = |e: ValidationErrors| e.errors().iter().map(|f| f.field.clone()).collect::<Vec<_>>();
        assert_eq!(fields(export_range("yesterday", "2026-13-01").expect_err("bad")), ["from", "to"]);
        assert_eq!(fields(export_range("2026-11-23", "2026-11-01").expect_err("backwards")), ["to"]);
        assert_eq!(fields(export_range("2024-01-01", "2026-01-01").expect_err("too long")), ["to"]);
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("Latte"), "Latte");
        assert_eq!(csv_field("Oat, large"), "\"Oat, large\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
        assert_eq!(csv_record(&["a", "b,c"]), "a,\"b,c\"\r\n");
        assert_eq!(decimal(1234), "12.34");
        assert_eq!(decimal(-5), "-0.05");
    }

    /// Reads one quoted-or-bare field back, as a spreadsheet would.
    fn unquote(field: &str) -> String {
        match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
            Some(inner) => inner.replace("\"\"", "\""),
            None => field.to_string(),
        }
    }

    proptest! {
        #[test]
        fn a_field_reads_back_as_written(raw in "[a-zA-Z0-9 ,\"\n]{0,20}") {
            let field = csv_field(&raw);
            prop_assert_eq!(unquote(&field), raw.clone());
            // A bare field never holds a separator, quote or line break.
            if !field.starts_with('"') {
                prop_assert!(!field.contains([',', '"', '\n']));
            }
        }

        #[test]
        fn hours_count_every_order(minutes in proptest::collection::vec(0i64..(24 * 60), 0..50), offset_h in -12i32..14) {
            let offset = FixedOffset::east_opt(offset_h * 3600).expect("offset");
            let times: Vec<_> = minutes.iter().map(|m| at(0, 0) + chrono::Duration::minutes(*m)).collect();
            let hours = orders_per_hour(&times, offset);
            prop_assert_eq!(hours.iter().sum::<u32>() as usize, times.len());
        }
    }
}
