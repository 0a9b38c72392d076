//! The shop's settings and the day's numbers.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The shop's settings. Mail, Kafka and webhooks are shown for what they are: mail is set by
/// the server's configuration (`CREMA_SMTP_URL`), sinks under `/api/v1/sinks`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SettingsDto {
    pub shop_name: String,
    pub currency: String,
    /// Basis points: 875 = 8.75 %.
    pub tax_rate_bps: u32,
    /// `exclusive` (added on top) or `inclusive` (contained in prices).
    pub tax_mode: String,
    pub ticket_warn_seconds: u32,
    pub ticket_late_seconds: u32,
    /// Whether ready-for-pickup emails and the end-of-day summary can be sent.
    pub smtp_configured: bool,
    pub mail_from: String,
    /// Printed above every receipt (a few lines: address, opening hours).
    #[serde(default)]
    pub receipt_header: String,
    /// Printed below every receipt.
    #[serde(default)]
    pub receipt_footer: String,
    /// The receipt printer a manager set, `tcp://host:port`.
    #[serde(default)]
    pub receipt_printer: Option<String>,
    /// Where receipts print: the manager's printer, else the server's `CREMA_RECEIPT_PRINTER`;
    /// absent when receipts are not printed.
    #[serde(default)]
    pub receipt_printer_in_use: Option<String>,
    /// An unpaid order goes to the kitchen at once (a tab); off: it waits until paid.
    #[serde(default = "yes")]
    pub kitchen_before_paid: bool,
    /// How far a gateway card's tip may go before capture, basis points of the order.
    #[serde(default)]
    pub tip_adjust_limit_bps: u32,
    /// The kitchen's station printers.
    #[serde(default)]
    pub kitchen_printers: Vec<crate::kitchen_ticket::KitchenPrinterDto>,
}

fn yes() -> bool {
    true
}

/// A partial change of the settings; every bad field is named and nothing is changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SettingsInput {
    pub shop_name: Option<String>,
    pub currency: Option<String>,
    pub tax_rate_bps: Option<i64>,
    pub tax_mode: Option<String>,
    pub ticket_warn_seconds: Option<i64>,
    pub ticket_late_seconds: Option<i64>,
    /// At most 8 lines, 400 characters; empty prints nothing.
    #[serde(default)]
    pub receipt_header: Option<String>,
    #[serde(default)]
    pub receipt_footer: Option<String>,
    /// `tcp://host:port` (port 9100 when left out); empty removes the printer.
    #[serde(default)]
    pub receipt_printer: Option<String>,
    /// Off: an order not yet paid waits for its payment before the kitchen sees it.
    #[serde(default)]
    pub kitchen_before_paid: Option<bool>,
    /// 0 to 10000.
    #[serde(default)]
    pub tip_adjust_limit_bps: Option<i64>,
    /// Replaces the station printers (at most 8; an empty list removes them).
    #[serde(default)]
    pub kitchen_printers: Option<Vec<crate::kitchen_ticket::KitchenPrinterDto>>,
}

/// One business day's numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DayReportDto {
    pub business_date: String,
    pub currency: String,
    /// Orders not cancelled.
    pub orders: i64,
    pub cancelled: i64,
    /// Captured payments less refunds, minor units.
    pub revenue_cents: i64,
    /// Mean seconds from placed to ready.
    pub average_ready_seconds: Option<f64>,
    /// Orders placed in each local hour, index 0 = midnight.
    pub orders_per_hour: Vec<u32>,
    pub top_items: Vec<TopItemDto>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TopItemDto {
    pub name: String,
    pub units: i64,
}
