//! Text for the printer: code page PC858 (Latin-1 letters and the euro sign), the one most
//! ESC/POS receipt printers carry, selected with `ESC t 19`.
//!
//! Printable ASCII passes as it is; the letters a European shop writes map to their PC858
//! bytes; anything else — and every control character, so a customer's name can never carry
//! a printer command — prints as `?`.

/// PC858 bytes above ASCII for the characters receipts use.
pub const PC858: &[(char, u8)] = &[
    ('Ç', 0x80),
    ('ü', 0x81),
    ('é', 0x82),
    ('â', 0x83),
    ('ä', 0x84),
    ('à', 0x85),
    ('å', 0x86),
    ('ç', 0x87),
    ('ê', 0x88),
    ('ë', 0x89),
    ('è', 0x8A),
    ('ï', 0x8B),
    ('î', 0x8C),
    ('ì', 0x8D),
    ('Ä', 0x8E),
    ('Å', 0x8F),
    ('É', 0x90),
    ('æ', 0x91),
    ('Æ', 0x92),
    ('ô', 0x93),
    ('ö', 0x94),
    ('ò', 0x95),
    ('û', 0x96),
    ('ù', 0x97),
    ('ÿ', 0x98),
    ('Ö', 0x99),
    ('Ü', 0x9A),
    ('ø', 0x9B),
    ('£', 0x9C),
    ('Ø', 0x9D),
    ('×', 0x9E),
    ('á', 0xA0),
    ('í', 0xA1),
    ('ó', 0xA2),
    ('ú', 0xA3),
    ('ñ', 0xA4),
    ('Ñ', 0xA5),
    ('ª', 0xA6),
    ('º', 0xA7),
    ('¿', 0xA8),
    ('¡', 0xAD),
    ('«', 0xAE),
    ('»', 0xAF),
    ('Á', 0xB5),
    ('Â', 0xB6),
    ('À', 0xB7),
    ('¢', 0xBD),
    ('¥', 0xBE),
    ('ã', 0xC6),
    ('Ã', 0xC7),
    ('ð', 0xD0),
    ('Ð', 0xD1),
    ('Ê', 0xD2),
    ('Ë', 0xD3),
    ('È', 0xD4),
    ('€', 0xD5),
    ('Í', 0xD6),
    ('Î', 0xD7),
    ('Ï', 0xD8),
    ('Ì', 0xDE),
    ('Ó', 0xE0),
    ('ß', 0xE1),
    ('Ô', 0xE2),
    ('Ò', 0xE3),
    ('õ', 0xE4),
    ('Õ', 0xE5),
    ('µ', 0xE6),
    ('Ú', 0xE9),
    ('Û', 0xEA),
    ('Ù', 0xEB),
    ('ý', 0xEC),
    ('Ý', 0xED),
    ('°', 0xF8),
    ('·', 0xFA),
];

/// The byte that prints `c`.
pub fn encode(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        _ => PC858.iter().find(|(known, _)| *known == c).map_or(b'?', |(_, byte)| *byte),
    }
}

/// The character a PC858 byte prints (what a test's printer reads back).
pub fn decode(byte: u8) -> char {
    match byte {
        b' '..=b'~' => char::from(byte),
        _ => PC858.iter().find(|(_, known)| *known == byte).map_or('?', |(c, _)| *c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_round_trip_and_the_rest_is_a_question_mark() {
        for c in "Crème brûlée, Größe, año, 3,50 €".chars() {
            assert_eq!(decode(encode(c)), c);
        }
        for c in ['\u{1b}', '\u{1d}', '\n', '\0', '\u{7f}', '☕', '漢'] {
            assert_eq!(encode(c), b'?', "{c:?}");
        }
    }

    #[test]
    fn the_table_maps_one_character_to_one_byte() {
        let mut bytes: Vec<u8> = PC858.iter().map(|(_, b)| *b).collect();
        bytes.sort_unstable();
        bytes.dedup();
        assert_eq!(bytes.len(), PC858.len());
        assert!(bytes.iter().all(|b| *b >= 0x80));
    }
}
