//! Paying one order with several tenders: cash and a card, two cards, or split evenly by N.
//! Each part pays its share before the tip and adds the till's tip percentage of it; change
//! comes only from cash. The server checks the same (`crema_shared::split`).

use super::cart_panel::TillField;
use super::till::Till;
use crate::format::{money, parse_amount};
use crema_shared::api::PaymentRequest;
use crema_shared::split::split_evenly;
use crema_shared::status::PaymentMethod;
use crema_shared::tip::percent_of;
use crema_shared::Money;
use leptos::prelude::*;

/// One tender of a split as the till edits it.
#[derive(Clone, Copy)]
pub struct SplitPart {
    pub method: RwSignal<PaymentMethod>,
    pub amount: RwSignal<String>,
    pub tendered: RwSignal<String>,
    pub approval: RwSignal<String>,
}

impl SplitPart {
    fn new(amount: Money) -> SplitPart {
        SplitPart {
            method: RwSignal::new(PaymentMethod::Cash),
            amount: RwSignal::new(amount.to_string()),
            tendered: RwSignal::new(String::new()),
            approval: RwSignal::new(String::new()),
        }
    }

    fn amount(&self) -> Money {
        Money::from_minor(parse_amount(&self.amount.get()).unwrap_or(0))
    }
}

impl Till {
    /// Splits what the order comes to before tips evenly into `n` tenders.
    pub(super) fn split_into(&self, n: u32) {
        let parts = split_evenly(self.total_before_tip(), n).into_iter().map(SplitPart::new).collect();
        self.split.set(parts);
    }

    /// The tips of the split's tenders (each the till's percentage of its part).
    pub(super) fn split_tips(&self) -> Money {
        let bps = self.tip_bps.get();
        self.split.with(|parts| parts.iter().map(|p| percent_of(p.amount(), bps)).sum())
    }

    /// The split's tenders as the request sends them; what is wrong goes into `errors`.
    pub(super) fn split_requests(&self, errors: &mut Vec<(String, String)>) -> Vec<PaymentRequest> {
        let bps = self.tip_bps.get_untracked();
        let parts = self.split.get_untracked();
        let mut sum = Money::ZERO;
        let requests = parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let amount = match parse_amount(&part.amount.get_untracked()) {
                    Ok(cents) if cents > 0 => Money::from_minor(cents),
                    _ => {
                        errors.push((format!("split[{i}].amount_cents"), "must be an amount like 4.50".into()));
                        Money::ZERO
                    }
                };
                sum = sum + amount;
                let due = amount + percent_of(amount, bps);
                let (tendered, approval) = match part.method.get_untracked() {
                    PaymentMethod::Cash => match parse_amount(&part.tendered.get_untracked()) {
                        Ok(cents) if cents >= due.minor() => (Some(cents), None),
                        _ => {
                            errors.push((format!("split[{i}].tendered_cents"), format!("at least {due}")));
                            (None, None)
                        }
                    },
                    PaymentMethod::Card => {
                        let code = part.approval.get_untracked().trim().to_string();
                        if code.is_empty() {
                            errors.push((
                                format!("split[{i}].approval_code"),
                                "the card terminal's approval code".into(),
                            ));
                        }
                        (None, Some(code))
                    }
                };
                PaymentRequest {
                    method: part.method.get_untracked(),
                    tendered_cents: tendered,
                    approval_code: approval,
                    print_receipt: (!self.receipt.get_untracked()).then_some(false),
                    tip_cents: None,
                    tip_percent_bps: Some(bps).filter(|b| *b > 0),
                    amount_cents: Some(amount.minor()),
                    part_cents: None,
                }
            })
            .collect();
        let due = self.total_before_tip();
        if sum != due {
            errors.push(("split".into(), format!("the parts come to {sum}; the order is {due}")));
        }
        requests
    }
}

/// The split's tenders: a row each, with its method, part, and cash or approval code.
#[component]
pub(super) fn SplitTenders(till: Till) -> impl IntoView {
    let currency = move || till.currency();
    view! {
        <div class="split" data-test="split">
            {move || till.split.get().into_iter().enumerate().map(|(i, part)| {
                let tip = move || percent_of(part.amount(), till.tip_bps.get());
                let change = move || {
                    let due = part.amount() + tip();
                    parse_amount(&part.tendered.get()).ok().map(Money::from_minor).filter(|t| *t >= due).map(|t| t - due)
                };
                view! {
                    <div class="split-part" data-part=i.to_string()>
                        <div class="tender">
                            <button class:active=move || part.method.get() == PaymentMethod::Cash data-test=format!("split-cash-{i}")
                                on:click=move |_| part.method.set(PaymentMethod::Cash)>"Cash"</button>
                            <button class:active=move || part.method.get() == PaymentMethod::Card data-test=format!("split-card-{i}")
                                on:click=move |_| part.method.set(PaymentMethod::Card)>"Card"</button>
                        </div>
                        <TillField till=till label="Part" name=format!("split_amount_{i}")
                            field=format!("split[{i}].amount_cents") inputmode="decimal" value=part.amount/>
                        <Show when=move || till.tip_bps.get() != 0>
                            <p class="muted">"Tip " {move || money(tip().minor(), &currency())}</p>
                        </Show>
                        <Show when=move || part.method.get() == PaymentMethod::Cash
                            fallback=move || view! {
                                <TillField till=till label="Terminal approval code" name=format!("split_approval_{i}")
                                    field=format!("split[{i}].approval_code") value=part.approval/>
                            }>
                            <TillField till=till label="Cash handed over" name=format!("split_tendered_{i}")
                                field=format!("split[{i}].tendered_cents") inputmode="decimal" value=part.tendered/>
                            <p class="change">{move || change().map(|c| format!("Change due: {}", money(c.minor(), &currency())))}</p>
                        </Show>
                    </div>
                }
            }).collect_view()}
            <p class="error">{move || till.error_for("split")}</p>
        </div>
    }
}
