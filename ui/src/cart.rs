//! The till's cart and the customisation sheet's rules, as pure functions so they are
//! tested without a browser.
//!
//! The server prices every order itself; the cart shows the same figures because it uses
//! the same menu prices and the same tax rule ([`crema_shared::totals::compute_totals`]).

use crema_shared::api::{LineRequest, MenuItemView, ModifierGroupView};
use crema_shared::tax::TaxPolicy;
use crema_shared::totals::{compute_totals, Totals};
use crema_shared::Money;
use uuid::Uuid;

/// One line of the cart: an item with its chosen options.
#[derive(Clone, Debug, PartialEq)]
pub struct CartLine {
    /// Local id, to edit or remove this line.
    pub key: u32,
    pub item: MenuItemView,
    pub option_ids: Vec<Uuid>,
    pub quantity: u32,
    pub note: String,
}

impl CartLine {
    /// Base price plus the chosen options' deltas, for one unit.
    pub fn unit_price(&self) -> Money {
        unit_price(&self.item, &self.option_ids)
    }

    pub fn total(&self) -> Money {
        self.unit_price().times(self.quantity)
    }

    /// `Large, Oat milk, Extra shot`: the chosen options in menu order.
    pub fn options_label(&self) -> String {
        chosen_names(&self.item, &self.option_ids).join(", ")
    }

    pub fn request(&self) -> LineRequest {
        let note = self.note.trim();
        LineRequest {
            item_id: self.item.id,
            quantity: i64::from(self.quantity),
            option_ids: self.option_ids.clone(),
            note: (!note.is_empty()).then(|| note.to_string()),
        }
    }
}

pub fn unit_price(item: &MenuItemView, option_ids: &[Uuid]) -> Money {
    let deltas: Money = item
        .modifier_groups
        .iter()
        .flat_map(|g| &g.options)
        .filter(|o| option_ids.contains(&o.id))
        .map(|o| Money::from_minor(o.price_delta_cents))
        .sum();
    (Money::from_minor(item.price_cents) + deltas).max(Money::ZERO)
}

pub fn chosen_names(item: &MenuItemView, option_ids: &[Uuid]) -> Vec<String> {
    item.modifier_groups
        .iter()
        .flat_map(|g| &g.options)
        .filter(|o| option_ids.contains(&o.id))
        .map(|o| o.name.clone())
        .collect()
}

/// Whether tapping the item adds it at once (no group needs a choice).
pub fn adds_at_once(item: &MenuItemView) -> bool {
    item.modifier_groups.iter().all(|g| g.min == 0)
}

/// The selection after tapping `option` in `group`: a single-choice group swaps its choice;
/// a multi-choice group toggles, and refuses a choice beyond its maximum.
pub fn toggle(group: &ModifierGroupView, selected: &[Uuid], option: Uuid) -> Vec<Uuid> {
    let in_group: Vec<Uuid> = group.options.iter().map(|o| o.id).filter(|id| selected.contains(id)).collect();
    let mut next: Vec<Uuid> = selected.to_vec();
    if in_group.contains(&option) {
        next.retain(|id| *id != option);
    } else if group.max == 1 {
        next.retain(|id| !in_group.contains(id));
        next.push(option);
    } else if (in_group.len() as u32) < group.max {
        next.push(option);
    }
    next
}

/// What is still wrong with a selection, per group (`Size: choose 1`), empty when it may be added.
pub fn problems(item: &MenuItemView, selected: &[Uuid]) -> Vec<String> {
    item.modifier_groups
        .iter()
        .filter_map(|g| {
            let chosen = g.options.iter().filter(|o| selected.contains(&o.id)).count() as u32;
            if chosen < g.min {
                Some(if g.min == g.max {
                    format!("{}: choose {}", g.name, g.min)
                } else {
                    format!("{}: choose at least {}", g.name, g.min)
                })
            } else if chosen > g.max {
                Some(format!("{}: at most {}", g.name, g.max))
            } else {
                None
            }
        })
        .collect()
}

/// The order's figures as the server will compute them.
pub fn totals(lines: &[CartLine], discount: Money, tax: TaxPolicy) -> Totals {
    let line_totals: Vec<Money> = lines.iter().map(CartLine::total).collect();
    compute_totals(&line_totals, discount, Money::ZERO, tax)
}

/// Change for cash handed over, or `None` when it is not enough.
pub fn change_due(total: Money, tendered: Money) -> Option<Money> {
    (tendered >= total).then(|| tendered - total)
}

/// Quick cash buttons: the exact amount, then the next round notes above it.
pub fn cash_suggestions(total: Money) -> Vec<Money> {
    let cents = total.minor();
    let mut out = vec![total];
    for note in [500, 1000, 2000, 5000] {
        let rounded = ((cents + note - 1) / note) * note;
        let candidate = Money::from_minor(rounded.max(note));
        if candidate > total && !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out.truncate(4);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crema_shared::api::MenuOptionView;
    use crema_shared::tax::{TaxMode, TaxRate};

    fn option(name: &str, delta: i64) -> MenuOptionView {
        MenuOptionView { id: Uuid::now_v7(), name: name.into(), price_delta_cents: delta, available: true }
    }

    fn group(name: &str, min: u32, max: u32, options: Vec<MenuOptionView>) -> ModifierGroupView {
        ModifierGroupView { id: Uuid::now_v7(), name: name.into(), min, max, required: min > 0, options }
    }

    fn latte() -> MenuItemView {
        MenuItemView {
            id: Uuid::now_v7(),
            name: "Latte".into(),
            price_cents: 475,
            available: true,
            prep_seconds: 150,
            modifier_groups: vec![
                group("Size", 1, 1, vec![option("Small", 0), option("Large", 100)]),
                group("Extras", 0, 2, vec![option("Extra shot", 80), option("Decaf", 0), option("Sprinkles", 20)]),
            ],
        }
    }

    #[test]
    fn a_single_choice_group_swaps_and_a_multi_choice_group_stops_at_its_maximum() {
        let item = latte();
        let (size, extras) = (&item.modifier_groups[0], &item.modifier_groups[1]);
        let small = toggle(size, &[], size.options[0].id);
        let large = toggle(size, &small, size.options[1].id);
        assert_eq!(large, [size.options[1].id]);
        let two = toggle(extras, &toggle(extras, &large, extras.options[0].id), extras.options[1].id);
        assert_eq!(two.len(), 3);
        assert_eq!(toggle(extras, &two, extras.options[2].id), two, "a third extra is refused");
        assert_eq!(toggle(extras, &two, extras.options[0].id).len(), 2, "tapping again removes");
    }

    #[test]
    fn a_required_choice_must_be_made_before_adding() {
        let item = latte();
        assert!(!adds_at_once(&item));
        assert_eq!(problems(&item, &[]), ["Size: choose 1"]);
        let large = item.modifier_groups[0].options[1].id;
        let shot = item.modifier_groups[1].options[0].id;
        assert!(problems(&item, &[large, shot]).is_empty());
        assert_eq!(unit_price(&item, &[large, shot]), Money::from_minor(655));
    }

    #[test]
    fn the_cart_adds_up_like_the_server() {
        let item = latte();
        let large = item.modifier_groups[0].options[1].id;
        let line = CartLine { key: 1, item, option_ids: vec![large], quantity: 2, note: " hot ".into() };
        assert_eq!(line.total(), Money::from_minor(1150));
        assert_eq!(line.options_label(), "Large");
        assert_eq!(line.request().note.as_deref(), Some("hot"));
        let tax = TaxPolicy { rate: TaxRate::try_from(1000).expect("rate"), mode: TaxMode::Exclusive };
        let t = totals(&[line], Money::ZERO, tax);
        assert_eq!((t.subtotal.minor(), t.tax.minor(), t.total.minor()), (1150, 115, 1265));
    }

    #[test]
    fn cash_buttons_offer_exact_and_round_notes() {
        let s = cash_suggestions(Money::from_minor(1265));
        assert_eq!(s.iter().map(|m| m.minor()).collect::<Vec<_>>(), [1265, 1500, 2000, 5000]);
        assert_eq!(change_due(Money::from_minor(1265), Money::from_minor(2000)), Some(Money::from_minor(735)));
        assert_eq!(change_due(Money::from_minor(1265), Money::from_minor(1000)), None);
    }
}
