//! The cart, the customer, the tender and the pay button; the big ticket number once placed.

use super::discount::{DiscountPicker, LineDiscountPicker};
use super::split::SplitTenders;
use super::till::{Sheet, Till};
use crate::cart::{self};
use crate::format::{money, parse_amount};
use crema_shared::api::OrderDto;
use crema_shared::status::PaymentMethod;
use crema_shared::Money;
use leptos::prelude::*;

#[component]
pub(super) fn CartPanel(till: Till) -> impl IntoView {
    let currency = move || till.currency();
    let totals = move || {
        let tax = till.tax.get();
        let discount = till.discount();
        till.cart.with(|c| cart::totals(c, discount, tax))
    };
    let change = move || {
        parse_amount(&till.tendered.get())
            .ok()
            .and_then(|cents| cart::change_due(till.total(), Money::from_minor(cents)))
            .map(|c| money(c.minor(), &currency()))
    };
    let error = move |field: &'static str| move || till.error_for(field);
    view! {
        <aside class="cart">
            <h2>"Order"</h2>
            <ul class="lines" data-test="cart">
                {move || {
                    let cur = currency();
                    till.cart
                        .get()
                        .into_iter()
                        .map(|line| {
                            let key = line.key;
                            let gone = till.current_item(line.item.id).is_none_or(|i| !i.available);
                            let editable = !line.item.modifier_groups.is_empty();
                            let item = line.item.clone();
                            let chosen = line.option_ids.clone();
                            view! {
                                <li class="line" data-line=line.item.name.clone()>
                                    <div class="line-head">
                                        <span class="qty">{line.quantity}"×"</span>
                                        <span class="name">{line.item.name.clone()}</span>
                                        <span class="amount">{money(line.total().minor(), &cur)}</span>
                                    </div>
                                    {move || {
                                        let off = till.line_discount(key);
                                        (off > Money::ZERO).then(|| view! { <div class="line-off" data-test="line-discount">{format!("−{}", money(off.minor(), &till.currency()))}</div> })
                                    }}
                                    <div class="line-options">{line.options_label()}</div>
                                    <Show when=move || gone><div class="error">"Sold out now: remove it"</div></Show>
                                    <div class="line-tools">
                                        <button on:click=move |_| till.edit_line(key, |l| l.quantity = l.quantity.saturating_sub(1).max(1))>"−"</button>
                                        <button on:click=move |_| till.edit_line(key, |l| l.quantity = (l.quantity + 1).min(99))>"+"</button>
                                        <Show when=move || editable>
                                            <button on:click={
                                                let (item, chosen) = (item.clone(), chosen.clone());
                                                move |_| till.sheet.set(Some(Sheet { item: item.clone(), selected: chosen.clone(), editing: Some(key) }))
                                            }>"Edit"</button>
                                        </Show>
                                        <button class="danger" on:click=move |_| till.cart.update(|c| c.retain(|l| l.key != key))>"Remove"</button>
                                    </div>
                                    <LineDiscountPicker till=till key=key/>
                                    <input class="note" placeholder="Note (e.g. extra hot)" maxlength="140" prop:value=line.note.clone()
                                        on:change=move |ev| {
                                            let value = event_target_value(&ev);
                                            till.edit_line(key, |l| l.note = value);
                                        }/>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <p class="error">{error("lines")}</p>
            <div class="totals">
                <div><span>"Subtotal"</span><span>{move || money(totals().subtotal.minor(), &currency())}</span></div>
                <Show when=move || totals().discount != Money::ZERO>
                    <div><span>"Discount"</span><span data-test="discount">{move || money(-totals().discount.minor(), &currency())}</span></div>
                </Show>
                <div><span>"Tax"</span><span>{move || money(totals().tax.minor(), &currency())}</span></div>
                <Show when=move || till.tip() != Money::ZERO>
                    <div><span>"Tip"</span><span data-test="tip">{move || money(till.tip().minor(), &currency())}</span></div>
                </Show>
                <div class="total"><span>"Total"</span><span data-test="total">{move || money(till.total().minor(), &currency())}</span></div>
            </div>
            <TillField till=till label="Customer name" name="customer_name" value=till.name/>
            <TillField till=till label="Email for a ready message (optional)" name="customer_email" kind="email" value=till.email/>
            <DiscountPicker till=till/>
            <div class="tips" role="group" aria-label="Tip">
                {[(0u32, "No tip"), (1000, "10 %"), (1500, "15 %"), (2000, "20 %")].into_iter().map(|(bps, label)| view! {
                    <button class:active=move || till.tip_custom.with(String::is_empty) && till.tip_bps.get() == bps
                        data-test=format!("tip-{bps}")
                        on:click=move |_| { till.tip_custom.set(String::new()); till.tip_bps.set(bps) }>{label}</button>
                }).collect_view()}
            </div>
            <TillField till=till label="Or a tip of (amount)" name="tip_custom" field="payment.tip_cents"
                inputmode="decimal" value=till.tip_custom/>
            <div class="split-choice" role="group" aria-label="Split">
                {[2u32, 3, 4].into_iter().map(|n| view! {
                    <button data-test=format!("split-{n}") on:click=move |_| till.split_into(n)>{format!("Split {n}")}</button>
                }).collect_view()}
                <Show when=move || till.split.with(|s| !s.is_empty())>
                    <button data-test="split-off" on:click=move |_| till.split.set(Vec::new())>"One tender"</button>
                </Show>
            </div>
            <Show when=move || till.split.with(|s| !s.is_empty())>
                <SplitTenders till=till/>
            </Show>
            <Show when=move || till.split.with(Vec::is_empty)>
            <div class="tender">
                <button class:active=move || !till.tab.get() && till.method.get() == PaymentMethod::Cash data-test="cash"
                    on:click=move |_| { till.tab.set(false); till.method.set(PaymentMethod::Cash) }>"Cash"</button>
                <button class:active=move || !till.tab.get() && till.method.get() == PaymentMethod::Card data-test="card"
                    on:click=move |_| { till.tab.set(false); till.method.set(PaymentMethod::Card) }>"Card"</button>
                <button class:active=move || till.tab.get() data-test="tab-later"
                    on:click=move |_| till.tab.set(true)>"Tab (pay later)"</button>
            </div>
            <Show when=move || !till.tab.get()>
            <Show when=move || till.method.get() == PaymentMethod::Cash
                fallback=move || view! {
                    <TillField till=till label="Terminal approval code (empty: card reader via the gateway)"
                        name="approval_code" field="payment.approval_code" value=till.approval/>
                }>
                <TillField till=till label="Cash handed over" name="tendered" field="payment.tendered_cents"
                    inputmode="decimal" value=till.tendered/>
                <div class="quick-cash">
                    {move || {
                        let cur = currency();
                        let total = till.total();
                        let suggestions = if total > Money::ZERO { cart::cash_suggestions(total) } else { Vec::new() };
                        suggestions
                            .into_iter()
                            .map(|amount| {
                                let text = money(amount.minor(), &cur);
                                view! { <button on:click=move |_| till.tendered.set(amount.to_string())>{text}</button> }
                            })
                            .collect_view()
                    }}
                </div>
                <p class="change" data-test="change">{move || change().map(|c| format!("Change due: {c}"))}</p>
            </Show>
            </Show>
            </Show>
            <Show when=move || till.problem.with(Option::is_some)>
                <p class="error banner" role="alert">{move || till.problem.get().map(|p| crate::format::problem_text(&p))}</p>
            </Show>
            <Show when=move || till.pending.with(Option::is_some) && !till.shell.online.get()>
                <p class="warning">"Not sent yet: it goes out by itself when the server is back."</p>
            </Show>
            <label class="check">
                <input type="checkbox" name="print_receipt" prop:checked=move || till.receipt.get()
                    on:change=move |ev| till.receipt.set(event_target_checked(&ev))/>
                "Print the receipt"
            </label>
            <div class="pay-row">
                <button class="secondary" on:click=move |_| till.clear()>"New order (F2)"</button>
                <button class="primary pay" data-test="pay" disabled=move || till.sending.get() on:click=move |_| till.pay()>
                    {move || match (till.sending.get(), till.tab.get()) {
                        (true, _) => "Sending…".to_string(),
                        (false, true) => format!("Start the tab {} (F8)", money(till.total_before_tip().minor(), &currency())),
                        (false, false) => format!("Pay {} (F8)", money(till.total().minor(), &currency())),
                    }}
                </button>
            </div>
        </aside>
    }
}

/// A labelled input of the till, with the error (local or the server's) for `field`
/// (default: `name`) under it.
#[component]
pub(super) fn TillField(
    till: Till,
    label: &'static str,
    #[prop(into)] name: String,
    value: RwSignal<String>,
    #[prop(optional, into)] field: Option<String>,
    /// The input's `type` (default `text`).
    #[prop(optional)]
    kind: Option<&'static str>,
    /// The on-screen keyboard to offer (`decimal` for amounts).
    #[prop(optional)]
    inputmode: Option<&'static str>,
) -> impl IntoView {
    let field = field.unwrap_or_else(|| name.clone());
    let shown = field.clone();
    view! {
        <label>{label}
            <input name=name type=kind.unwrap_or("text") inputmode=inputmode.unwrap_or("text") autocomplete="off"
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    till.forget_error(&field);
                }/>
        </label>
        <p class="error">{move || till.error_for(&shown)}</p>
    }
}

#[component]
pub(super) fn Placed(till: Till, order: OrderDto) -> impl IntoView {
    let change = order.change_due_cents.filter(|c| *c > 0).map(|c| money(c, &order.currency));
    let (shell, id) = (crate::shell::use_shell(), order.id);
    view! {
        <div class="overlay">
            <div class="placed" role="dialog">
                <p>"Ticket"</p>
                <p class="ticket-number" data-test="ticket-number">{crate::tickets::called(&order.ticket, order.ticket_number)}</p>
                <Show when=move || shell.unsynced(id)>
                    <p class="unsynced" data-test="unsynced">"Saved on this till · not synced with the shop's server yet"</p>
                </Show>
                <p class="for">{order.customer_name.clone()}</p>
                <p>{money(order.total_cents, &order.currency)} " · " {order.payment_status.to_string()}</p>
                {change.map(|c| view! { <p class="change big" data-test="placed-change">"Change due: " {c}</p> })}
                <p><a href=format!("/api/v1/orders/{id}/receipt") target="_blank" rel="noopener" data-test="receipt-link">"Show the receipt"</a></p>
                <button class="primary" data-test="new-order" on:click=move |_| till.clear()>"Next order (Enter)"</button>
            </div>
        </div>
    }
}
