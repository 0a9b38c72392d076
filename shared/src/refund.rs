//! Refunding by line: what giving back some of an order's lines comes to.
//!
//! A line's share is its total less its own discount; the lines' shares are taken as a part of
//! what the order came to before its tip (discounts on the order and tax spread in proportion),
//! rounded half up. All of an order's lines come to exactly what it cost before the tip; a
//! tip is given back only as an amount.

use crate::api::OrderDto;
use crate::money::Money;
use crate::validation::ValidationErrors;
use std::collections::HashSet;
use uuid::Uuid;

/// What refunding `line_ids` of `order` gives back; errors go under `line_ids[i]`.
pub fn for_lines(errors: &mut ValidationErrors, order: &OrderDto, line_ids: &[Uuid]) -> Option<Money> {
    let before = errors.errors().len();
    let mut seen = HashSet::new();
    let lines: Vec<_> = order.lines.iter().filter(|l| l.status != crate::status::LineStatus::Voided).collect();
    for (i, id) in line_ids.iter().enumerate() {
        if !lines.iter().any(|l| l.id == *id) {
            errors.push(format!("line_ids[{i}]"), "no such line on this order (or it was voided)");
        } else if !seen.insert(*id) {
            errors.push(format!("line_ids[{i}]"), "is listed twice");
        }
    }
    if errors.errors().len() > before {
        return None;
    }
    let net = |id: Uuid, total: i64| -> i64 {
        let off: i64 = order.discounts.iter().filter(|d| d.line_id == Some(id)).map(|d| d.amount_cents).sum();
        (total - off).max(0)
    };
    let all: i64 = lines.iter().map(|l| net(l.id, l.line_total_cents)).sum();
    let chosen: i64 = lines.iter().filter(|l| seen.contains(&l.id)).map(|l| net(l.id, l.line_total_cents)).sum();
    let before_tip = (order.total_cents - order.tip_cents).max(0);
    if all == 0 || chosen == 0 {
        errors.push("line_ids", "those lines cost nothing: there is nothing to give back");
        return None;
    }
    let n = i128::from(before_tip) * i128::from(chosen);
    let d = i128::from(all);
    Some(Money::from_minor(i64::try_from((2 * n + d) / (2 * d)).unwrap_or(i64::MAX)))
}

#[cfg(test)]
mod tests;
