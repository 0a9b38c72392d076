//! Receipt lines as ESC/POS bytes: the command set of Epson's TM printers that nearly every
//! thermal receipt and kitchen printer speaks.
//!
//! Only the few commands a receipt needs: reset (`ESC @`), code page PC858 (`ESC t 19`),
//! alignment (`ESC a`), bold (`ESC E`), double size (`GS !`), feed (`ESC d`) and a partial
//! cut after the feed (`GS V 66`). Text goes through [`codepage`], so no byte of a name or
//! note can be read by the printer as a command.

use super::codepage;
use crema_shared::receipt::{Align, PrintLine};

pub const ESC: u8 = 0x1B;
pub const GS: u8 = 0x1D;
pub const LF: u8 = 0x0A;

/// Code page 19: PC858 (Euro).
const PC858: u8 = 19;
/// Lines fed before the cut, so the last printed line clears the cutter.
const FEED_BEFORE_CUT: u8 = 4;

/// The bytes that print `lines` and cut the paper.
pub fn encode(lines: &[PrintLine]) -> Vec<u8> {
    let mut out = vec![ESC, b'@', ESC, b't', PC858];
    for line in lines {
        let align = match line.align {
            Align::Left => 0,
            Align::Center => 1,
        };
        out.extend([ESC, b'a', align, ESC, b'E', u8::from(line.bold), GS, b'!', if line.large { 0x11 } else { 0 }]);
        out.extend(line.text.chars().map(codepage::encode));
        out.push(LF);
    }
    out.extend([ESC, b'a', 0, ESC, b'E', 0, GS, b'!', 0, ESC, b'd', FEED_BEFORE_CUT, GS, b'V', 66, 0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, bold: bool, large: bool) -> PrintLine {
        PrintLine { text: text.into(), align: Align::Center, bold, large }
    }

    #[test]
    fn a_line_is_framed_by_its_style_and_the_paper_is_cut() {
        let bytes = encode(&[line("Ticket 7", true, true)]);
        assert_eq!(&bytes[..5], &[ESC, b'@', ESC, b't', 19]);
        assert_eq!(&bytes[5..14], &[ESC, b'a', 1, ESC, b'E', 1, GS, b'!', 0x11]);
        assert_eq!(&bytes[14..23], b"Ticket 7\n");
        assert_eq!(&bytes[bytes.len() - 4..], &[GS, b'V', 66, 0]);
    }

    #[test]
    fn a_name_cannot_smuggle_a_command_to_the_printer() {
        let bytes = encode(&[line("Bob\u{1b}@\u{1d}V\u{0}", false, false)]);
        let text = &bytes[14..bytes.len() - 16];
        assert_eq!(text, b"Bob?@?V?\n");
    }
}
