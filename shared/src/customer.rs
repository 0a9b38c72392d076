//! Validated values a cashier types in: the customer's name and email, a line's quantity
//! and note. Each constructor is the only way in, so past the boundary nobody re-checks.

use std::fmt;

pub const MAX_NAME_CHARS: usize = 40;
pub const MAX_NOTE_CHARS: usize = 140;
pub const MAX_QUANTITY: i64 = 99;

/// The name called out at the pickup counter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerName(String);

impl CustomerName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        crate::validation::bounded_text(raw, MAX_NAME_CHARS).map(CustomerName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, checked for shape only (one `@`, a dotted domain, no spaces).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        let invalid = || "must be an email address like name@example.com".to_string();
        if s.len() > 254 || s.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (local, domain) = s.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !domain.contains("..");
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Email(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How many of a line: 1..=99.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity(u32);

impl Quantity {
    pub fn parse(raw: i64) -> Result<Self, String> {
        if (1..=MAX_QUANTITY).contains(&raw) {
            Ok(Quantity(raw as u32))
        } else {
            Err(format!("must be between 1 and {MAX_QUANTITY}"))
        }
    }
    pub fn get(self) -> u32 {
        self.0
    }
}

/// A free-text note on a line ("extra hot"), at most 140 characters; blank means none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note(String);

impl Note {
    /// `Ok(None)` for a blank note.
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        let s = raw.trim();
        if s.is_empty() {
            Ok(None)
        } else if s.chars().count() > MAX_NOTE_CHARS {
            Err(format!("must be at most {MAX_NOTE_CHARS} characters"))
        } else {
            Ok(Some(Note(s.to_string())))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(CustomerName::parse("  Ana ").map(|n| n.as_str().to_string()), Ok("Ana".into()));
        assert!(CustomerName::parse("   ").is_err());
        assert!(CustomerName::parse(&"x".repeat(41)).is_err());
    }

    #[test]
    fn emails_need_a_dotted_domain() {
        assert!(Email::parse("ana@example.com").is_ok());
        for bad in ["ana", "ana@", "@example.com", "ana@example", "a na@example.com", "ana@.com", "a@b@c.com"] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn quantity_is_1_to_99() {
        assert!(Quantity::parse(0).is_err());
        assert!(Quantity::parse(100).is_err());
        assert!(Quantity::parse(-1).is_err());
        assert_eq!(Quantity::parse(99).map(Quantity::get), Ok(99));
    }

    #[test]
    fn note_blank_is_none_and_long_is_refused() {
        assert_eq!(Note::parse("  "), Ok(None));
        assert!(Note::parse(&"é".repeat(140)).is_ok());
        assert!(Note::parse(&"é".repeat(141)).is_err());
    }
}
