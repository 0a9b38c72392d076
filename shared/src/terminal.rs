//! Terminal enrolment rules: pairing codes people can read out and type, short labels, and
//! the credential a terminal sends.

use uuid::Uuid;

/// Letters and digits that cannot be mistaken for each other (no 0/O, 1/I/L).
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in a pairing code (31^8 ≈ 2^39.6 codes; each also expires in minutes).
pub const CODE_LENGTH: usize = 8;

/// A pairing code from `CODE_LENGTH` random bytes: `ABCD-EFGH`.
pub fn code_from_bytes(bytes: &[u8; CODE_LENGTH]) -> String {
    let chars: String = bytes.iter().map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char).collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// What a person typed, as the canonical code (`None` when it cannot be one).
pub fn normalize_code(typed: &str) -> Option<String> {
    let chars: String =
        typed.chars().filter(|c| !matches!(c, '-' | ' ' | '\t')).map(|c| c.to_ascii_uppercase()).collect();
    let valid = chars.len() == CODE_LENGTH && chars.bytes().all(|b| CODE_ALPHABET.contains(&b));
    valid.then(|| format!("{}-{}", &chars[..4], &chars[4..]))
}

/// The first free label: `A`…`Z`, then `AA`, `AB`, … (short enough to call out).
pub fn next_label<'a>(taken: impl IntoIterator<Item = &'a str>) -> String {
    let taken: std::collections::HashSet<&str> = taken.into_iter().collect();
    (0usize..).map(label_of).find(|l| !taken.contains(l.as_str())).unwrap_or_default()
}

/// The n-th label in spreadsheet-column order.
fn label_of(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// How a ticket is called out: the day's number, after the label of the terminal that took
/// the order (`A-17`), or the number alone for an order taken on the hub itself (`17`).
/// Two terminals never share a label, so offline tickets never collide.
pub fn ticket(prefix: &str, number: i64) -> String {
    if prefix.is_empty() {
        number.to_string()
    } else {
        format!("{prefix}-{number}")
    }
}

/// A terminal credential, `<uuid>.<64 hex digits>`, split into its id and secret.
pub fn parse_credential(raw: &str) -> Option<(Uuid, &str)> {
    let (id, secret) = raw.trim().split_once('.')?;
    let id = Uuid::parse_str(id).ok()?;
    let valid = secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn labels_go_a_to_z_then_two_letters_skipping_taken_ones() {
        assert_eq!(next_label([]), "A");
        assert_eq!(next_label(["A", "B"]), "C");
        assert_eq!(next_label(["B"]), "A");
        let all: Vec<String> = (0..26).map(label_of).collect();
        assert_eq!(next_label(all.iter().map(String::as_str)), "AA");
        assert_eq!(label_of(27), "AB");
        assert_eq!(label_of(26 + 26 * 26), "AAA");
    }

    #[test]
    fn tickets_carry_the_terminal_label() {
        assert_eq!(ticket("", 17), "17");
        assert_eq!(ticket("A", 17), "A-17");
        assert_ne!(ticket("A", 1), ticket("B", 1));
    }

    #[test]
    fn credentials_parse_only_when_well_formed() {
        let id = Uuid::nil();
        let secret = "ab".repeat(32);
        assert_eq!(parse_credential(&format!("{id}.{secret}")), Some((id, secret.as_str())));
        assert_eq!(parse_credential("till-1"), None);
        assert_eq!(parse_credential(&format!("{id}.short")), None);
        assert_eq!(parse_credential(&format!("nope.{secret}")), None);
    }

    proptest! {
        #[test]
        fn every_code_normalizes_to_itself_however_it_is_typed(bytes in any::<[u8; CODE_LENGTH]>(), lower in any::<bool>()) {
            let code = code_from_bytes(&bytes);
            prop_assert_eq!(normalize_code(&code), Some(code.clone()));
            let typed = if lower { code.to_lowercase() } else { code.replace('-', " ") };
            prop_assert_eq!(normalize_code(&typed), Some(code.clone()));
            prop_assert!(normalize_code(&code[..code.len() - 1]).is_none());
        }

        #[test]
        fn labels_are_unique_and_short(n in 0usize..2000) {
            let label = label_of(n);
            prop_assert!(label.len() <= 3);
            prop_assert!(label.bytes().all(|b| b.is_ascii_uppercase()));
            prop_assert_ne!(label_of(n + 1), label);
        }
    }
}
