//! Kitchen ticket printers, one per station, as the kitchen display's backup: when an order
//! reaches the kitchen, each station's printer prints the lines it makes (the bar its drinks,
//! the pastry counter its pastries), with the ticket number large enough to call out.
//!
//! A station takes the lines of the menu categories it lists (none listed: every line). The
//! stations are a shop setting a manager keeps; a bad one is refused by name and nothing
//! changes. The ticket is laid out here once, as lines the ESC/POS encoder prints.

use crate::api::{OrderDto, OrderLineDto};
use crate::printer::PrinterAddress;
use crate::receipt::{fit, one_line, rule, Align, PrintLine, RECEIPT_COLUMNS};
use crate::validation::{bounded_text, ValidationErrors};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most stations a shop may have.
pub const MAX_STATIONS: usize = 8;
pub const MAX_STATION_NAME_CHARS: usize = 40;

/// A station's printer as the shop keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitchenPrinter {
    pub station: String,
    pub printer: PrinterAddress,
    /// The menu categories whose lines it prints; empty: every line.
    #[serde(default)]
    pub category_ids: Vec<Uuid>,
}

/// A station's printer as the API shows and takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KitchenPrinterDto {
    /// "Bar", "Pastry": printed on its tickets.
    pub station: String,
    /// `tcp://host:port` (port 9100 when left out).
    pub printer: String,
    /// The menu categories whose lines it prints; empty: every line.
    #[serde(default)]
    pub category_ids: Vec<Uuid>,
}

impl From<&KitchenPrinter> for KitchenPrinterDto {
    fn from(p: &KitchenPrinter) -> Self {
        KitchenPrinterDto {
            station: p.station.clone(),
            printer: p.printer.to_string(),
            category_ids: p.category_ids.clone(),
        }
    }
}

/// The stations `input` asks for, every bad field named under `kitchen_printers[i].…`;
/// `category_exists` says whether a category is on the menu.
pub fn stations(
    errors: &mut ValidationErrors,
    input: &[KitchenPrinterDto],
    category_exists: impl Fn(Uuid) -> bool,
) -> Vec<KitchenPrinter> {
    if input.len() > MAX_STATIONS {
        errors.push("kitchen_printers", format!("at most {MAX_STATIONS} stations"));
        return Vec::new();
    }
    let mut out: Vec<KitchenPrinter> = Vec::with_capacity(input.len());
    for (i, p) in input.iter().enumerate() {
        let path = |field: &str| format!("kitchen_printers[{i}].{field}");
        let station = errors.check(&path("station"), bounded_text(&p.station, MAX_STATION_NAME_CHARS));
        if let Some(name) = &station {
            if out.iter().any(|s| s.station.eq_ignore_ascii_case(name)) {
                errors.push(path("station"), "another station has this name");
            }
        }
        let printer = errors.check(&path("printer"), p.printer.trim().parse::<PrinterAddress>());
        for (j, id) in p.category_ids.iter().enumerate() {
            if !category_exists(*id) {
                errors.push(format!("kitchen_printers[{i}].category_ids[{j}]"), "no such category on the menu");
            }
        }
        if let (Some(station), Some(printer)) = (station, printer) {
            let mut category_ids = p.category_ids.clone();
            category_ids.dedup();
            out.push(KitchenPrinter { station, printer, category_ids });
        }
    }
    out
}

/// The lines of `order` that `station` makes; `category_of` gives an item's category.
pub fn station_lines<'a>(
    station: &KitchenPrinter,
    order: &'a OrderDto,
    category_of: impl Fn(Uuid) -> Option<Uuid>,
) -> Vec<&'a OrderLineDto> {
    order
        .lines
        .iter()
        .filter(|l| l.status != crate::status::LineStatus::Voided)
        .filter(|l| {
            station.category_ids.is_empty() || category_of(l.item_id).is_some_and(|c| station.category_ids.contains(&c))
        })
        .collect()
}

/// The kitchen ticket for `station`: the ticket number and station large, who it is for and
/// when, then each line with its quantity, options and note. No prices.
pub fn ticket_lines(
    order: &OrderDto,
    station: &str,
    lines: &[&OrderLineDto],
    at: DateTime<FixedOffset>,
) -> Vec<PrintLine> {
    let large = |text: String| PrintLine {
        text: fit(&text, RECEIPT_COLUMNS / 2),
        align: Align::Center,
        bold: true,
        large: true,
    };
    let plain =
        |text: String| PrintLine { text: fit(&text, RECEIPT_COLUMNS), align: Align::Left, bold: false, large: false };
    let mut out = vec![large(format!("Ticket {}", order.ticket)), large(station.to_string())];
    out.push(plain(format!("{}  {}", order.customer_name, at.format("%H:%M"))));
    out.push(rule());
    for line in lines {
        out.push(PrintLine {
            text: fit(&format!("{} x {}", line.quantity, line.name), RECEIPT_COLUMNS),
            align: Align::Left,
            bold: true,
            large: false,
        });
        for option in &line.options {
            out.push(plain(format!("    + {}", option.name)));
        }
        if let Some(note) = line.note.as_deref().filter(|n| !n.trim().is_empty()) {
            out.push(plain(format!("    \"{}\"", one_line(note))));
        }
    }
    out.push(rule());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_orders;

    fn dto(station: &str, printer: &str, categories: Vec<Uuid>) -> KitchenPrinterDto {
        KitchenPrinterDto { station: station.into(), printer: printer.into(), category_ids: categories }
    }

    #[test]
    fn every_bad_station_field_is_named() {
        let (drinks, ghost) = (Uuid::from_u128(1), Uuid::from_u128(9));
        let input = [
            dto("Bar", "tcp://10.0.0.7", vec![drinks]),
            dto(" bar ", "http://printer", vec![ghost]),
            dto("", "tcp://10.0.0.8:9101", vec![]),
        ];
        let mut errors = ValidationErrors::new();
        let kept = stations(&mut errors, &input, |id| id == drinks);
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "kitchen_printers[1].station",
                "kitchen_printers[1].printer",
                "kitchen_printers[1].category_ids[0]",
                "kitchen_printers[2].station"
            ]
        );
        assert_eq!(kept[0].printer.to_string(), "tcp://10.0.0.7:9100");
        let mut errors = ValidationErrors::new();
        let many: Vec<_> = (0..=MAX_STATIONS).map(|i| dto(&format!("S{i}"), "tcp://p", vec![])).collect();
        stations(&mut errors, &many, |_| true);
        assert_eq!(errors.errors()[0].field, "kitchen_printers");
    }

    #[test]
    fn a_station_prints_its_categories_lines_without_prices() {
        let (drinks, food) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut order = test_orders::order(vec![
            test_orders::line(Uuid::from_u128(11), "Latte", 475),
            test_orders::line(Uuid::from_u128(12), "Croissant", 375),
        ]);
        order.lines[0].note = Some("extra\nhot".into());
        order.lines[0].item_id = Uuid::from_u128(21);
        let latte = order.lines[0].item_id;
        let category_of = |item: Uuid| Some(if item == latte { drinks } else { food });
        let bar = KitchenPrinter {
            station: "Bar".into(),
            printer: "tcp://p".parse().expect("address"),
            category_ids: vec![drinks],
        };
        let lines = station_lines(&bar, &order, category_of);
        assert_eq!(lines.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Latte"]);
        let every = KitchenPrinter { category_ids: vec![], ..bar.clone() };
        assert_eq!(station_lines(&every, &order, category_of).len(), 2);
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-04T08:41:00+01:00").expect("time");
        let paper = ticket_lines(&order, "Bar", &lines, at);
        let texts: Vec<&str> = paper.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[0], format!("Ticket {}", order.ticket));
        assert!(paper[0].large && paper[1].large && texts[1] == "Bar");
        assert!(texts.contains(&"1 x Latte"));
        assert!(texts.contains(&"    \"extra hot\""), "{texts:?}");
        assert!(!texts.iter().any(|t| t.contains("Croissant") || t.contains("4.75")), "{texts:?}");
        assert!(paper.iter().all(|l| l.text.chars().count() <= l.width()));
    }
}
