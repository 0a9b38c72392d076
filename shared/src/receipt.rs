//! A customer's receipt, laid out once as lines of text for an 80 mm roll.
//!
//! The receipt page (HTML) and the receipt printer (ESC/POS) both draw these lines, so the
//! paper and the screen can never disagree, and both show the order's own totals as the API
//! gives them — nothing is added up again here. An 80 mm printer prints 48 characters a line
//! in its normal font and 24 in double width; every line fits its width (long names are cut,
//! amounts never are).

use crate::api::{DiscountDto, OrderDto};
use crate::money::Money;
use crate::status::{LineStatus, PaymentMethod, PaymentStatus};
use crate::tax::{TaxMode, TaxPolicy};
use chrono::{DateTime, FixedOffset};

/// Characters per line in the printer's normal font on 80 mm paper.
pub const RECEIPT_COLUMNS: usize = 48;
/// Longest header or footer a shop may set.
pub const MAX_RECEIPT_TEXT_CHARS: usize = 400;
/// Most lines a header or footer may have.
pub const MAX_RECEIPT_TEXT_LINES: usize = 8;

/// How a line sits on the paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

/// One printed line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintLine {
    pub text: String,
    pub align: Align,
    pub bold: bool,
    /// Double width and height: half as many characters fit.
    pub large: bool,
}

impl PrintLine {
    fn plain(text: String) -> Self {
        PrintLine { text, align: Align::Left, bold: false, large: false }
    }

    fn centered(text: String) -> Self {
        PrintLine { text, align: Align::Center, bold: false, large: false }
    }

    /// Characters that fit on this line.
    pub fn width(&self) -> usize {
        if self.large {
            RECEIPT_COLUMNS / 2
        } else {
            RECEIPT_COLUMNS
        }
    }
}

/// What the shop prints around every order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptShop<'a> {
    pub name: &'a str,
    pub header: &'a str,
    pub footer: &'a str,
    pub tax: TaxPolicy,
}

/// The receipt of `order`, placed at `placed_at` (the shop's local time).
pub fn receipt_lines(order: &OrderDto, shop: &ReceiptShop<'_>, placed_at: DateTime<FixedOffset>) -> Vec<PrintLine> {
    let mut out = Vec::new();
    let big =
        |text: &str| PrintLine { text: fit(text, RECEIPT_COLUMNS / 2), align: Align::Center, bold: true, large: true };
    out.push(big(shop.name));
    out.extend(wrap(shop.header, RECEIPT_COLUMNS).into_iter().map(PrintLine::centered));
    out.push(PrintLine::plain(String::new()));
    out.push(big(&format!("Ticket {}", order.ticket)));
    out.push(PrintLine::plain(columns(&order.customer_name, &placed_at.format("%Y-%m-%d %H:%M").to_string())));
    out.push(rule());
    for line in order.lines.iter().filter(|l| l.status != LineStatus::Voided) {
        let label = format!("{} x {}", line.quantity, line.name);
        out.push(PrintLine::plain(columns(&label, &Money::from_minor(line.line_total_cents).to_string())));
        for option in &line.options {
            out.push(PrintLine::plain(fit(&format!("    + {}", option.name), RECEIPT_COLUMNS)));
        }
        if let Some(note) = line.note.as_deref().filter(|n| !n.trim().is_empty()) {
            out.push(PrintLine::plain(fit(&format!("    \"{}\"", one_line(note)), RECEIPT_COLUMNS)));
        }
        for discount in order.discounts.iter().filter(|d| d.line_id == Some(line.id)) {
            out.push(PrintLine::plain(columns(
                &format!("    {}", discount_label(discount)),
                &minus(discount.amount_cents),
            )));
        }
    }
    out.push(rule());
    let amount = |label: &str, cents: i64| PrintLine::plain(columns(label, &Money::from_minor(cents).to_string()));
    out.push(amount("Subtotal", order.subtotal_cents));
    let on_lines: i64 = order.discounts.iter().filter(|d| d.line_id.is_some()).map(|d| d.amount_cents).sum();
    if on_lines != 0 {
        out.push(amount("Line discounts", -on_lines));
    }
    for discount in order.discounts.iter().filter(|d| d.line_id.is_none()) {
        out.push(PrintLine::plain(columns(&discount_label(discount), &minus(discount.amount_cents))));
    }
    let listed: i64 = order.discounts.iter().map(|d| d.amount_cents).sum();
    if order.discount_cents != listed {
        out.push(amount("Discount", listed - order.discount_cents));
    }
    out.push(amount(&tax_label(shop.tax), order.tax_cents));
    if order.tip_cents != 0 {
        out.push(amount("Tip", order.tip_cents));
    }
    let total = format!("{} {}", order.currency, Money::from_minor(order.total_cents));
    out.push(PrintLine { text: columns("TOTAL", &total), align: Align::Left, bold: true, large: false });
    match (order.payment_method, order.payment_status) {
        (Some(_), PaymentStatus::Captured | PaymentStatus::Refunded) if !order.tenders.is_empty() => {
            for tender in &order.tenders {
                out.push(amount(method_label(tender.method), tender.tendered_cents));
            }
        }
        // A tab paid in parts so far: each part, then what is still due.
        (_, PaymentStatus::PartlyPaid) => {
            for tender in &order.tenders {
                out.push(amount(method_label(tender.method), tender.tendered_cents));
            }
            if order.due_cents > 0 {
                out.push(amount("Due", order.due_cents));
            }
        }
        (Some(method), PaymentStatus::Authorized | PaymentStatus::Captured | PaymentStatus::Refunded) => {
            out.push(amount(method_label(method), order.tendered_cents.unwrap_or(order.total_cents)));
        }
        (_, PaymentStatus::Voided) => out.push(amount("Card payment voided", order.total_cents)),
        _ => out.push(amount("Due", order.total_cents)),
    }
    if let Some(change) = order.change_due_cents.filter(|c| *c > 0) {
        out.push(amount("Change", change));
    }
    if order.refunded_cents > 0 {
        out.push(amount("Refunded", -order.refunded_cents));
    }
    out.push(rule());
    out.extend(wrap(shop.footer, RECEIPT_COLUMNS).into_iter().map(PrintLine::centered));
    out
}

fn tax_label(tax: TaxPolicy) -> String {
    let bps = tax.rate.basis_points();
    let rate = percent(bps);
    match tax.mode {
        TaxMode::Exclusive => format!("Tax {rate}"),
        TaxMode::Inclusive => format!("Incl. tax {rate}"),
    }
}

/// `Staff 10%`, or the reason alone for an amount.
fn discount_label(discount: &DiscountDto) -> String {
    match discount.percent_bps {
        Some(bps) => format!("{} {}", discount.reason, percent(bps)),
        None => discount.reason.clone(),
    }
}

/// An amount taken off: `-0.48`.
fn minus(cents: i64) -> String {
    Money::from_minor(-cents).to_string()
}

fn percent(bps: u32) -> String {
    if bps.is_multiple_of(100) {
        format!("{}%", bps / 100)
    } else {
        format!("{}.{:02}%", bps / 100, bps % 100)
    }
}

fn method_label(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::Cash => "Cash",
        PaymentMethod::Card => "Card",
    }
}

pub(crate) fn rule() -> PrintLine {
    PrintLine::plain("-".repeat(RECEIPT_COLUMNS))
}

/// `left` and `right` on one line of the full width, `right` flush right; `left` is cut
/// to make room, `right` (an amount) never is.
fn columns(left: &str, right: &str) -> String {
    let right_chars = right.chars().count();
    let room = RECEIPT_COLUMNS.saturating_sub(right_chars + 1);
    let left = fit(&one_line(left), room);
    let gap = RECEIPT_COLUMNS.saturating_sub(left.chars().count() + right_chars).max(1);
    format!("{left}{}{right}", " ".repeat(gap))
}

/// `text` cut to at most `width` characters (a cut ends in `.`).
pub(crate) fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('.');
    cut
}

/// Line breaks and tabs as spaces: a name or note prints on its own line.
pub(crate) fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// `text`'s own lines, each wrapped at word boundaries to `width` (a longer word is broken).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.lines().map(str::trim_end) {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word: Vec<char> = one_line(word).chars().collect();
            while word.len() > width {
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                out.push(word.drain(..width).collect());
            }
            let word: String = word.into_iter().collect();
            let needed =
                if line.is_empty() { word.chars().count() } else { line.chars().count() + 1 + word.chars().count() };
            if needed > width {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        out.push(line);
    }
    if text.trim().is_empty() {
        out.clear();
    }
    out
}

#[cfg(test)]
mod tests;
