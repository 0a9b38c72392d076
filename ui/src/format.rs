//! How amounts, ages and field errors read on screen.

use crema_shared::api::Problem;
use crema_shared::Money;

/// `$4.75`, `€4.75`, `£4.75`, or `4.75 CHF` for currencies without a common sign.
pub fn money(cents: i64, currency: &str) -> String {
    let amount = Money::from_minor(cents).to_string();
    match currency {
        "USD" | "CAD" | "AUD" | "NZD" => format!("${amount}"),
        "EUR" => format!("€{amount}"),
        "GBP" => format!("£{amount}"),
        "JPY" => format!("¥{amount}"),
        other => format!("{amount} {other}"),
    }
}

/// A typed amount (`4.5`, `4.50`, `$4.50`) in minor units.
pub fn parse_amount(raw: &str) -> Result<i64, String> {
    let s = raw.trim().trim_start_matches(['$', '€', '£']).trim();
    let invalid = || "must be an amount like 4.50".to_string();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(invalid());
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) || fraction.len() > 2
    {
        return Err(invalid());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| invalid())? };
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
    let value = whole.checked_mul(100).and_then(|w| w.checked_add(cents)).ok_or_else(invalid)?;
    Ok(if negative { -value } else { value })
}

/// `0:42`, `3:05`, `61:00`: a ticket's age from seconds.
pub fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}", s / 60, s % 60)
}

/// The message for one field of a problem, if the server named it.
pub fn field_error(problem: &Problem, field: &str) -> Option<String> {
    problem.errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
}

/// A problem in one sentence for a banner: its detail, and the fields it named.
pub fn problem_text(problem: &Problem) -> String {
    if problem.errors.is_empty() {
        return problem.detail.clone();
    }
    let fields: Vec<String> = problem.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
    format!("{} ({})", problem.detail, fields.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_with_their_sign() {
        assert_eq!(money(475, "USD"), "$4.75");
        assert_eq!(money(5, "EUR"), "€0.05");
        assert_eq!(money(1200, "CHF"), "12.00 CHF");
    }

    #[test]
    fn typed_amounts_parse_to_minor_units() {
        assert_eq!(parse_amount("4.5"), Ok(450));
        assert_eq!(parse_amount("$4.75"), Ok(475));
        assert_eq!(parse_amount("12"), Ok(1200));
        assert_eq!(parse_amount(".6"), Ok(60));
        assert_eq!(parse_amount("-0.50"), Ok(-50));
        for bad in ["", "abc", "4.555", "4,50", "1.2.3"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ages_read_as_minutes_and_seconds() {
        assert_eq!(age(42), "0:42");
        assert_eq!(age(185), "3:05");
        assert_eq!(age(-3), "0:00");
    }
}
