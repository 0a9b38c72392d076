//! Discounts at the till: one on the whole order and one on any line, each a reason from the
//! shop's list and a percentage or an amount off. The till works them out with the server's own rules
//! (`crema_shared::discount`), shows them in the totals, and — when one is beyond what the
//! signed-in cashier may give alone — asks for a manager's PIN right there.
//!
//! The request lists the order's discount first (`discounts[0]`), then the lines' in cart
//! order, so the server's field paths point at the field the till shows.

use super::till::Till;
use crate::cart::CartLine;
use crate::format::parse_amount;
use crema_shared::api::DiscountRequest;
use crema_shared::discount::{AppliedDiscount, DiscountReason, Discounting};
use crema_shared::Money;
use leptos::prelude::*;
use uuid::Uuid;

/// A discount on one cart line (by its key): the reason, and the percentage (or amount) as
/// typed.
#[derive(Clone, Debug, PartialEq)]
pub struct LineDiscount {
    pub key: u32,
    pub reason: Option<Uuid>,
    pub percent: String,
    pub by_amount: bool,
}

/// The request for a discount typed as `typed`: a percentage ("15", "12.5" → basis points) or
/// an amount off ("1.50" → minor units).
fn request(reason_id: Uuid, line: Option<usize>, typed: &str, by_amount: bool) -> DiscountRequest {
    let value = parse_amount(typed).ok();
    if by_amount {
        DiscountRequest { reason_id, line, percent_bps: None, amount_cents: value.or(Some(0)) }
    } else {
        let percent_bps = value.and_then(|b| u32::try_from(b).ok()).or(Some(0));
        DiscountRequest { reason_id, line, percent_bps, amount_cents: None }
    }
}

impl Till {
    /// The discounts asked for, as the request sends them, each with the cart line key it is
    /// on (`None`: the order).
    fn discounts_asked(&self) -> Vec<(Option<u32>, DiscountRequest)> {
        let mut out = Vec::new();
        if let Some(reason_id) = self.discount_reason.get() {
            let typed = self.discount_percent.get();
            out.push((None, request(reason_id, None, &typed, self.discount_by_amount.get())));
        }
        let keys: Vec<u32> = self.cart.with(|c| c.iter().map(|l| l.key).collect());
        for d in self.line_discounts.get() {
            let (Some(reason_id), Some(index)) = (d.reason, keys.iter().position(|k| *k == d.key)) else { continue };
            out.push((Some(d.key), request(reason_id, Some(index), &d.percent, d.by_amount)));
        }
        out
    }

    pub(super) fn discount_requests(&self) -> Vec<DiscountRequest> {
        self.discounts_asked().into_iter().map(|(_, r)| r).collect()
    }

    /// Where the server names the percentage (or amount) of the discount on `key` (`None`: the
    /// order's).
    pub(super) fn discount_field(&self, key: Option<u32>) -> String {
        let asked = self.discounts_asked();
        let index = asked.iter().position(|(k, _)| *k == key).unwrap_or(0);
        let by_amount = asked.get(index).is_some_and(|(_, r)| r.amount_cents.is_some());
        format!("discounts[{index}].{}", if by_amount { "amount_cents" } else { "percent_bps" })
    }

    /// The discounts worked out as the server will (the same rules, from `crema_shared`).
    pub(super) fn applied_discounts(&self) -> Vec<AppliedDiscount> {
        let requests = self.discount_requests();
        if requests.is_empty() {
            return Vec::new();
        }
        let reasons: Vec<DiscountReason> = self.reasons.with(|r| r.iter().map(DiscountReason::from).collect());
        let line_totals: Vec<Money> = self.cart.with(|c| c.iter().map(CartLine::total).collect());
        let mut errors = crema_shared::ValidationErrors::new();
        let discounting = Discounting { reasons: &reasons, role: self.shell.role() };
        crema_shared::discount::apply(&mut errors, &requests, &line_totals, discounting)
    }

    /// What the discounts take off.
    pub(super) fn discount(&self) -> Money {
        self.applied_discounts().iter().map(|d| d.amount).sum()
    }

    /// What the discount on cart line `key` takes off it.
    pub(super) fn line_discount(&self, key: u32) -> Money {
        let index = self.cart.with(|c| c.iter().position(|l| l.key == key));
        self.applied_discounts().iter().filter(|d| d.line.is_some() && d.line == index).map(|d| d.amount).sum()
    }

    /// Whether a discount needs a manager's PIN from this cashier.
    pub(super) fn needs_approval(&self) -> bool {
        self.applied_discounts().iter().any(|d| d.needs_approval)
    }

    /// The till's own complaints about the discounts, before sending.
    pub(super) fn check_discounts(&self, errors: &mut Vec<(String, String)>) {
        for (key, asked) in self.discounts_asked() {
            let typed = match key {
                None => self.discount_percent.get_untracked(),
                Some(key) => self
                    .line_discounts
                    .with_untracked(|d| d.iter().find(|d| d.key == key).map(|d| d.percent.clone()))
                    .unwrap_or_default(),
            };
            if let Err(message) = parse_amount(&typed) {
                let message = match asked.amount_cents {
                    Some(_) => message,
                    None => message.replace("an amount like 4.50", "a percentage like 10"),
                };
                errors.push((self.discount_field(key), message));
            }
        }
        if self.needs_approval() && self.approval_pin.get_untracked().trim().is_empty() {
            errors.push(("approval_pin".into(), "this discount needs a manager's PIN".into()));
        }
    }

    fn edit_line_discount(&self, key: u32, change: impl FnOnce(&mut LineDiscount)) {
        self.line_discounts.update(|all| {
            let at = match all.iter().position(|d| d.key == key) {
                Some(at) => at,
                None => {
                    all.push(LineDiscount { key, reason: None, percent: String::new(), by_amount: false });
                    all.len() - 1
                }
            };
            change(&mut all[at]);
            if all[at].reason.is_none() {
                all.remove(at);
            }
        });
    }
}

/// The options of a reason picker: "None", then the shop's active reasons.
fn reason_options(till: Till) -> impl IntoView {
    view! {
        <option value="">"None"</option>
        {move || till.reasons.get().into_iter().map(|r| view! {
            <option value=r.id.to_string()>{r.name.clone()}</option>
        }).collect_view()}
    }
}

/// The order's discount, and the manager's PIN when any discount needs one.
#[component]
pub(super) fn DiscountPicker(till: Till) -> impl IntoView {
    let chosen = move || till.discount_reason.get().map(|id| id.to_string()).unwrap_or_default();
    let field = move || till.discount_field(None);
    view! {
        <Show when=move || till.reasons.with(|r| !r.is_empty())>
            <div class="discount">
                <label>"Discount"
                    <select name="discount_reason" prop:value=chosen
                        on:change=move |ev| till.discount_reason.set(event_target_value(&ev).parse().ok())>
                        {reason_options(till)}
                    </select>
                </label>
                <Show when=move || till.discount_reason.with(Option::is_some)>
                    <select name="discount_kind" on:change=move |ev| till.discount_by_amount.set(event_target_value(&ev) == "amount")>
                        <option value="percent" selected=move || !till.discount_by_amount.get()>"% off"</option>
                        <option value="amount" selected=move || till.discount_by_amount.get()>"amount off"</option>
                    </select>
                    <label>"Off (a percentage, or an amount)"
                        <input name="discount_percent" inputmode="decimal" autocomplete="off"
                            prop:value=move || till.discount_percent.get()
                            on:input=move |ev| {
                                till.discount_percent.set(event_target_value(&ev));
                                till.forget_error(&field());
                            }/>
                    </label>
                    <p class="error">{move || till.error_for(&field())}</p>
                </Show>
                <Show when=move || till.needs_approval()>
                    <label>"Manager's PIN (approves this discount)"
                        <input name="approval_pin" type="password" inputmode="numeric" autocomplete="off"
                            prop:value=move || till.approval_pin.get()
                            on:input=move |ev| {
                                till.approval_pin.set(event_target_value(&ev));
                                till.forget_error("approval_pin");
                            }/>
                    </label>
                    <p class="error">{move || till.error_for("approval_pin")}</p>
                </Show>
            </div>
        </Show>
    }
}

/// A discount on one cart line: a reason and a percentage, shown under the line.
#[component]
pub(super) fn LineDiscountPicker(till: Till, key: u32) -> impl IntoView {
    let current = move || till.line_discounts.with(|d| d.iter().find(|d| d.key == key).cloned());
    let chosen = move || current().and_then(|d| d.reason).map(|id| id.to_string()).unwrap_or_default();
    let percent = move || current().map(|d| d.percent).unwrap_or_default();
    let error = move || till.error_for(&till.discount_field(Some(key)));
    view! {
        <Show when=move || till.reasons.with(|r| !r.is_empty())>
            <div class="line-discount">
                <select name=format!("line_discount_reason_{key}") prop:value=chosen
                    on:change=move |ev| {
                        let reason = event_target_value(&ev).parse().ok();
                        till.edit_line_discount(key, |d| d.reason = reason);
                    }>
                    {reason_options(till)}
                </select>
                <Show when=move || current().is_some()>
                    <select name=format!("line_discount_kind_{key}") on:change=move |ev| {
                        let by_amount = event_target_value(&ev) == "amount";
                        till.edit_line_discount(key, |d| d.by_amount = by_amount);
                    }>
                        <option value="percent">"% off"</option>
                        <option value="amount">"amount off"</option>
                    </select>
                    <input name=format!("line_discount_percent_{key}") inputmode="decimal" placeholder="off"
                        prop:value=percent
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            till.edit_line_discount(key, |d| d.percent = typed);
                        }/>
                </Show>
                <p class="error">{error}</p>
            </div>
        </Show>
    }
}
