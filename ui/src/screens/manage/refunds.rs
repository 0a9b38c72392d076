//! Today's orders, to give money back: tick the lines given back (their share of the order)
//! or type an amount, say why, refund; or void an order not yet ready, with why; or set the tip
//! of a card the gateway authorized and has not captured yet. The till shows it too: there a
//! cashier's refund asks for the manager's PIN on the spot.

use super::form::{Field, FormState, Outcome};
use crate::api;
use crate::format::money;
use crate::shell::use_shell;
use crema_shared::api::{ApprovalPin, CancelRequest, OrderDto, OrderPage, RefundRequest, TipRequest};
use crema_shared::staff::Role;
use crema_shared::status::{LineStatus, PaymentStatus};
use leptos::prelude::*;
use std::collections::HashSet;
use uuid::Uuid;

#[component]
pub fn RefundsEditor() -> impl IntoView {
    let shell = use_shell();
    let orders = RwSignal::new(Vec::<OrderDto>::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::get::<OrderPage>("/api/v1/orders?limit=50").await {
                Ok(page) => orders.set(page.orders),
                Err(e) => shell.saw(&e),
            }
        });
    };
    reload();
    let chosen = RwSignal::new(None::<OrderDto>);
    // Outside the form, which is drawn again with the order as it is after a refund.
    let form = FormState::new();
    view! {
        <section class="refunds-editor">
            <h2>"Refunds and voids"</h2>
            <p class="hint">"Pick an order, tick what goes back (each line gives back its share, tax included) or type an amount, and say why."</p>
            <table class="rows">
                <tr><th>"Ticket"</th><th>"For"</th><th>"Total"</th><th>"Refunded"</th><th>"Status"</th><th></th></tr>
                {move || orders.get().into_iter().map(|o| {
                    let pick = o.clone();
                    view! {
                        <tr data-order=o.ticket.clone()>
                            <td>{o.ticket.clone()}</td>
                            <td>{o.customer_name.clone()}</td>
                            <td>{money(o.total_cents, &o.currency)}</td>
                            <td>{money(o.refunded_cents, &o.currency)}</td>
                            <td>{format!("{} · {}", o.status, o.payment_status)}</td>
                            <td><button data-test="choose-order" on:click=move |_| chosen.set(Some(pick.clone()))>"Refund or void…"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </table>
            {move || chosen.get().map(|order| view! { <RefundForm order=order chosen=chosen form=form on_done=reload/> })}
            <div data-test="refund-outcome"><Outcome form=form/></div>
        </section>
    }
}

#[component]
fn RefundForm(
    order: OrderDto,
    chosen: RwSignal<Option<OrderDto>>,
    form: FormState,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lines = RwSignal::new(HashSet::<Uuid>::new());
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let needs_pin = !matches!(use_shell().role(), Some(Role::Manager));
    let id = order.id;
    let refund = move |_| {
        let line_ids: Vec<Uuid> = lines.get_untracked().into_iter().collect();
        let typed = amount.get_untracked();
        let amount_cents = if typed.trim().is_empty() { None } else { form.amount("amount_cents", &typed) };
        if amount_cents.is_none() && !typed.trim().is_empty() {
            return;
        }
        let approval_pin = Some(pin.get_untracked()).filter(|p| !p.trim().is_empty()).map(ApprovalPin);
        let body = RefundRequest { amount_cents, line_ids, reason: Some(reason.get_untracked()), approval_pin };
        leptos::task::spawn_local(async move {
            let result =
                api::send::<_, OrderDto>("POST", &format!("/api/v1/orders/{id}/refunds"), Some(&body), &[]).await;
            if form.done(&result, "Refunded.") {
                pin.set(String::new());
                chosen.set(result.ok());
                on_done();
            }
        });
    };
    let void = move |_| {
        let body = CancelRequest { reason: reason.get_untracked() };
        leptos::task::spawn_local(async move {
            let result =
                api::send::<_, OrderDto>("POST", &format!("/api/v1/orders/{id}/cancel"), Some(&body), &[]).await;
            if form.done(&result, "Voided: money taken at the till goes back with it.") {
                chosen.set(result.ok());
                on_done();
            }
        });
    };
    let currency = order.currency.clone();
    let authorized = order.payment_status == PaymentStatus::Authorized;
    let tip = RwSignal::new(String::new());
    let set_tip = move |_| {
        let Some(cents) = form.amount("tip_cents", &tip.get_untracked()) else { return };
        let body = TipRequest { tip_cents: Some(cents), tip_percent_bps: None };
        leptos::task::spawn_local(async move {
            let result = api::send::<_, OrderDto>("POST", &format!("/api/v1/orders/{id}/tip"), Some(&body), &[]).await;
            if form.done(&result, "The card's tip is set: it is captured with the order.") {
                chosen.set(result.ok());
                on_done();
            }
        });
    };
    view! {
        <div class="editor" data-test="refund-form">
            <Show when=move || authorized>
                <div class="card-tip" data-test="card-tip">
                    <Field label="Tip on the card (before it is captured)" field="tip_cents" value=tip form=form/>
                    <button data-test="set-tip" on:click=set_tip>"Set the tip"</button>
                </div>
            </Show>
            <h3>{format!("Ticket {} · {}", order.ticket, order.customer_name)}</h3>
            <ul class="lines">
                {order.lines.iter().filter(|l| l.status != LineStatus::Voided).map(|l| {
                    let line_id = l.id;
                    view! {
                        <li>
                            <label class="check">
                                <input type="checkbox" name="refund_line" data-line=l.name.clone()
                                    prop:checked=move || lines.with(|s| s.contains(&line_id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        lines.update(|s| { if on { s.insert(line_id); } else { s.remove(&line_id); } });
                                    }/>
                                {format!("{} × {} · {}", l.quantity, l.name, money(l.line_total_cents, &currency))}
                            </label>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <small class="error" data-error="line_ids">{form.error("line_ids")}</small>
            <Field label="Or an amount" field="amount_cents" value=amount form=form/>
            <Field label="Why" field="reason" value=reason form=form/>
            <Show when=move || needs_pin>
                <Field label="Manager's PIN (approves the refund)" field="approval_pin" value=pin form=form kind="password"/>
            </Show>
            <div class="row">
                <button class="primary" data-test="refund" on:click=refund>"Refund"</button>
                <Show when=move || !needs_pin>
                    <button class="danger" data-test="void" on:click=void>"Void the order"</button>
                </Show>
                <button on:click=move |_| chosen.set(None)>"Close"</button>
            </div>
        </div>
    }
}
