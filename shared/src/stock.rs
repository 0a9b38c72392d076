//! Stock: how many of each counted item and option an order takes, and whether the shop
//! has them. Counting is optional per item and option (`None`: not counted, never runs out).

use crate::placing::PricedLine;
use std::collections::BTreeMap;
use uuid::Uuid;

/// What a stock count is kept for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StockKind {
    Item,
    Option,
}

impl StockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StockKind::Item => "item",
            StockKind::Option => "option",
        }
    }

    pub fn parse(s: &str) -> Option<StockKind> {
        match s {
            "item" => Some(StockKind::Item),
            "option" => Some(StockKind::Option),
            _ => None,
        }
    }
}

/// How many units of each item and option the lines take: an item by its quantity, an
/// option once per unit of the line it is on.
pub fn demand(lines: &[PricedLine]) -> BTreeMap<(StockKind, Uuid), u32> {
    let mut wanted = BTreeMap::new();
    for line in lines {
        let q = line.quantity.get();
        *wanted.entry((StockKind::Item, line.item_id)).or_insert(0) += q;
        for option in &line.options {
            *wanted.entry((StockKind::Option, option.option_id)).or_insert(0) += q;
        }
    }
    wanted
}

/// What a sale takes of one counted target: `(kind, id, taken, left before)`.
pub type Take = (StockKind, Uuid, u32, u32);

/// For a sale that already happened (made offline): takes what is counted, up to what is
/// left, and names what it could not take. Returns `(kind, id, taken, left before)` per
/// counted target, and the shortfalls.
pub fn take_what_is_left(
    wanted: &BTreeMap<(StockKind, Uuid), u32>,
    left: &BTreeMap<(StockKind, Uuid), u32>,
) -> (Vec<Take>, Vec<Shortfall>) {
    let mut takes = Vec::new();
    let mut short = Vec::new();
    for (key, have) in left {
        let Some(want) = wanted.get(key) else { continue };
        let taken = (*want).min(*have);
        if taken > 0 {
            takes.push((key.0, key.1, taken, *have));
        }
        if want > have {
            short.push(Shortfall { kind: key.0, id: key.1, wanted: *want, left: *have });
        }
    }
    (takes, short)
}

/// A shortfall: what, how many wanted, how many left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shortfall {
    pub kind: StockKind,
    pub id: Uuid,
    pub wanted: u32,
    pub left: u32,
}

/// Checks `wanted` against the counts in `left` (absent: not counted). Never goes below zero.
pub fn shortfalls(
    wanted: &BTreeMap<(StockKind, Uuid), u32>,
    left: &BTreeMap<(StockKind, Uuid), u32>,
) -> Vec<Shortfall> {
    wanted
        .iter()
        .filter_map(|(&(kind, id), &want)| {
            let have = *left.get(&(kind, id))?;
            (want > have).then_some(Shortfall { kind, id, wanted: want, left: have })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::Quantity;
    use crate::money::Money;
    use crate::placing::ChosenOption;
    use proptest::prelude::*;

    fn line(item: u128, quantity: i64, options: &[u128]) -> PricedLine {
        PricedLine {
            item_id: Uuid::from_u128(item),
            name: "x".into(),
            quantity: Quantity::parse(quantity).expect("quantity"),
            unit_price: Money::ZERO,
            options: options
                .iter()
                .map(|o| ChosenOption {
                    option_id: Uuid::from_u128(*o),
                    group_name: "g".into(),
                    name: "o".into(),
                    price_delta: Money::ZERO,
                })
                .collect(),
            note: None,
            line_total: Money::ZERO,
        }
    }

    #[test]
    fn two_lattes_with_oat_and_one_with_oat_take_three_oat_milks() {
        let wanted = demand(&[line(1, 2, &[9]), line(1, 1, &[9]), line(2, 1, &[])]);
        assert_eq!(wanted[&(StockKind::Item, Uuid::from_u128(1))], 3);
        assert_eq!(wanted[&(StockKind::Option, Uuid::from_u128(9))], 3);
        assert_eq!(wanted[&(StockKind::Item, Uuid::from_u128(2))], 1);
    }

    #[test]
    fn only_counted_things_can_run_short() {
        let wanted = demand(&[line(1, 3, &[9])]);
        let left = BTreeMap::from([((StockKind::Option, Uuid::from_u128(9)), 2)]);
        assert_eq!(
            shortfalls(&wanted, &left),
            vec![Shortfall { kind: StockKind::Option, id: Uuid::from_u128(9), wanted: 3, left: 2 }]
        );
        assert!(shortfalls(&wanted, &BTreeMap::new()).is_empty());
    }

    proptest! {
        #[test]
        fn accepting_never_drives_a_count_below_zero(want in 1u32..50, have in 0u32..50) {
            let key = (StockKind::Item, Uuid::from_u128(1));
            let wanted = BTreeMap::from([(key, want)]);
            let left = BTreeMap::from([(key, have)]);
            let short = shortfalls(&wanted, &left);
            prop_assert_eq!(short.is_empty(), want <= have);
        }
    }

    #[test]
    fn an_offline_sale_takes_what_is_left_and_names_the_rest() {
        let croissant = (StockKind::Item, Uuid::from_u128(1));
        let oat = (StockKind::Option, Uuid::from_u128(2));
        let wanted = BTreeMap::from([(croissant, 3), (oat, 1)]);
        let left = BTreeMap::from([(croissant, 2), (oat, 5)]);
        let (takes, short) = take_what_is_left(&wanted, &left);
        assert_eq!(takes, [(croissant.0, croissant.1, 2, 2), (oat.0, oat.1, 1, 5)]);
        assert_eq!(short, [Shortfall { kind: croissant.0, id: croissant.1, wanted: 3, left: 2 }]);
    }
}
