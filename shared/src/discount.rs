//! Discounts at the till: on one line or on the whole order, a percentage or an amount, for
//! one of the reasons the shop's managers keep (staff, loyalty, comp, promo).
//!
//! Each reason says which roles may apply it alone and how much of what it applies to it may
//! take off ([`DiscountReason::limit_bps`]); anything beyond that, or by another role, needs a
//! manager's approval (their PIN on the spot). Managers approve their own.
//!
//! Line discounts come off their line; the order's discount then comes off what is left, so
//! together they never exceed the subtotal and the total is never negative. Tax is computed
//! once on what remains ([`crate::tax`]'s one rule), then the tip is added ([`crate::tip`]).
//! A percentage rounds half up, like everything else.

use crate::api::{DiscountReasonDto, DiscountRequest};
use crate::money::Money;
use crate::staff::Role;
use crate::tip::percent_of;
use crate::validation::ValidationErrors;
use uuid::Uuid;

/// The most a discount can be: all of what it applies to.
pub const MAX_DISCOUNT_BPS: u32 = 10_000;
/// Longest name of a discount reason.
pub const MAX_REASON_NAME_CHARS: usize = 40;

/// A reason for a discount, as managers keep it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscountReason {
    pub id: Uuid,
    pub name: String,
    /// Roles that may apply it alone (within the limit).
    pub roles: Vec<Role>,
    /// The most it takes off alone, in basis points of what it applies to.
    pub limit_bps: u32,
    pub active: bool,
}

impl From<&DiscountReasonDto> for DiscountReason {
    fn from(dto: &DiscountReasonDto) -> Self {
        DiscountReason {
            id: dto.id,
            name: dto.name.clone(),
            roles: dto.roles.clone(),
            limit_bps: dto.limit_bps,
            active: dto.active,
        }
    }
}

impl DiscountReason {
    /// Whether `role` needs a manager to approve taking `amount` off `base` for this reason.
    pub fn needs_approval(&self, role: Option<Role>, amount: Money, base: Money) -> bool {
        if role == Some(Role::Manager) {
            return false;
        }
        let allowed = role.is_some_and(|r| self.roles.contains(&r));
        // The limit as an amount rounds like the discount does (half up): a percentage at the
        // limit is within it even when its amount rounds up by half a cent.
        let beyond = amount > percent_of(base, self.limit_bps);
        !allowed || beyond
    }
}

/// A checked name for a reason: 1 to [`MAX_REASON_NAME_CHARS`] characters, trimmed.
pub fn reason_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_REASON_NAME_CHARS || name.chars().any(char::is_control) {
        Err(format!("must be 1 to {MAX_REASON_NAME_CHARS} characters"))
    } else {
        Ok(name.to_string())
    }
}

/// A limit in basis points: 0 to [`MAX_DISCOUNT_BPS`].
pub fn limit(bps: u32) -> Result<u32, String> {
    if bps <= MAX_DISCOUNT_BPS {
        Ok(bps)
    } else {
        Err(format!("must be 0 to {MAX_DISCOUNT_BPS} basis points (0% to 100%)"))
    }
}

/// A discount worked out against an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedDiscount {
    pub reason_id: Uuid,
    pub reason: String,
    /// The line's index; `None`: the whole order.
    pub line: Option<usize>,
    pub percent_bps: Option<u32>,
    pub amount: Money,
    /// Beyond what the applying role may give alone.
    pub needs_approval: bool,
}

/// What the discounts are checked against: the shop's reasons and who applies them.
#[derive(Clone, Copy, Debug)]
pub struct Discounting<'a> {
    pub reasons: &'a [DiscountReason],
    pub role: Option<Role>,
}

impl Discounting<'_> {
    /// No reasons known: any discount is refused.
    pub const NONE: Discounting<'static> = Discounting { reasons: &[], role: None };
}

/// Works out `requests` on lines totalling `line_totals`; errors go under `discounts[i].…`.
/// At most one discount per line and one on the whole order.
pub fn apply(
    errors: &mut ValidationErrors,
    requests: &[DiscountRequest],
    line_totals: &[Money],
    discounting: Discounting<'_>,
) -> Vec<AppliedDiscount> {
    let mut line_taken = vec![false; line_totals.len()];
    let mut order_taken = false;
    let mut applied: Vec<AppliedDiscount> = Vec::new();
    let mut whole_order = None;
    for (i, request) in requests.iter().enumerate() {
        let path = format!("discounts[{i}]");
        let Some(reason) = discounting.reasons.iter().find(|r| r.id == request.reason_id && r.active) else {
            errors.push(format!("{path}.reason_id"), "no such discount reason (or it is no longer offered)");
            continue;
        };
        let Some(kind) = kind(errors, &path, request) else { continue };
        let base = match request.line {
            Some(line) if line >= line_totals.len() => {
                errors.push(format!("{path}.line"), format!("there is no line {line}"));
                continue;
            }
            Some(line) if line_taken[line] => {
                errors.push(format!("{path}.line"), format!("line {line} already has a discount"));
                continue;
            }
            Some(line) => {
                line_taken[line] = true;
                line_totals[line]
            }
            None if order_taken => {
                errors.push(format!("{path}.line"), "the order already has a discount");
                continue;
            }
            None => {
                order_taken = true;
                Money::ZERO // worked out below, from what the line discounts leave
            }
        };
        let discount = AppliedDiscount {
            reason_id: reason.id,
            reason: reason.name.clone(),
            line: request.line,
            percent_bps: None,
            amount: Money::ZERO,
            needs_approval: false,
        };
        if request.line.is_none() {
            whole_order = Some((path, reason, kind, discount));
            continue;
        }
        if let Some(d) = work_out(errors, &path, reason, kind, base, discounting.role, discount) {
            applied.push(d);
        }
    }
    if let Some((path, reason, kind, discount)) = whole_order {
        let subtotal: Money = line_totals.iter().copied().sum();
        let base = subtotal - applied.iter().map(|d| d.amount).sum::<Money>();
        if let Some(d) = work_out(errors, &path, reason, kind, base, discounting.role, discount) {
            applied.push(d);
        }
    }
    applied
}

/// A percentage or an amount, as asked.
#[derive(Clone, Copy)]
enum Kind {
    Percent(u32),
    Amount(Money),
}

fn kind(errors: &mut ValidationErrors, path: &str, request: &DiscountRequest) -> Option<Kind> {
    match (request.percent_bps, request.amount_cents) {
        (Some(bps), None) if (1..=MAX_DISCOUNT_BPS).contains(&bps) => Some(Kind::Percent(bps)),
        (Some(_), None) => {
            errors.push(format!("{path}.percent_bps"), format!("must be 1 to {MAX_DISCOUNT_BPS} basis points"));
            None
        }
        (None, Some(cents)) if cents > 0 => Some(Kind::Amount(Money::from_minor(cents))),
        (None, Some(_)) => {
            errors.push(format!("{path}.amount_cents"), "must be more than 0");
            None
        }
        (Some(_), Some(_)) => {
            errors.push(format!("{path}.amount_cents"), "give a percentage or an amount, not both");
            None
        }
        (None, None) => {
            errors.push(format!("{path}.percent_bps"), "give a percentage (percent_bps) or an amount (amount_cents)");
            None
        }
    }
}

fn work_out(
    errors: &mut ValidationErrors,
    path: &str,
    reason: &DiscountReason,
    kind: Kind,
    base: Money,
    role: Option<Role>,
    discount: AppliedDiscount,
) -> Option<AppliedDiscount> {
    let (percent_bps, amount) = match kind {
        Kind::Percent(bps) => (Some(bps), percent_of(base, bps).min(base)),
        Kind::Amount(amount) if amount <= base => (None, amount),
        Kind::Amount(_) => {
            errors.push(format!("{path}.amount_cents"), format!("must be at most {base}, what it applies to"));
            return None;
        }
    };
    let needs_approval = reason.needs_approval(role, amount, base);
    Some(AppliedDiscount { percent_bps, amount, needs_approval, ..discount })
}

#[cfg(test)]
mod tests;
