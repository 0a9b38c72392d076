//! The cash drawer at the till: open with a float, pay in and out, close with the count.

use crate::close::{DrawerFigures, MovementKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Opens the day's drawer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OpenDrawerRequest {
    /// The change the drawer starts with, in minor units.
    #[serde(default)]
    pub float_cents: Option<i64>,
}

/// Cash paid into or out of the drawer other than by a sale.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DrawerMovementRequest {
    /// `paid_in` or `paid_out`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub amount_cents: Option<i64>,
    /// Why ("milk from the corner shop").
    #[serde(default)]
    pub reason: Option<String>,
}

/// Closes the day's drawer with what was counted in it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CloseDrawerRequest {
    #[serde(default)]
    pub counted_cents: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DrawerMovementDto {
    pub kind: MovementKind,
    pub amount_cents: i64,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// The day's drawer: what it started with, what went in and out, what it should hold and,
/// once closed, what was counted and how far off it was.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DrawerDto {
    pub id: Uuid,
    pub business_date: String,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub movements: Vec<DrawerMovementDto>,
    pub figures: DrawerFigures,
}
