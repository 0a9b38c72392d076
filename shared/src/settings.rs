//! The shop's settings a manager edits from the screens: name, currency, tax, the ticket
//! ages at which the kitchen display turns a ticket amber and then red, and what the
//! receipt says and where it prints.
//!
//! A change is a partial [`SettingsInput`] applied to the current [`ShopSettings`]; every bad
//! field is named at once and nothing is applied unless all are good.

use crate::api::SettingsInput;
use crate::kitchen_ticket::KitchenPrinter;
use crate::printer::PrinterAddress;
use crate::receipt::{MAX_RECEIPT_TEXT_CHARS, MAX_RECEIPT_TEXT_LINES};
use crate::tax::{TaxMode, TaxPolicy, TaxRate};
use crate::validation::bounded_text;
use crate::{Currency, ValidationErrors};

pub const MAX_SHOP_NAME_CHARS: usize = 80;
/// A new shop's thresholds: amber at 3 minutes, red at 6.
pub const DEFAULT_TICKET_WARN_SECONDS: u32 = 180;
pub const DEFAULT_TICKET_LATE_SECONDS: u32 = 360;
/// A ticket cannot turn amber sooner than this...
pub const MIN_TICKET_WARN_SECONDS: u32 = 30;
/// ...nor turn red later than this.
pub const MAX_TICKET_LATE_SECONDS: u32 = 7_200;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShopSettings {
    pub name: String,
    pub currency: Currency,
    pub tax: TaxPolicy,
    /// Age at which a ticket turns amber on the kitchen display.
    pub ticket_warn_seconds: u32,
    /// Age at which it turns red.
    pub ticket_late_seconds: u32,
    #[serde(default)]
    pub receipt: ReceiptSettings,
    #[serde(default)]
    pub counter: CounterSettings,
    /// The kitchen's station printers (the display's backup).
    #[serde(default)]
    pub kitchen_printers: Vec<KitchenPrinter>,
}

/// How the counter takes money: whether a tab goes to the kitchen before it is paid, and how
/// far a gateway card's tip may be raised before capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CounterSettings {
    /// An order not yet paid goes to the kitchen at once (a tab). Off: it waits, held from the
    /// kitchen display, until it is paid (or its card authorized).
    pub kitchen_before_paid: bool,
    /// The most a gateway card's tip may be before capture, in basis points of the order
    /// before the tip.
    pub tip_adjust_limit_bps: u32,
}

/// A new shop sends tabs to the kitchen and lets a card's tip go up to 25 % before capture.
pub const DEFAULT_TIP_ADJUST_LIMIT_BPS: u32 = 2_500;

impl Default for CounterSettings {
    fn default() -> Self {
        CounterSettings { kitchen_before_paid: true, tip_adjust_limit_bps: DEFAULT_TIP_ADJUST_LIMIT_BPS }
    }
}

/// What every receipt says above and below the order, and the shop's receipt printer.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReceiptSettings {
    pub header: String,
    pub footer: String,
    /// Set by a manager; without one, the server's `CREMA_RECEIPT_PRINTER` (if any) prints.
    pub printer: Option<PrinterAddress>,
}

impl ShopSettings {
    /// Whether prices as shown on the menu change between `self` and `other`.
    pub fn prices_differ(&self, other: &ShopSettings) -> bool {
        self.currency != other.currency || self.tax != other.tax
    }

    /// Whether placing an order changes between `self` and `other`: its prices, or whether a
    /// tab goes to the kitchen before it is paid (both are read with the menu).
    pub fn placing_differs(&self, other: &ShopSettings) -> bool {
        self.prices_differ(other) || self.counter != other.counter
    }
}

/// `current` with `input` applied, or every field that is wrong (a station's categories are
/// not checked against a menu: see [`apply_on_menu`]).
pub fn apply(current: &ShopSettings, input: &SettingsInput) -> Result<ShopSettings, ValidationErrors> {
    apply_on_menu(current, input, |_| true)
}

/// [`apply`], with the kitchen stations' categories checked by `category_exists`.
pub fn apply_on_menu(
    current: &ShopSettings,
    input: &SettingsInput,
    category_exists: impl Fn(uuid::Uuid) -> bool,
) -> Result<ShopSettings, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut next = current.clone();
    if let Some(raw) = &input.shop_name {
        match bounded_text(raw, MAX_SHOP_NAME_CHARS) {
            Ok(name) => next.name = name,
            Err(message) => errors.push("shop_name", message),
        }
    }
    if let Some(raw) = &input.currency {
        match raw.trim().parse::<Currency>() {
            Ok(currency) => next.currency = currency,
            Err(e) => errors.push("currency", e.to_string()),
        }
    }
    if let Some(bps) = input.tax_rate_bps {
        match u32::try_from(bps).ok().and_then(|b| TaxRate::try_from(b).ok()) {
            Some(rate) => next.tax.rate = rate,
            None => errors.push("tax_rate_bps", "must be 0 to 10000 basis points (0% to 100%)"),
        }
    }
    if let Some(raw) = &input.tax_mode {
        match TaxMode::parse(raw) {
            Some(mode) => next.tax.mode = mode,
            None => errors.push("tax_mode", "must be \"exclusive\" or \"inclusive\""),
        }
    }
    let mut seconds = |field: &str, value: Option<i64>, slot: &mut u32| {
        if let Some(v) = value {
            match u32::try_from(v) {
                Ok(v) if (MIN_TICKET_WARN_SECONDS..=MAX_TICKET_LATE_SECONDS).contains(&v) => *slot = v,
                _ => errors
                    .push(field, format!("must be {MIN_TICKET_WARN_SECONDS} to {MAX_TICKET_LATE_SECONDS} seconds")),
            }
        }
    };
    seconds("ticket_warn_seconds", input.ticket_warn_seconds, &mut next.ticket_warn_seconds);
    seconds("ticket_late_seconds", input.ticket_late_seconds, &mut next.ticket_late_seconds);
    for (field, value, slot) in [
        ("receipt_header", &input.receipt_header, &mut next.receipt.header),
        ("receipt_footer", &input.receipt_footer, &mut next.receipt.footer),
    ] {
        if let Some(raw) = value {
            match receipt_text(raw) {
                Ok(text) => *slot = text,
                Err(message) => errors.push(field, message),
            }
        }
    }
    if let Some(raw) = &input.receipt_printer {
        if raw.trim().is_empty() {
            next.receipt.printer = None;
        } else {
            match raw.parse::<PrinterAddress>() {
                Ok(address) => next.receipt.printer = Some(address),
                Err(e) => errors.push("receipt_printer", e.to_string()),
            }
        }
    }
    if let Some(printers) = &input.kitchen_printers {
        next.kitchen_printers = crate::kitchen_ticket::stations(&mut errors, printers, category_exists);
    }
    if let Some(on) = input.kitchen_before_paid {
        next.counter.kitchen_before_paid = on;
    }
    if let Some(bps) = input.tip_adjust_limit_bps {
        match u32::try_from(bps) {
            Ok(bps) if bps <= crate::tip::MAX_TIP_BPS => next.counter.tip_adjust_limit_bps = bps,
            _ => errors.push(
                "tip_adjust_limit_bps",
                format!("must be 0 to {} basis points (0% to 100%)", crate::tip::MAX_TIP_BPS),
            ),
        }
    }
    if errors.is_empty() && next.ticket_late_seconds <= next.ticket_warn_seconds {
        errors.push("ticket_late_seconds", "must be later than ticket_warn_seconds");
    }
    errors.into_result(next)
}

/// A header or footer: a few lines of printable text (empty is allowed: nothing is printed).
fn receipt_text(raw: &str) -> Result<String, String> {
    let text = raw.trim().replace("\r\n", "\n");
    if text.chars().count() > MAX_RECEIPT_TEXT_CHARS {
        Err(format!("must be at most {MAX_RECEIPT_TEXT_CHARS} characters"))
    } else if text.lines().count() > MAX_RECEIPT_TEXT_LINES {
        Err(format!("must be at most {MAX_RECEIPT_TEXT_LINES} lines"))
    } else if text.chars().any(|c| c.is_control() && c != '\n') {
        Err("must be printable text (no control characters)".to_string())
    } else {
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shop() -> ShopSettings {
        ShopSettings {
            name: "Crema".into(),
            currency: "USD".parse().expect("currency"),
            tax: TaxPolicy { rate: TaxRate::try_from(875).expect("rate"), mode: TaxMode::Exclusive },
            ticket_warn_seconds: 180,
            ticket_late_seconds: 360,
            receipt: ReceiptSettings::default(),
            counter: CounterSettings::default(),
            kitchen_printers: Vec::new(),
        }
    }

    fn fields(e: &ValidationErrors) -> Vec<&str> {
        e.errors().iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn an_empty_change_changes_nothing() {
        assert_eq!(apply(&shop(), &SettingsInput::default()), Ok(shop()));
    }

    #[test]
    fn a_good_change_applies_every_field() {
        let input = SettingsInput {
            shop_name: Some("  Bean There ".into()),
            currency: Some("EUR".into()),
            tax_rate_bps: Some(2000),
            tax_mode: Some("inclusive".into()),
            ticket_warn_seconds: Some(120),
            ticket_late_seconds: Some(300),
            receipt_header: Some("12 Bean Street\nOpen 7-19".into()),
            receipt_footer: Some(" Thank you! ".into()),
            receipt_printer: Some("tcp://192.168.1.50".into()),
            kitchen_before_paid: Some(false),
            tip_adjust_limit_bps: Some(2_000),
            kitchen_printers: Some(vec![crate::kitchen_ticket::KitchenPrinterDto {
                station: "Bar".into(),
                printer: "tcp://10.0.0.7".into(),
                category_ids: vec![],
            }]),
        };
        let next = apply(&shop(), &input).expect("valid");
        assert_eq!(next.counter, CounterSettings { kitchen_before_paid: false, tip_adjust_limit_bps: 2_000 });
        assert_eq!(next.kitchen_printers[0].printer.to_string(), "tcp://10.0.0.7:9100");
        assert_eq!(next.name, "Bean There");
        assert_eq!(next.currency.as_str(), "EUR");
        assert_eq!(next.tax.rate.basis_points(), 2000);
        assert_eq!(next.tax.mode, TaxMode::Inclusive);
        assert_eq!((next.ticket_warn_seconds, next.ticket_late_seconds), (120, 300));
        assert!(next.prices_differ(&shop()));
        assert_eq!(
            (next.receipt.header.as_str(), next.receipt.footer.as_str()),
            ("12 Bean Street\nOpen 7-19", "Thank you!")
        );
        assert_eq!(next.receipt.printer.as_ref().map(ToString::to_string), Some("tcp://192.168.1.50:9100".into()));
        let cleared = SettingsInput { receipt_printer: Some(String::new()), ..Default::default() };
        assert_eq!(apply(&next, &cleared).map(|s| s.receipt.printer), Ok(None));
    }

    #[test]
    fn every_bad_field_is_named() {
        let input = SettingsInput {
            shop_name: Some("   ".into()),
            currency: Some("euro".into()),
            tax_rate_bps: Some(10_001),
            tax_mode: Some("sometimes".into()),
            ticket_warn_seconds: Some(5),
            ticket_late_seconds: Some(99_999),
            receipt_header: Some("x".repeat(401)),
            receipt_footer: Some("bye\u{1b}@".into()),
            receipt_printer: Some("http://printer".into()),
            kitchen_before_paid: None,
            tip_adjust_limit_bps: Some(10_001),
            kitchen_printers: Some(vec![crate::kitchen_ticket::KitchenPrinterDto {
                station: "Bar".into(),
                printer: "lpt1".into(),
                category_ids: vec![],
            }]),
        };
        let errors = apply(&shop(), &input).expect_err("invalid");
        assert_eq!(
            fields(&errors),
            [
                "shop_name",
                "currency",
                "tax_rate_bps",
                "tax_mode",
                "ticket_warn_seconds",
                "ticket_late_seconds",
                "receipt_header",
                "receipt_footer",
                "receipt_printer",
                "kitchen_printers[0].printer",
                "tip_adjust_limit_bps"
            ]
        );
    }

    #[test]
    fn red_must_come_after_amber() {
        let input = SettingsInput { ticket_warn_seconds: Some(400), ..Default::default() };
        let errors = apply(&shop(), &input).expect_err("late before warn");
        assert_eq!(fields(&errors), ["ticket_late_seconds"]);
    }

    proptest! {
        #[test]
        fn thresholds_stay_ordered_and_in_range(warn in -10i64..10_000, late in -10i64..10_000) {
            let input = SettingsInput { ticket_warn_seconds: Some(warn), ticket_late_seconds: Some(late), ..Default::default() };
            if let Ok(next) = apply(&shop(), &input) {
                prop_assert!(next.ticket_warn_seconds < next.ticket_late_seconds);
                prop_assert!(next.ticket_warn_seconds >= MIN_TICKET_WARN_SECONDS);
                prop_assert!(next.ticket_late_seconds <= MAX_TICKET_LATE_SECONDS);
                prop_assert_eq!(i64::from(next.ticket_warn_seconds), warn);
            }
        }
    }
}
