//! Placing, paying, cancelling and reading orders.

use crate::status::{LineStatus, OrderStatus, PaymentMethod, PaymentStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A new order. Prices are never taken from the client: the server prices it from the menu.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PlaceOrderRequest {
    /// A UUIDv7 made by the client (a terminal may be offline); the server makes one if absent.
    #[serde(default)]
    pub id: Option<Uuid>,
    pub customer_name: String,
    #[serde(default)]
    pub customer_email: Option<String>,
    pub lines: Vec<LineRequest>,
    /// Pay at once (cash); otherwise pay later with `POST /orders/{id}/payment`.
    #[serde(default)]
    pub payment: Option<PaymentRequest>,
    /// Pay at once with several tenders (2 to 10), each with its `amount_cents`; not with
    /// `payment`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split: Vec<PaymentRequest>,
    /// Discounts, each on a line or on the whole order, for one of the shop's reasons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discounts: Vec<super::DiscountRequest>,
    /// A manager's PIN, when a discount is beyond what the cashier may give alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_pin: Option<super::ApprovalPin>,
}

impl PlaceOrderRequest {
    /// The same order without the manager's PIN (what is hashed and kept for a retry).
    pub fn without_approval_pin(&self) -> PlaceOrderRequest {
        PlaceOrderRequest { approval_pin: None, ..self.clone() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LineRequest {
    pub item_id: Uuid,
    pub quantity: i64,
    #[serde(default)]
    pub option_ids: Vec<Uuid>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PaymentRequest {
    pub method: PaymentMethod,
    /// Cash: what was handed over, in minor units; at least the order total.
    #[serde(default)]
    pub tendered_cents: Option<i64>,
    /// Card on the shop's own terminal: its approval code (the card is then charged).
    /// Without one, a card is authorized through the payment gateway and captured later.
    #[serde(default)]
    pub approval_code: Option<String>,
    /// Whether the receipt prints on the shop's receipt printer once paid (default: yes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_receipt: Option<bool>,
    /// A tip, in minor units (at most the order itself). Not with `tip_percent_bps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip_cents: Option<i64>,
    /// A tip as a percentage of the order before the tip, in basis points (1500 = 15 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip_percent_bps: Option<u32>,
    /// In a `split` only: this tender's part of the order, before its tip (a tip percentage
    /// is of this part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
    /// Paying an order already placed: part of what is due (a tab paid in parts), before its
    /// tip (a tip percentage is of this part). Without it, all that is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_cents: Option<i64>,
}

/// A gateway card's tip, changed before the card is captured (at most the shop's
/// `tip_adjust_limit_bps` of the order before the tip): an amount or a percentage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TipRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip_cents: Option<i64>,
    /// Basis points of the order before the tip (1500 = 15 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip_percent_bps: Option<u32>,
}

/// Take one line off an order not yet paid in full, with why; a cashier adds a manager's PIN.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VoidLineRequest {
    /// Why (at most 140 characters); required.
    #[serde(default)]
    pub reason: Option<String>,
    /// A manager's PIN, when a cashier voids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_pin: Option<super::ApprovalPin>,
}

/// One tender of an order paid by several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TenderDto {
    pub method: PaymentMethod,
    /// Its part of the order, before its tip.
    pub amount_cents: i64,
    pub tip_cents: i64,
    /// Cash handed over; a card: its part and tip.
    pub tendered_cents: i64,
    /// Cash only.
    pub change_cents: i64,
    /// A card: `terminal:<approval code>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// Give money back: an amount, or some of the order's lines (their share of what it cost
/// before the tip), with why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RefundRequest {
    /// An amount. Not with `line_ids`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
    /// Lines given back (their ids). Not with `amount_cents`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line_ids: Vec<Uuid>,
    /// Why ("spilled", "wrong milk"): for the audit log and the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A manager's PIN, when the one asking may not refund alone (a cashier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_pin: Option<super::ApprovalPin>,
}

/// A manager's answer about a card refund that failed: did the gateway give the money back?
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResolveRefundRequest {
    /// `true`: the gateway paid it (the order records the refund); `false`: it did not (the
    /// amount can be refunded again).
    #[serde(default)]
    pub paid: Option<bool>,
    /// How the manager knows (the gateway's dashboard, the customer's statement).
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CancelRequest {
    /// Why, for the audit trail and the customer ("customer left", "out of oat milk").
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderDto {
    pub id: Uuid,
    /// Per business day, from 1 (per terminal, on a synced terminal).
    pub ticket_number: i64,
    /// What is called out and shown: `17`, or `A-17` for an order taken on terminal A.
    #[serde(default)]
    pub ticket: String,
    /// The label of the terminal that numbered it (empty: the hub).
    #[serde(default)]
    pub ticket_prefix: String,
    pub business_date: String,
    pub customer_name: String,
    pub customer_email: Option<String>,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub currency: String,
    pub lines: Vec<OrderLineDto>,
    pub subtotal_cents: i64,
    /// All discounts together (line and order).
    pub discount_cents: i64,
    /// Each discount, with its reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discounts: Vec<super::DiscountDto>,
    pub tax_cents: i64,
    pub tip_cents: i64,
    pub total_cents: i64,
    pub payment_method: Option<PaymentMethod>,
    /// Card: the terminal's approval code or the gateway's authorization reference.
    pub payment_reference: Option<String>,
    /// Refunded so far.
    pub refunded_cents: i64,
    pub tendered_cents: Option<i64>,
    pub change_due_cents: Option<i64>,
    /// The tenders of an order paid by several (their sums are `tendered_cents` and
    /// `change_due_cents`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tenders: Vec<TenderDto>,
    /// Taken so far, parts and their tips (the total once paid).
    #[serde(default)]
    pub paid_cents: i64,
    /// Still to pay: the total of an unpaid order, the rest of one partly paid.
    #[serde(default)]
    pub due_cents: i64,
    /// Kept from the kitchen until it is paid (the shop's `kitchen_before_paid` is off).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kitchen_held: bool,
    /// Optimistic-concurrency version; send it back as `If-Match`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The member of staff who rang it up.
    pub placed_by: Option<Uuid>,
    /// Status changes, oldest first (only on `GET /orders/{id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<StatusChangeDto>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderLineDto {
    pub id: Uuid,
    pub item_id: Uuid,
    /// Snapshotted at order time.
    pub name: String,
    pub quantity: u32,
    /// Base price plus option deltas, snapshotted.
    pub unit_price_cents: i64,
    pub options: Vec<LineOptionDto>,
    pub note: Option<String>,
    pub status: LineStatus,
    pub line_total_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LineOptionDto {
    pub option_id: Uuid,
    pub group_name: String,
    pub name: String,
    pub price_delta_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StatusChangeDto {
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// A print queued for the receipt printer; its progress is on the jobs screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PrintJobDto {
    pub job_id: Uuid,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderPage {
    pub orders: Vec<OrderDto>,
    /// Pass as `offset` for the next page; absent on the last page.
    pub next_offset: Option<i64>,
}
