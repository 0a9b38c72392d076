//! The receipt page (`GET /api/v1/orders/{id}/receipt`): the same lines the printer gets,
//! as HTML sized for an 80 mm roll, for the browser's print dialog or a customer's screen.
//!
//! Every character of the order is escaped, and the page has no script (the server's
//! Content-Security-Policy allows none inline anyway).

use crema_shared::receipt::{Align, PrintLine, RECEIPT_COLUMNS};
use std::fmt::Write;

/// The page for a receipt titled `title` with `lines`.
pub fn render(title: &str, lines: &[PrintLine]) -> String {
    let mut body = String::new();
    for line in lines {
        let mut class = vec![match line.align {
            Align::Left => "left",
            Align::Center => "center",
        }];
        if line.bold {
            class.push("bold");
        }
        if line.large {
            class.push("large");
        }
        let _ = writeln!(body, r#"<div class="{}">{}</div>"#, class.join(" "), escape(&line.text));
    }
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
@page {{ size: 80mm auto; margin: 0; }}
html {{ background: #eee; }}
body {{ margin: 0 auto; padding: 4mm; width: max-content; background: #fff;
  font: 10pt/1.25 "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; color: #000; }}
.receipt {{ width: {columns}ch; margin: 0 auto; }}
.receipt div {{ white-space: pre; min-height: 1.25em; }}
.center {{ text-align: center; }}
.bold {{ font-weight: bold; }}
.large {{ font-size: 200%; line-height: 1.1; }}
/* On the 80 mm roll (72 mm printable) the paper's {columns} characters fit at 7 pt. */
@media print {{ html {{ background: none; }} body {{ padding: 0 2mm; font-size: 7pt; }} }}
</style>
</head>
<body>
<main class="receipt" aria-label="{title}">
{body}</main>
</body>
</html>
"#,
        title = escape(title),
        columns = RECEIPT_COLUMNS,
    )
}

/// `text` safe inside HTML text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_styles_follow_the_lines() {
        let lines = [
            PrintLine {
                text: "<script>alert('x')</script> & co".into(),
                align: Align::Left,
                bold: false,
                large: false,
            },
            PrintLine { text: "Ticket 7".into(), align: Align::Center, bold: true, large: true },
        ];
        let page = render("Receipt \"7\"", &lines);
        assert!(page.contains(r#"<div class="left">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</div>"#));
        assert!(page.contains(r#"<div class="center bold large">Ticket 7</div>"#));
        assert!(page.contains("<title>Receipt &quot;7&quot;</title>"));
        assert!(!page.contains("<script>"));
    }
}
