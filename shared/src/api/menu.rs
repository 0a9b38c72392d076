//! The menu as the screens read it: categories, items, modifier groups and options.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

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
