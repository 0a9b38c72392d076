//! The menu as the domain sees it: categories, items, modifier groups and their options,
//! and which groups (in which order) each item offers.
//!
//! A [`Catalog`] is an immutable snapshot of one menu version. The server loads it from the
//! store and caches it by version; the same value prices orders ([`crate::placing`]) and
//! renders the nested read model the screens use ([`Catalog::view`]).

use crate::api::{MenuCategoryView, MenuItemView, MenuOptionView, MenuView, ModifierGroupView};
use crate::money::{Currency, Money};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Category {
    pub id: Uuid,
    pub name: String,
    pub position: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Item {
    pub id: Uuid,
    pub category_id: Uuid,
    pub name: String,
    pub price: Money,
    pub available: bool,
    pub prep_seconds: u32,
    pub position: i64,
    /// The modifier groups this item offers, in display order.
    pub group_ids: Vec<Uuid>,
    /// Units left, when counted (`None`: not counted, never runs out).
    pub stock: Option<u32>,
}

impl Item {
    /// Can be sold now: switched on and not counted down to zero.
    pub fn sellable(&self) -> bool {
        self.available && self.stock != Some(0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModifierGroup {
    pub id: Uuid,
    pub name: String,
    /// Fewest choices a line must make in this group; a group with `min >= 1` is required.
    pub min: u32,
    /// Most choices a line may make in this group (at least 1, at least `min`).
    pub max: u32,
    pub position: i64,
}

impl ModifierGroup {
    pub fn required(&self) -> bool {
        self.min > 0
    }

    /// The rule as a cashier reads it: "needs exactly 1", "allows at most 3", ...
    pub fn rule(&self) -> String {
        match (self.min, self.max) {
            (min, max) if min == max => format!("needs exactly {min}"),
            (0, max) => format!("allows at most {max}"),
            (min, max) => format!("needs between {min} and {max}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModifierOption {
    pub id: Uuid,
    pub group_id: Uuid,
    pub name: String,
    pub price_delta: Money,
    pub available: bool,
    pub position: i64,
    /// Units left, when counted (oat milk cartons, say).
    pub stock: Option<u32>,
}

impl ModifierOption {
    /// Can be chosen now: switched on and not counted down to zero.
    pub fn sellable(&self) -> bool {
        self.available && self.stock != Some(0)
    }
}

/// One version of a shop's menu, indexed for lookups.
#[derive(Clone, Debug)]
pub struct Catalog {
    version: i64,
    currency: Currency,
    categories: Vec<Category>,
    items: Vec<Item>,
    groups: Vec<ModifierGroup>,
    options: Vec<ModifierOption>,
    item_index: HashMap<Uuid, usize>,
    group_index: HashMap<Uuid, usize>,
    option_index: HashMap<Uuid, usize>,
}

impl Catalog {
    /// Builds a catalog; every list is sorted by `(position, name)` for display.
    pub fn new(
        version: i64,
        currency: Currency,
        mut categories: Vec<Category>,
        mut items: Vec<Item>,
        mut groups: Vec<ModifierGroup>,
        mut options: Vec<ModifierOption>,
    ) -> Self {
        categories.sort_by(|a, b| (a.position, &a.name).cmp(&(b.position, &b.name)));
        items.sort_by(|a, b| (a.position, &a.name).cmp(&(b.position, &b.name)));
        groups.sort_by(|a, b| (a.position, &a.name).cmp(&(b.position, &b.name)));
        options.sort_by(|a, b| (a.position, &a.name).cmp(&(b.position, &b.name)));
        let item_index = items.iter().enumerate().map(|(i, x)| (x.id, i)).collect();
        let group_index = groups.iter().enumerate().map(|(i, x)| (x.id, i)).collect();
        let option_index = options.iter().enumerate().map(|(i, x)| (x.id, i)).collect();
        Catalog { version, currency, categories, items, groups, options, item_index, group_index, option_index }
    }

    pub fn version(&self) -> i64 {
        self.version
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the menu has category `id`.
    pub fn has_category(&self, id: Uuid) -> bool {
        self.categories.iter().any(|c| c.id == id)
    }

    pub fn item(&self, id: Uuid) -> Option<&Item> {
        self.item_index.get(&id).map(|&i| &self.items[i])
    }

    pub fn group(&self, id: Uuid) -> Option<&ModifierGroup> {
        self.group_index.get(&id).map(|&i| &self.groups[i])
    }

    pub fn option(&self, id: Uuid) -> Option<&ModifierOption> {
        self.option_index.get(&id).map(|&i| &self.options[i])
    }

    pub fn options_of(&self, group_id: Uuid) -> impl Iterator<Item = &ModifierOption> {
        self.options.iter().filter(move |o| o.group_id == group_id)
    }

    /// The nested read model served at `GET /api/v1/menu`.
    pub fn view(&self) -> MenuView {
        let categories = self
            .categories
            .iter()
            .map(|c| MenuCategoryView {
                id: c.id,
                name: c.name.clone(),
                items: self.items.iter().filter(|i| i.category_id == c.id).map(|i| self.item_view(i)).collect(),
            })
            .collect();
        MenuView { version: self.version, currency: self.currency.to_string(), categories }
    }

    fn item_view(&self, item: &Item) -> MenuItemView {
        MenuItemView {
            id: item.id,
            name: item.name.clone(),
            price_cents: item.price.minor(),
            available: item.sellable(),
            prep_seconds: item.prep_seconds,
            modifier_groups: item
                .group_ids
                .iter()
                .filter_map(|gid| self.group(*gid))
                .map(|g| ModifierGroupView {
                    id: g.id,
                    name: g.name.clone(),
                    min: g.min,
                    max: g.max,
                    required: g.required(),
                    options: self
                        .options_of(g.id)
                        .map(|o| MenuOptionView {
                            id: o.id,
                            name: o.name.clone(),
                            price_delta_cents: o.price_delta.minor(),
                            available: o.sellable(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! A small latte-and-croissant menu for the domain's own tests.
    use super::*;

    pub struct Ids {
        pub latte: Uuid,
        pub croissant: Uuid,
        pub muffin: Uuid,
        pub size: Uuid,
        pub milk: Uuid,
        pub syrup: Uuid,
        pub small: Uuid,
        pub large: Uuid,
        pub oat: Uuid,
        pub soy: Uuid,
        pub vanilla: Uuid,
        pub caramel: Uuid,
        pub orphan_group: Uuid,
        pub orphan_option: Uuid,
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    pub fn catalog() -> (Catalog, Ids) {
        let ids = Ids {
            latte: id(10),
            croissant: id(11),
            muffin: id(12),
            size: id(20),
            milk: id(21),
            syrup: id(22),
            small: id(30),
            large: id(31),
            oat: id(32),
            soy: id(33),
            vanilla: id(34),
            caramel: id(35),
            orphan_group: id(23),
            orphan_option: id(36),
        };
        let cat = |n: u128, name: &str| Category { id: id(n), name: name.into(), position: n as i64 };
        let item = |iid: Uuid, name: &str, price: i64, available: bool, groups: Vec<Uuid>| Item {
            id: iid,
            category_id: id(1),
            name: name.into(),
            price: Money::from_minor(price),
            available,
            prep_seconds: 60,
            position: 0,
            group_ids: groups,
            stock: None,
        };
        let group = |gid: Uuid, name: &str, min: u32, max: u32| ModifierGroup {
            id: gid,
            name: name.into(),
            min,
            max,
            position: 0,
        };
        let opt = |oid: Uuid, gid: Uuid, name: &str, delta: i64, available: bool| ModifierOption {
            id: oid,
            group_id: gid,
            name: name.into(),
            price_delta: Money::from_minor(delta),
            available,
            position: 0,
            stock: None,
        };
        let catalog = Catalog::new(
            7,
            "USD".parse().expect("currency"),
            vec![cat(1, "Coffee")],
            vec![
                item(ids.latte, "Latte", 475, true, vec![ids.size, ids.milk, ids.syrup]),
                item(ids.croissant, "Croissant", 375, true, vec![]),
                item(ids.muffin, "Muffin", 350, false, vec![]),
            ],
            vec![
                group(ids.size, "Size", 1, 1),
                group(ids.milk, "Milk", 0, 1),
                group(ids.syrup, "Syrup", 0, 2),
                group(ids.orphan_group, "Toppings", 0, 1),
            ],
            vec![
                opt(ids.small, ids.size, "Small", 0, true),
                opt(ids.large, ids.size, "Large", 100, true),
                opt(ids.oat, ids.milk, "Oat", 60, true),
                opt(ids.soy, ids.milk, "Soy", 50, false),
                opt(ids.vanilla, ids.syrup, "Vanilla", 50, true),
                opt(ids.caramel, ids.syrup, "Caramel", 50, true),
                opt(ids.orphan_option, ids.orphan_group, "Sprinkles", 20, true),
            ],
        );
        (catalog, ids)
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::catalog;

    #[test]
    fn view_nests_groups_and_options_under_items() {
        let (catalog, ids) = catalog();
        let view = catalog.view();
        assert_eq!(view.version, 7);
        assert_eq!(view.currency, "USD");
        let latte = view.categories[0].items.iter().find(|i| i.id == ids.latte).expect("latte");
        let names: Vec<&str> = latte.modifier_groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["Size", "Milk", "Syrup"]);
        assert!(latte.modifier_groups[0].required);
        assert_eq!(latte.modifier_groups[0].options.len(), 2);
    }
}
