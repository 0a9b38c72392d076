//! Rules for editing the menu: turning a create or partial-update input into a valid
//! category, item, modifier group or option. References to other rows (an item's category,
//! an option's group) are checked by the store inside the edit's transaction.

use crate::api::{CategoryInput, ItemInput, ModifierGroupInput, OptionInput};
use crate::menu::{Category, Item, ModifierGroup, ModifierOption};
use crate::money::Money;
use crate::validation::{bounded_text, ValidationErrors};
use std::collections::HashSet;
use uuid::Uuid;

pub const MAX_MENU_NAME_CHARS: usize = 60;
pub const MAX_PRICE_CENTS: i64 = 1_000_000;
pub const MAX_DELTA_CENTS: i64 = 100_000;
pub const MAX_PREP_SECONDS: i64 = 3_600;
pub const MAX_GROUP_CHOICES: i64 = 20;
pub const MAX_GROUPS_PER_ITEM: usize = 20;
const MAX_POSITION: i64 = 1_000_000;

/// A new category (`base` = `None`) or an update of `base`.
pub fn category(id: Uuid, base: Option<&Category>, input: &CategoryInput) -> Result<Category, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let name = name_field(&mut errors, input.name.as_deref(), base.map(|b| b.name.as_str()));
    let position = position_field(&mut errors, input.position, base.map(|b| b.position));
    errors.into_result(())?;
    Ok(Category { id, name: name.unwrap_or_default(), position })
}

/// A new item (`base` = `None`: `category_id`, `name`, `price_cents` required) or an update.
pub fn item(id: Uuid, base: Option<&Item>, input: &ItemInput) -> Result<Item, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let name = name_field(&mut errors, input.name.as_deref(), base.map(|b| b.name.as_str()));
    let category_id = input.category_id.or(base.map(|b| b.category_id));
    if category_id.is_none() {
        errors.push("category_id", "is required");
    }
    let price = match (input.price_cents, base) {
        (Some(p), _) => errors.check("price_cents", range(p, 0, MAX_PRICE_CENTS)).map(Money::from_minor),
        (None, Some(b)) => Some(b.price),
        (None, None) => {
            errors.push("price_cents", "is required");
            None
        }
    };
    let prep_seconds = match input.prep_seconds {
        Some(s) => errors.check("prep_seconds", range(s, 0, MAX_PREP_SECONDS)).map(|s| s as u32),
        None => Some(base.map_or(120, |b| b.prep_seconds)),
    };
    let group_ids = match &input.modifier_group_ids {
        Some(ids) => {
            let mut seen = HashSet::new();
            for (i, gid) in ids.iter().enumerate() {
                if !seen.insert(*gid) {
                    errors.push(format!("modifier_group_ids[{i}]"), "is listed twice");
                }
            }
            if ids.len() > MAX_GROUPS_PER_ITEM {
                errors.push("modifier_group_ids", format!("at most {MAX_GROUPS_PER_ITEM} groups"));
            }
            ids.clone()
        }
        None => base.map(|b| b.group_ids.clone()).unwrap_or_default(),
    };
    let position = position_field(&mut errors, input.position, base.map(|b| b.position));
    let available = input.available.or(base.map(|b| b.available)).unwrap_or(true);
    match (errors.is_empty(), name, category_id, price, prep_seconds) {
        (true, Some(name), Some(category_id), Some(price), Some(prep_seconds)) => {
            let stock = base.and_then(|b| b.stock);
            Ok(Item { id, category_id, name, price, available, prep_seconds, position, group_ids, stock })
        }
        _ => Err(errors),
    }
}

/// A new modifier group (`name` and `max` required; `min` defaults to 0) or an update.
pub fn modifier_group(
    id: Uuid,
    base: Option<&ModifierGroup>,
    input: &ModifierGroupInput,
) -> Result<ModifierGroup, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let name = name_field(&mut errors, input.name.as_deref(), base.map(|b| b.name.as_str()));
    let min = match input.min {
        Some(m) => errors.check("min", range(m, 0, MAX_GROUP_CHOICES)).map(|m| m as u32),
        None => Some(base.map_or(0, |b| b.min)),
    };
    let max = match (input.max, base) {
        (Some(m), _) => errors.check("max", range(m, 1, MAX_GROUP_CHOICES)).map(|m| m as u32),
        (None, Some(b)) => Some(b.max),
        (None, None) => {
            errors.push("max", "is required");
            None
        }
    };
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            errors.push("min", format!("must not exceed max ({max})"));
        }
    }
    let position = position_field(&mut errors, input.position, base.map(|b| b.position));
    match (errors.is_empty(), name, min, max) {
        (true, Some(name), Some(min), Some(max)) => Ok(ModifierGroup { id, name, min, max, position }),
        _ => Err(errors),
    }
}

/// A new option (`group_id`, `name` required; delta defaults to 0) or an update.
pub fn option(
    id: Uuid,
    base: Option<&ModifierOption>,
    input: &OptionInput,
) -> Result<ModifierOption, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let name = name_field(&mut errors, input.name.as_deref(), base.map(|b| b.name.as_str()));
    let group_id = input.group_id.or(base.map(|b| b.group_id));
    if group_id.is_none() {
        errors.push("group_id", "is required");
    }
    let price_delta = match input.price_delta_cents {
        Some(d) => {
            errors.check("price_delta_cents", range(d, -MAX_DELTA_CENTS, MAX_DELTA_CENTS)).map(Money::from_minor)
        }
        None => Some(base.map_or(Money::ZERO, |b| b.price_delta)),
    };
    let position = position_field(&mut errors, input.position, base.map(|b| b.position));
    let available = input.available.or(base.map(|b| b.available)).unwrap_or(true);
    match (errors.is_empty(), name, group_id, price_delta) {
        (true, Some(name), Some(group_id), Some(price_delta)) => {
            let stock = base.and_then(|b| b.stock);
            Ok(ModifierOption { id, group_id, name, price_delta, available, position, stock })
        }
        _ => Err(errors),
    }
}

fn name_field(errors: &mut ValidationErrors, input: Option<&str>, base: Option<&str>) -> Option<String> {
    match (input, base) {
        (Some(raw), _) => errors.check("name", bounded_text(raw, MAX_MENU_NAME_CHARS)),
        (None, Some(b)) => Some(b.to_string()),
        (None, None) => {
            errors.push("name", "is required");
            None
        }
    }
}

fn position_field(errors: &mut ValidationErrors, input: Option<i64>, base: Option<i64>) -> i64 {
    match input {
        Some(p) => errors.check("position", range(p, -MAX_POSITION, MAX_POSITION)).unwrap_or(0),
        None => base.unwrap_or(0),
    }
}

fn range(value: i64, min: i64, max: i64) -> Result<i64, String> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be between {min} and {max}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: ValidationErrors) -> Vec<String> {
        e.errors().iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn item_create_requires_name_category_and_price() {
        let err = item(Uuid::nil(), None, &ItemInput::default()).expect_err("must fail");
        assert_eq!(fields(err), ["name", "category_id", "price_cents"]);
    }

    #[test]
    fn item_update_keeps_what_is_not_sent() {
        let base = item(
            Uuid::nil(),
            None,
            &ItemInput {
                category_id: Some(Uuid::from_u128(1)),
                name: Some("Latte".into()),
                price_cents: Some(475),
                ..Default::default()
            },
        )
        .expect("valid");
        let updated =
            item(base.id, Some(&base), &ItemInput { price_cents: Some(500), ..Default::default() }).expect("valid");
        assert_eq!(updated.name, "Latte");
        assert_eq!(updated.price.minor(), 500);
        assert!(updated.available);
    }

    #[test]
    fn bad_values_name_their_field() {
        let input = ItemInput {
            category_id: Some(Uuid::nil()),
            name: Some("  ".into()),
            price_cents: Some(-1),
            prep_seconds: Some(99_999),
            modifier_group_ids: Some(vec![Uuid::nil(), Uuid::nil()]),
            ..Default::default()
        };
        let err = item(Uuid::nil(), None, &input).expect_err("must fail");
        assert_eq!(fields(err), ["name", "price_cents", "prep_seconds", "modifier_group_ids[1]"]);
    }

    #[test]
    fn group_min_may_not_exceed_max() {
        let input = ModifierGroupInput { name: Some("Size".into()), min: Some(2), max: Some(1), position: None };
        assert_eq!(fields(modifier_group(Uuid::nil(), None, &input).expect_err("must fail")), ["min"]);
        let input = ModifierGroupInput { name: Some("Size".into()), min: None, max: Some(0), position: None };
        assert_eq!(fields(modifier_group(Uuid::nil(), None, &input).expect_err("must fail")), ["max"]);
    }

    #[test]
    fn option_needs_group_and_bounded_delta() {
        let input = OptionInput { name: Some("Oat".into()), price_delta_cents: Some(1_000_000), ..Default::default() };
        assert_eq!(
            fields(option(Uuid::nil(), None, &input).expect_err("must fail")),
            ["group_id", "price_delta_cents"]
        );
    }
}
