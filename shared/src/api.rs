//! Wire types: the JSON the API speaks and the screens read.
//!
//! They are deliberately separate from the domain types: a request is parsed into domain
//! values (see [`crate::placing`] and [`crate::menu_edit`]) and a response is built from
//! them, so a change of wire shape never ripples through the rules. With the `openapi`
//! feature they also describe themselves for the OpenAPI document.

use crate::status::{LineStatus, OrderStatus, PaymentMethod, PaymentStatus};
use crate::validation::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

mod terminals;
pub use terminals::{NewTerminalRequest, PairRequest, PairedTerminalDto, TerminalDto, TerminalPatch};

// ---------------------------------------------------------------- menu read model

/// The whole menu, nested the way a POS shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MenuView {
    /// Changes on every edit; also the `ETag`.
    pub version: i64,
    pub currency: String,
    pub categories: Vec<MenuCategoryView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MenuCategoryView {
    pub id: Uuid,
    pub name: String,
    pub items: Vec<MenuItemView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MenuItemView {
    pub id: Uuid,
    pub name: String,
    pub price_cents: i64,
    pub available: bool,
    pub prep_seconds: u32,
    pub modifier_groups: Vec<ModifierGroupView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ModifierGroupView {
    pub id: Uuid,
    pub name: String,
    pub min: u32,
    pub max: u32,
    /// `min >= 1`.
    pub required: bool,
    pub options: Vec<MenuOptionView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MenuOptionView {
    pub id: Uuid,
    pub name: String,
    pub price_delta_cents: i64,
    pub available: bool,
}

// ---------------------------------------------------------------- menu editing

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CategoryDto {
    pub id: Uuid,
    pub name: String,
    pub position: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CategoryInput {
    /// Required on create.
    pub name: Option<String>,
    pub position: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ItemDto {
    pub id: Uuid,
    pub category_id: Uuid,
    pub name: String,
    pub price_cents: i64,
    pub available: bool,
    pub prep_seconds: u32,
    pub position: i64,
    /// Modifier groups offered, in display order.
    pub modifier_group_ids: Vec<Uuid>,
    /// Units left when counted; `null`: not counted.
    pub stock: Option<u32>,
}

/// Create (`name`, `category_id`, `price_cents` required) or partial update of an item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ItemInput {
    pub category_id: Option<Uuid>,
    pub name: Option<String>,
    pub price_cents: Option<i64>,
    pub available: Option<bool>,
    pub prep_seconds: Option<i64>,
    pub position: Option<i64>,
    pub modifier_group_ids: Option<Vec<Uuid>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ModifierGroupDto {
    pub id: Uuid,
    pub name: String,
    pub min: u32,
    pub max: u32,
    pub required: bool,
    pub position: i64,
}

/// Create (`name`, `max` required) or partial update of a modifier group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ModifierGroupInput {
    pub name: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub position: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OptionDto {
    pub id: Uuid,
    pub group_id: Uuid,
    pub name: String,
    pub price_delta_cents: i64,
    pub available: bool,
    pub position: i64,
    /// Units left when counted; `null`: not counted.
    pub stock: Option<u32>,
}

/// Create (`group_id`, `name` required) or partial update of a modifier option.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OptionInput {
    pub group_id: Option<Uuid>,
    pub name: Option<String>,
    pub price_delta_cents: Option<i64>,
    pub available: Option<bool>,
    pub position: Option<i64>,
}

/// Set how many are left (`null` stops counting). Reaching zero sells it out; above zero
/// brings it back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StockInput {
    pub stock: Option<i64>,
}

/// "86" an item or option (`available: false`) or bring it back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AvailabilityInput {
    pub available: bool,
}

// ---------------------------------------------------------------- orders

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
}

/// Give money back (all or part of what was paid).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RefundRequest {
    pub amount_cents: i64,
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
    /// Per business day, from 1.
    pub ticket_number: i64,
    pub business_date: String,
    pub customer_name: String,
    pub customer_email: Option<String>,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub currency: String,
    pub lines: Vec<OrderLineDto>,
    pub subtotal_cents: i64,
    pub discount_cents: i64,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OrderPage {
    pub orders: Vec<OrderDto>,
    /// Pass as `offset` for the next page; absent on the last page.
    pub next_offset: Option<i64>,
}

// ---------------------------------------------------------------- errors and events

/// RFC 9457 problem details, as every 4xx/5xx answer carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For illegal transitions: the order's current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_status: Option<String>,
}

/// A CloudEvents 1.0 event (structured JSON), as the live stream and sinks carry it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CloudEvent {
    pub specversion: String,
    /// The event's UUID: consumers dedupe by it.
    pub id: String,
    /// `crema/<shop>/<node>`.
    pub source: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// The order (or menu) the event is about.
    pub subject: Option<String>,
    pub time: DateTime<Utc>,
    pub datacontenttype: String,
    /// The shop's global event order (decimal; compare as an integer).
    pub sequence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// The request that caused the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requestid: Option<String>,
    /// The member of staff whose action caused the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staffid: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

// ---------------------------------------------------------------- staff and sessions

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffDto {
    pub id: Uuid,
    pub name: String,
    pub role: crate::staff::Role,
    pub active: bool,
    /// Managers with an email get the end-of-day summary.
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new member of staff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewStaffRequest {
    pub name: String,
    pub role: crate::staff::Role,
    /// 4 to 8 digits, not used by anyone else.
    pub pin: String,
    #[serde(default)]
    pub email: Option<String>,
}

/// Partial update; `active: false` deactivates and signs the person out everywhere.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffPatch {
    pub name: Option<String>,
    pub role: Option<crate::staff::Role>,
    pub active: Option<bool>,
    /// An address, or `""` to remove it.
    pub email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PinRequest {
    pub pin: String,
}

/// Who is signed in, and until when (idle expiry, extended by use).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionDto {
    pub staff: StaffDto,
    pub expires_at: DateTime<Utc>,
    /// The bearer token; only in the answer to signing in (browsers get it as a cookie).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEntryDto {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who did it (absent for a failed sign-in with an unknown PIN).
    pub staff_id: Option<Uuid>,
    /// `sign_in.succeeded`, `sign_in.failed`, `staff.created`, `menu.item.updated`, `order.cancelled`, ...
    pub action: String,
    pub subject: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
    pub request_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntryDto>,
    pub next_offset: Option<i64>,
}

// ---------------------------------------------------------------- durable jobs

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobDto {
    pub id: Uuid,
    /// `order.sla_check`, ...
    pub kind: String,
    /// `pending`, `running`, `succeeded` or `dead`.
    pub state: String,
    /// Attempts started so far.
    pub attempts: u32,
    /// When it is (or was) due.
    pub run_at: DateTime<Utc>,
    /// The last attempt's error.
    pub last_error: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobPage {
    pub jobs: Vec<JobDto>,
    pub next_offset: Option<i64>,
}

// ---------------------------------------------------------------- sinks (webhooks)

/// Where the event log is forwarded: a signed webhook or a Kafka topic. A webhook's secret
/// is only shown when created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SinkDto {
    pub id: Uuid,
    /// `webhook` or `kafka`.
    pub kind: String,
    pub name: String,
    /// Webhooks: the endpoint.
    pub url: Option<String>,
    /// Kafka: the bootstrap brokers, `host:port,host:port`.
    pub brokers: Option<String>,
    /// Kafka: the topic.
    pub topic: Option<String>,
    /// Event types (or prefixes ending in `.`) forwarded; empty means all.
    pub event_types: Vec<String>,
    pub active: bool,
    /// The last outbox sequence delivered (or passed over, or dead-lettered).
    pub cursor: i64,
    /// Consecutive failures to reach the endpoint; at 5 the circuit breaker opens.
    pub consecutive_failures: u32,
    /// Times the endpoint refused the event at the head of the backlog.
    pub rejections: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Only in the answer to creating the sink (or setting a new secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewSinkRequest {
    /// `webhook` (default) or `kafka`.
    #[serde(default)]
    pub kind: Option<String>,
    pub name: String,
    /// Webhooks: `http://` or `https://`.
    #[serde(default)]
    pub url: Option<String>,
    /// Kafka: bootstrap brokers, `host:port,host:port`.
    #[serde(default)]
    pub brokers: Option<String>,
    /// Kafka: the topic.
    #[serde(default)]
    pub topic: Option<String>,
    /// A Standard Webhooks secret (`whsec_…`); one is made when absent.
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Start after this sequence (`0`: the whole history); default: from now on.
    #[serde(default)]
    pub start_after: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SinkPatch {
    pub name: Option<String>,
    pub url: Option<String>,
    pub secret: Option<String>,
    pub brokers: Option<String>,
    pub topic: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub active: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeadLetterDto {
    pub id: i64,
    pub sequence: i64,
    pub event_id: String,
    pub error: String,
    pub attempts: u32,
    pub at: DateTime<Utc>,
    pub replayed_at: Option<DateTime<Utc>>,
}

/// Deliver the events `from_sequence..=to_sequence` again (the sink's filter applies).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReplayRequest {
    pub from_sequence: i64,
    pub to_sequence: i64,
}

// ---------------------------------------------------------------- pickup board

/// What the pickup board shows: today's open tickets by number and first name only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BoardDto {
    /// Placed, accepted or being made, oldest first.
    pub preparing: Vec<BoardTicket>,
    /// Ready for pickup, oldest first.
    pub ready: Vec<BoardTicket>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BoardTicket {
    pub ticket_number: i64,
    /// The customer's first name (nothing more leaves the counter).
    pub name: String,
}

// ---------------------------------------------------------------- kitchen display

/// What a kitchen display starts from: today's open tickets (placed, accepted, preparing,
/// ready), oldest first, and the event sequence they are current as of. Follow
/// `GET /api/v1/events?after=<after>` from there and no change is missed or applied twice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KitchenDto {
    pub after: i64,
    pub orders: Vec<OrderDto>,
    /// Seconds after which a ticket shows amber, then red.
    pub ticket_warn_seconds: u32,
    pub ticket_late_seconds: u32,
}

// ---------------------------------------------------------------- settings and reports

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
