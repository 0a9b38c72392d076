//! Editing the menu: the flat resources and their inputs.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

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
