//! The report on paper and as a file: its figures as rows, in the order they print, drawn once
//! for the CSV and the receipt printer's 80 mm roll.

use super::CloseReport;
use crate::money::Money;
use crate::receipt::{wrap, Align, PrintLine, RECEIPT_COLUMNS};
use crate::report::csv_field;
use crate::status::PaymentMethod;

/// The report's figures as `(label, amount)` rows, in the order they print.
pub fn figures(report: &CloseReport) -> Vec<(String, Option<i64>)> {
    let mut rows: Vec<(String, Option<i64>)> = vec![
        ("Paid orders".into(), None),
        ("Gross sales".into(), Some(report.gross_sales_cents)),
        ("Discounts".into(), Some(-report.discounts_cents)),
        ("Net sales".into(), Some(report.net_sales_cents)),
        ("Tax".into(), Some(report.tax_cents)),
        ("Tips".into(), Some(report.tips_cents)),
        ("Collected".into(), Some(report.collected_cents)),
        ("Refunds".into(), Some(-report.refunds_cents)),
    ];
    if report.part_paid > 0 || report.part_paid_cents != 0 {
        rows.push((format!("Tabs part paid ({} open)", report.part_paid), Some(report.part_paid_cents)));
    }
    for t in &report.tenders {
        let name = match t.method {
            PaymentMethod::Cash => "Cash",
            PaymentMethod::Card => "Card",
        };
        rows.push((format!("{name} ({} orders)", t.orders), Some(t.collected_cents)));
        rows.push((format!("{name} refunds"), Some(-t.refunded_cents)));
    }
    rows.push((format!("Voids ({} orders)", report.voids), Some(report.voids_cents)));
    if report.line_voids > 0 {
        rows.push((format!("Line voids ({} lines)", report.line_voids), Some(report.line_voids_cents)));
    }
    for t in &report.tips_by_staff {
        rows.push((format!("Tips: {}", t.staff), Some(t.tips_cents)));
    }
    if let Some(d) = &report.drawer {
        rows.push(("Drawer float".into(), Some(d.float_cents)));
        rows.push(("Cash sales".into(), Some(d.cash_sales_cents)));
        rows.push(("Cash refunds".into(), Some(-d.cash_refunds_cents)));
        rows.push(("Paid in".into(), Some(d.paid_in_cents)));
        rows.push(("Paid out".into(), Some(-d.paid_out_cents)));
        rows.push(("Expected in drawer".into(), Some(d.expected_cents)));
        if let (Some(counted), Some(over_short)) = (d.counted_cents, d.over_short_cents) {
            rows.push(("Counted".into(), Some(counted)));
            rows.push(((if over_short < 0 { "Short" } else { "Over" }).into(), Some(over_short)));
        }
    }
    rows
}

/// The report as CSV: `figure,amount` (amounts in major units with two decimals, money going
/// out negative).
pub fn csv(report: &CloseReport) -> String {
    let mut out = String::from("figure,amount\n");
    out.push_str(&format!("report,{}\n", csv_field(&report.kind)));
    out.push_str(&format!("business_date,{}\n", csv_field(&report.business_date)));
    out.push_str(&format!("currency,{}\n", csv_field(&report.currency)));
    for (label, amount) in figures(report) {
        let value = match amount {
            Some(cents) => Money::from_minor(cents).to_string(),
            None => report.paid_orders.to_string(),
        };
        // Amounts are ours (digits, a sign, a point), never a formula: written as they are.
        out.push_str(&format!("{},{value}\n", csv_field(&label)));
    }
    out
}

/// The report as printed lines (the receipt printer's width).
pub fn print_lines(report: &CloseReport, shop: &str) -> Vec<PrintLine> {
    let large = |text: String| PrintLine { text, align: Align::Center, bold: true, large: true };
    let mut out = vec![large(format!("{} report", report.kind))];
    for line in wrap(shop, RECEIPT_COLUMNS) {
        out.push(PrintLine { text: line, align: Align::Center, bold: false, large: false });
    }
    let plain = |text: String| PrintLine { text, align: Align::Left, bold: false, large: false };
    out.push(plain(format!("Business day {} ({})", report.business_date, report.currency)));
    out.push(plain("-".repeat(RECEIPT_COLUMNS)));
    for (label, amount) in figures(report) {
        let value = match amount {
            Some(cents) => Money::from_minor(cents).to_string(),
            None => report.paid_orders.to_string(),
        };
        let room = RECEIPT_COLUMNS.saturating_sub(value.chars().count() + 1);
        let label: String = label.chars().take(room).collect();
        let gap = RECEIPT_COLUMNS - label.chars().count() - value.chars().count();
        let bold = label.starts_with("Collected") || label.starts_with("Over") || label.starts_with("Short");
        out.push(PrintLine {
            text: format!("{label}{}{value}", " ".repeat(gap)),
            align: Align::Left,
            bold,
            large: false,
        });
    }
    out
}
