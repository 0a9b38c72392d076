//! Split tenders: one order paid at once by several tenders — cash and a card, two cards, or
//! split evenly by N — each paying its part of the order, each with its own tip.
//!
//! The parts add up to exactly what the order comes to before tips; change comes only from
//! cash (a card is charged its part and its tip, never more); a card in a split is taken on
//! the shop's card terminal (its approval code), since a gateway authorizes whole orders.

use crate::api::PaymentRequest;
use crate::money::Money;
use crate::placing::{parse_tender, TenderRequest};
use crate::status::PaymentMethod;
use crate::validation::ValidationErrors;

/// Most tenders one order may be split into.
pub const MAX_SPLIT_PARTS: usize = 10;

/// One tender of a split, checked against its part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidPart {
    pub method: PaymentMethod,
    /// Its part of the order, before its tip.
    pub amount: Money,
    pub tip: Money,
    /// Cash handed over; a card: its part and tip.
    pub tendered: Money,
    /// Cash only.
    pub change: Money,
    /// A card: the terminal's approval code.
    pub approval_code: Option<String>,
}

impl PaidPart {
    /// What this tender took: its part and its tip.
    pub fn collected(&self) -> Money {
        self.amount + self.tip
    }
}

/// `total` in `parts` parts as even as cents allow, the first ones a cent more.
pub fn split_evenly(total: Money, parts: u32) -> Vec<Money> {
    let parts = i64::from(parts.max(1));
    let total = total.minor().max(0);
    let (each, extra) = (total / parts, total % parts);
    (0..parts).map(|i| Money::from_minor(each + i64::from(i < extra))).collect()
}

/// Checks the tenders of a split of an order that comes to `due` before tips; errors go
/// under `split[i].<field>` (and `split` for the whole).
pub fn parts(errors: &mut ValidationErrors, requests: &[PaymentRequest], due: Money) -> Option<Vec<PaidPart>> {
    if !(2..=MAX_SPLIT_PARTS).contains(&requests.len()) {
        errors.push("split", format!("a split has 2 to {MAX_SPLIT_PARTS} tenders"));
        return None;
    }
    let before = errors.errors().len();
    let mut paid = Vec::with_capacity(requests.len());
    for (i, request) in requests.iter().enumerate() {
        let path = format!("split[{i}]");
        let amount = match request.amount_cents {
            Some(cents) if cents > 0 && cents <= due.minor() => Money::from_minor(cents),
            Some(_) => {
                errors.push(format!("{path}.amount_cents"), format!("must be more than 0 and at most {due}"));
                continue;
            }
            None => {
                errors.push(format!("{path}.amount_cents"), "is required: this tender's part of the order");
                continue;
            }
        };
        if request.part_cents.is_some() {
            errors.push(format!("{path}.part_cents"), "is only for paying part of an order already placed");
        }
        let tip = crate::tip::tip(errors, &path, request, amount);
        match parse_tender(errors, &path, request) {
            Some(TenderRequest::Cash { tendered }) if tendered >= amount + tip => paid.push(PaidPart {
                method: PaymentMethod::Cash,
                amount,
                tip,
                tendered,
                change: tendered - amount - tip,
                approval_code: None,
            }),
            Some(TenderRequest::Cash { .. }) => {
                errors.push(format!("{path}.tendered_cents"), format!("must be at least this part {}", amount + tip));
            }
            Some(TenderRequest::CardTerminal { approval_code }) => paid.push(PaidPart {
                method: PaymentMethod::Card,
                amount,
                tip,
                tendered: amount + tip,
                change: Money::ZERO,
                approval_code: Some(approval_code),
            }),
            Some(TenderRequest::CardGateway) => {
                let message = "a card in a split is taken on the card terminal: enter its approval code";
                errors.push(format!("{path}.approval_code"), message);
            }
            None => {}
        }
    }
    if errors.errors().len() > before {
        return None;
    }
    let sum: Money = paid.iter().map(|p| p.amount).sum();
    if sum != due {
        errors.push("split", format!("the tenders' parts add up to {sum}; the order comes to {due}"));
        return None;
    }
    Some(paid)
}

#[cfg(test)]
mod tests;
