//! Discount reasons (kept by managers) and the discounts applied to an order.

use crate::staff::Role;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Why an order is cheaper (staff, loyalty, comp, promo), who may give it unaided and how much.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DiscountReasonDto {
    pub id: Uuid,
    pub name: String,
    /// Roles that may apply it without a manager's approval (managers always may).
    pub roles: Vec<Role>,
    /// The most it may take off what it applies to without approval, in basis points
    /// (5000 = half); more needs a manager's PIN.
    pub limit_bps: u32,
    /// Offered at the till.
    pub active: bool,
}

/// A new discount reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewDiscountReasonRequest {
    pub name: String,
    #[serde(default)]
    pub roles: Vec<Role>,
    pub limit_bps: u32,
}

/// A partial update of a discount reason.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DiscountReasonPatch {
    pub name: Option<String>,
    pub roles: Option<Vec<Role>>,
    pub limit_bps: Option<u32>,
    pub active: Option<bool>,
}

/// A discount the till applies while ringing up: on one line (`line`, its index in the
/// request's `lines`) or on the whole order, as a percentage or an amount.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DiscountRequest {
    pub reason_id: Uuid,
    /// The line it applies to (index into `lines`); absent: the whole order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// A percentage in basis points (1000 = 10 %). Not with `amount_cents`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_bps: Option<u32>,
    /// An amount off, in minor units. Not with `percent_bps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
}

/// A discount as the order keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DiscountDto {
    pub reason_id: Uuid,
    /// The reason's name when it was applied.
    pub reason: String,
    /// The line it applies to; absent: the whole order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_bps: Option<u32>,
    /// What it took off.
    pub amount_cents: i64,
    /// The manager whose PIN approved it, when it needed approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<Uuid>,
}

/// A manager's PIN, typed on the till to approve what the cashier may not do alone. Never
/// shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(ToSchema), schema(value_type = String))]
pub struct ApprovalPin(pub String);

impl fmt::Debug for ApprovalPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApprovalPin(..)")
    }
}
