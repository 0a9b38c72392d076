//! Checking a new order against the menu and pricing it.
//!
//! The client's prices are never trusted: each line is priced from the menu version in
//! force (`unit = item price + Σ option deltas`, never below zero; `line = unit × quantity`),
//! and names and prices are snapshotted so later menu edits don't rewrite history. Discounts
//! come off next ([`crate::discount`]), then tax, then the tip. Every problem is reported at
//! once, each under its field path.

use crate::api::{LineRequest, PaymentRequest, PlaceOrderRequest};
use crate::customer::{CustomerName, Email, Note, Quantity};
use crate::discount::{AppliedDiscount, Discounting};
use crate::menu::Catalog;
use crate::money::Money;
use crate::status::PaymentMethod;
use crate::tax::TaxPolicy;
use crate::totals::{compute_totals, Totals};
use crate::validation::ValidationErrors;
use std::collections::HashMap;
use uuid::Uuid;

/// Most lines one order may have.
pub const MAX_LINES: usize = 50;
/// Most cash one tender may be (guards against a typo of extra zeros): 10 000.00.
pub const MAX_TENDER_CENTS: i64 = 1_000_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChosenOption {
    pub option_id: Uuid,
    pub group_name: String,
    pub name: String,
    pub price_delta: Money,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedLine {
    pub item_id: Uuid,
    pub name: String,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub options: Vec<ChosenOption>,
    pub note: Option<Note>,
    pub line_total: Money,
}

/// How an order is paid at placement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tender {
    Cash(CashTender),
    /// Charged on the shop's own card terminal; the approval code is kept.
    CardTerminal {
        approval_code: String,
    },
    /// Authorized through the payment gateway after placement, captured on completion.
    CardGateway,
    /// Several tenders at once, each paying its part (see [`crate::split`]).
    Split(Vec<crate::split::PaidPart>),
}

impl Tender {
    pub fn cash(&self) -> Option<CashTender> {
        match self {
            Tender::Cash(cash) => Some(*cash),
            _ => None,
        }
    }
}

/// Cash handed over at the till, checked against the total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CashTender {
    pub tendered: Money,
    pub change: Money,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedOrder {
    pub customer_name: CustomerName,
    pub customer_email: Option<Email>,
    pub lines: Vec<PricedLine>,
    pub discounts: Vec<AppliedDiscount>,
    pub totals: Totals,
    pub payment: Option<Tender>,
}

impl PricedOrder {
    /// Whether a discount is beyond what the one ringing it up may give alone.
    pub fn needs_approval(&self) -> bool {
        self.discounts.iter().any(|d| d.needs_approval)
    }
}

/// Validates `request` against `catalog` and prices it under `tax`; any discount is refused
/// (no reasons are known here: see [`price_order_with`]).
pub fn price_order(
    catalog: &Catalog,
    tax: TaxPolicy,
    request: &PlaceOrderRequest,
) -> Result<PricedOrder, ValidationErrors> {
    price_order_with(catalog, tax, request, Discounting::NONE)
}

/// Validates `request` against `catalog` and prices it under `tax`, its discounts against
/// `discounting`'s reasons.
pub fn price_order_with(
    catalog: &Catalog,
    tax: TaxPolicy,
    request: &PlaceOrderRequest,
    discounting: Discounting<'_>,
) -> Result<PricedOrder, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let customer_name = errors.check("customer_name", CustomerName::parse(&request.customer_name));
    let customer_email = match request.customer_email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => errors.check("customer_email", Email::parse(raw)),
    };
    if request.lines.is_empty() {
        errors.push("lines", "an order needs at least one line");
    } else if request.lines.len() > MAX_LINES {
        errors.push("lines", format!("an order has at most {MAX_LINES} lines"));
    }
    let lines: Vec<Option<PricedLine>> = request
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| price_line(catalog, &mut errors, &format!("lines[{i}]"), line))
        .collect();
    let all_priced = lines.iter().all(Option::is_some);
    let lines: Vec<PricedLine> = lines.into_iter().flatten().collect();
    let line_totals: Vec<Money> = lines.iter().map(|l| l.line_total).collect();
    if request.discounts.len() > MAX_LINES + 1 {
        errors.push("discounts", "at most one discount per line and one on the order");
    }
    // Discounts name lines by index: worked out only when every line could be priced.
    let discounts = if all_priced && request.discounts.len() <= MAX_LINES + 1 {
        crate::discount::apply(&mut errors, &request.discounts, &line_totals, discounting)
    } else {
        Vec::new()
    };
    let discount: Money = discounts.iter().map(|d| d.amount).sum();
    let before_tip = compute_totals(&line_totals, discount, Money::ZERO, tax).total;
    let (tip, payment) = match (&request.payment, request.split.is_empty()) {
        (Some(_), false) => {
            errors.push("split", "pay with `payment` or with `split`, not both");
            (Money::ZERO, None)
        }
        (None, false) => match crate::split::parts(&mut errors, &request.split, before_tip) {
            Some(parts) => (parts.iter().map(|p| p.tip).sum(), Some(Tender::Split(parts))),
            None => (Money::ZERO, None),
        },
        (Some(p), true) => {
            if p.amount_cents.is_some() {
                errors.push("payment.amount_cents", "is only for the tenders of a `split`");
            }
            if p.part_cents.is_some() {
                errors.push("payment.part_cents", "is only for paying part of an order already placed");
            }
            let tip = crate::tip::tip(&mut errors, "payment", p, before_tip);
            let total = compute_totals(&line_totals, discount, tip, tax).total;
            (tip, tender(&mut errors, "payment", p, total))
        }
        (None, true) => (Money::ZERO, None),
    };
    let totals = compute_totals(&line_totals, discount, tip, tax);
    match (errors.is_empty(), customer_name) {
        (true, Some(customer_name)) => {
            Ok(PricedOrder { customer_name, customer_email, lines, discounts, totals, payment })
        }
        _ => Err(errors),
    }
}

/// A payment request with its shape checked, not yet against an order's total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TenderRequest {
    Cash { tendered: Money },
    CardTerminal { approval_code: String },
    CardGateway,
}

/// Checks the shape of a payment request; errors go under `path.<field>` (or `<field>` when
/// `path` is empty). The one place the rules for tenders and approval codes live.
pub fn parse_tender(errors: &mut ValidationErrors, path: &str, payment: &PaymentRequest) -> Option<TenderRequest> {
    let field = |name: &str| if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
    match (payment.method, payment.tendered_cents, payment.approval_code.as_deref()) {
        (PaymentMethod::Cash, Some(tendered), None) if (0..=MAX_TENDER_CENTS).contains(&tendered) => {
            Some(TenderRequest::Cash { tendered: Money::from_minor(tendered) })
        }
        (PaymentMethod::Cash, Some(_), None) => {
            errors.push(
                field("tendered_cents"),
                format!("must be between 0 and {}", Money::from_minor(MAX_TENDER_CENTS)),
            );
            None
        }
        (PaymentMethod::Cash, None, _) => {
            errors.push(field("tendered_cents"), "is required for cash");
            None
        }
        (PaymentMethod::Cash, Some(_), Some(_)) => {
            errors.push(field("approval_code"), "is only for card payments");
            None
        }
        (PaymentMethod::Card, Some(_), _) => {
            errors.push(field("tendered_cents"), "is only for cash");
            None
        }
        (PaymentMethod::Card, None, Some(code)) => {
            let code = code.trim();
            let ok =
                !code.is_empty() && code.len() <= 40 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if ok {
                Some(TenderRequest::CardTerminal { approval_code: code.to_string() })
            } else {
                errors.push(field("approval_code"), "must be 1 to 40 letters, digits or dashes");
                None
            }
        }
        (PaymentMethod::Card, None, None) => Some(TenderRequest::CardGateway),
    }
}

/// Checks a payment request at placement, cash against the order's total.
pub fn tender(errors: &mut ValidationErrors, path: &str, payment: &PaymentRequest, total: Money) -> Option<Tender> {
    match parse_tender(errors, path, payment)? {
        TenderRequest::Cash { tendered } => {
            errors.check(&format!("{path}.tendered_cents"), cash_tender(tendered.minor(), total)).map(Tender::Cash)
        }
        TenderRequest::CardTerminal { approval_code } => Some(Tender::CardTerminal { approval_code }),
        TenderRequest::CardGateway => Some(Tender::CardGateway),
    }
}

/// Checks cash against a total: at least the total.
pub fn cash_tender(tendered_cents: i64, total: Money) -> Result<CashTender, String> {
    let tendered = Money::from_minor(tendered_cents);
    if tendered < total {
        Err(format!("must be at least the total {total}"))
    } else {
        Ok(CashTender { tendered, change: tendered - total })
    }
}

fn price_line(catalog: &Catalog, errors: &mut ValidationErrors, path: &str, line: &LineRequest) -> Option<PricedLine> {
    let before = errors.errors().len();
    let quantity = errors.check(&format!("{path}.quantity"), Quantity::parse(line.quantity));
    let note = errors.check(&format!("{path}.note"), Note::parse(line.note.as_deref().unwrap_or(""))).flatten();
    let Some(item) = catalog.item(line.item_id) else {
        errors.push(format!("{path}.item_id"), "no such item on the menu");
        return None;
    };
    // Running out of a counted item is the stock check's to refuse (a 409 naming it).
    if !item.available {
        errors.push(format!("{path}.item_id"), format!("\"{}\" is sold out", item.name));
    }
    // Chosen options, grouped by the item's groups.
    let mut chosen: HashMap<Uuid, Vec<ChosenOption>> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for (j, option_id) in line.option_ids.iter().enumerate() {
        let field = format!("{path}.option_ids[{j}]");
        if !seen.insert(*option_id) {
            errors.push(field, "is chosen twice");
            continue;
        }
        let Some(option) = catalog.option(*option_id) else {
            errors.push(field, "no such option on the menu");
            continue;
        };
        if !item.group_ids.contains(&option.group_id) {
            errors.push(field, format!("\"{}\" is not offered for {}", option.name, item.name));
            continue;
        }
        if !option.available {
            errors.push(field, format!("\"{}\" is sold out", option.name));
            continue;
        }
        let group_name = catalog.group(option.group_id).map(|g| g.name.clone()).unwrap_or_default();
        chosen.entry(option.group_id).or_default().push(ChosenOption {
            option_id: option.id,
            group_name,
            name: option.name.clone(),
            price_delta: option.price_delta,
        });
    }
    let mut options = Vec::new();
    for group in item.group_ids.iter().filter_map(|gid| catalog.group(*gid)) {
        let picked = chosen.remove(&group.id).unwrap_or_default();
        let n = picked.len() as u32;
        if n < group.min || n > group.max {
            errors.push(
                format!("{path}.options"),
                format!("\"{}\" {} choice{}, got {n}", group.name, group.rule(), if group.max == 1 { "" } else { "s" }),
            );
        }
        options.extend(picked);
    }
    if errors.errors().len() > before {
        return None;
    }
    let quantity = quantity?;
    let unit_price = (item.price + options.iter().map(|o| o.price_delta).sum::<Money>()).max(Money::ZERO);
    Some(PricedLine {
        item_id: item.id,
        name: item.name.clone(),
        quantity,
        unit_price,
        line_total: unit_price.times(quantity.get()),
        options,
        note,
    })
}

#[cfg(test)]
mod tests;
