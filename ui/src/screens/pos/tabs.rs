//! Open tabs at the till: today's orders still to pay (placed as a tab, or paid in part),
//! paying one — all that is due or a part of it, in cash or on the card terminal, with a tip
//! on what it pays — and voiding a line of one, with why (a cashier's void needs a manager's
//! PIN typed here). The server keeps the parts (`tenders`) and says what is still due; the
//! shop's tab setting decides whether the kitchen sees a tab before it is paid.

use crate::api::{self, ApiError};
use crate::format::{field_error, money, parse_amount, problem_text};
use crema_shared::api::{ApprovalPin, OrderDto, OrderPage, PaymentRequest, Problem, VoidLineRequest};
use crema_shared::status::{LineStatus, OrderStatus, PaymentMethod};
use leptos::prelude::*;
use uuid::Uuid;

/// The "Tabs" button and, when open, the list of tabs and the payment of one.
#[component]
pub(super) fn TabsButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button class="category tabs-button" data-test="tabs" on:click=move |_| open.set(true)>"Tabs"</button>
        <Show when=move || open.get()>
            <OpenTabs open=open/>
        </Show>
    }
}

/// The "Refunds" button and, when open, today's orders to give money back from (a cashier's
/// refund asks for the manager's PIN on the spot; the manager's screen has the same form).
#[component]
pub(super) fn RefundsButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button class="category" data-test="refunds" on:click=move |_| open.set(true)>"Refunds"</button>
        <Show when=move || open.get()>
            <div class="overlay">
                <div class="sheet" role="dialog" data-test="refunds-sheet">
                    <crate::screens::manage::refunds::RefundsEditor/>
                    <footer><button class="secondary" on:click=move |_| open.set(false)>"Close"</button></footer>
                </div>
            </div>
        </Show>
    }
}

/// What a payment of a tab is being filled in with.
#[derive(Clone, Copy)]
struct PayForm {
    part: RwSignal<String>,
    method: RwSignal<PaymentMethod>,
    tendered: RwSignal<String>,
    approval: RwSignal<String>,
    tip_bps: RwSignal<u32>,
    /// Kept across a retry of the same payment (a lost answer is not paid twice).
    key: RwSignal<Option<Uuid>>,
    problem: RwSignal<Option<Problem>>,
    local: RwSignal<Vec<(String, String)>>,
}

impl PayForm {
    fn new() -> PayForm {
        PayForm {
            part: RwSignal::new(String::new()),
            method: RwSignal::new(PaymentMethod::Cash),
            tendered: RwSignal::new(String::new()),
            approval: RwSignal::new(String::new()),
            tip_bps: RwSignal::new(0),
            key: RwSignal::new(None),
            problem: RwSignal::new(None),
            local: RwSignal::new(Vec::new()),
        }
    }

    fn reset(&self, due: i64) {
        self.part.set(crema_shared::Money::from_minor(due).to_string());
        self.tendered.set(String::new());
        self.approval.set(String::new());
        self.tip_bps.set(0);
        self.key.set(None);
        self.problem.set(None);
        self.local.set(Vec::new());
    }

    fn error(&self, field: &'static str) -> impl Fn() -> Option<String> {
        let form = *self;
        move || {
            form.local
                .with(|l| l.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()))
                .or_else(|| form.problem.with(|p| p.as_ref().and_then(|p| field_error(p, field))))
        }
    }

    /// The request for `order`, or what is wrong with the form.
    fn request(&self, order: &OrderDto) -> Result<PaymentRequest, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let part = match parse_amount(&self.part.get_untracked()) {
            Ok(cents) if cents > 0 && cents <= order.due_cents => Some(cents),
            Ok(_) => {
                errors.push((
                    "part_cents".into(),
                    format!("more than 0 and at most {}", money(order.due_cents, &order.currency)),
                ));
                None
            }
            Err(message) => {
                errors.push(("part_cents".into(), message));
                None
            }
        };
        let tip_bps = self.tip_bps.get_untracked();
        let tip =
            part.map_or(0, |p| crema_shared::tip::percent_of(crema_shared::Money::from_minor(p), tip_bps).minor());
        let method = self.method.get_untracked();
        let tendered = match method {
            PaymentMethod::Card => None,
            PaymentMethod::Cash => match parse_amount(&self.tendered.get_untracked()) {
                Ok(cents) if cents >= part.unwrap_or(0) + tip => Some(cents),
                Ok(_) => {
                    errors.push(("tendered_cents".into(), "less than this part and its tip".into()));
                    None
                }
                Err(message) => {
                    errors.push(("tendered_cents".into(), message));
                    None
                }
            },
        };
        let code = self.approval.get_untracked().trim().to_string();
        if method == PaymentMethod::Card && code.is_empty() {
            errors.push(("approval_code".into(), "the card terminal's approval code".into()));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PaymentRequest {
            method,
            tendered_cents: tendered,
            approval_code: (method == PaymentMethod::Card).then_some(code),
            print_receipt: None,
            tip_cents: None,
            tip_percent_bps: Some(tip_bps).filter(|bps| *bps > 0),
            amount_cents: None,
            // All that is due is sent as no part: the server pays the rest exactly.
            part_cents: part.filter(|p| *p < order.due_cents),
        })
    }
}

#[component]
fn OpenTabs(open: RwSignal<bool>) -> impl IntoView {
    let tabs = RwSignal::new(Vec::<OrderDto>::new());
    let chosen = RwSignal::new(None::<OrderDto>);
    let outcome = RwSignal::new(None::<String>);
    let form = PayForm::new();
    let reload = move || {
        leptos::task::spawn_local(async move {
            if let Ok(page) = api::get::<OrderPage>("/api/v1/orders?limit=200").await {
                let open_tabs = page
                    .orders
                    .into_iter()
                    .filter(|o| o.due_cents > 0 && o.status != OrderStatus::Cancelled)
                    .collect::<Vec<_>>();
                tabs.set(open_tabs);
            }
        });
    };
    reload();
    let pay = move |_| {
        let Some(order) = chosen.get_untracked() else { return };
        match form.request(&order) {
            Err(errors) => form.local.set(errors),
            Ok(request) => {
                form.local.set(Vec::new());
                let key = form.key.get_untracked().unwrap_or_else(Uuid::now_v7);
                form.key.set(Some(key));
                let path = format!("/api/v1/orders/{}/payment", order.id);
                leptos::task::spawn_local(async move {
                    let key = key.to_string();
                    match api::send::<_, OrderDto>("POST", &path, Some(&request), &[("idempotency-key", &key)]).await {
                        Ok(paid) => {
                            let change =
                                paid.tenders.last().map_or(paid.change_due_cents.unwrap_or(0), |t| t.change_cents);
                            let mut said = format!("Paid. Change due: {}.", money(change, &paid.currency));
                            if paid.due_cents > 0 {
                                said.push_str(&format!(" Still due: {}.", money(paid.due_cents, &paid.currency)));
                            }
                            outcome.set(Some(said));
                            form.key.set(None);
                            chosen.set((paid.due_cents > 0).then_some(paid.clone()));
                            form.reset(paid.due_cents);
                            reload();
                        }
                        // Kept: the same key goes out again, so a lost answer is not paid twice.
                        Err(ApiError::Unreachable) => {
                            outcome.set(Some("Not sent: the server is unreachable. Try again.".into()))
                        }
                        Err(error) => {
                            form.key.set(None);
                            form.problem.set(error.problem().cloned());
                            outcome.set(error.problem().map(problem_text).or(Some(error.message())));
                        }
                    }
                });
            }
        }
    };
    view! {
        <div class="overlay">
            <div class="sheet tabs-sheet" role="dialog" data-test="tabs-sheet">
                <header><h2>"Open tabs"</h2></header>
                <table class="rows">
                    <tr><th>"Ticket"</th><th>"For"</th><th>"Total"</th><th>"Paid"</th><th>"Due"</th><th></th></tr>
                    {move || tabs.get().into_iter().map(|o| {
                        let ticket = crate::tickets::called(&o.ticket, o.ticket_number);
                        let picked = o.clone();
                        view! {
                            <tr data-tab=o.customer_name.clone()>
                                <td>{ticket}</td><td>{o.customer_name.clone()}</td>
                                <td>{money(o.total_cents, &o.currency)}</td><td>{money(o.paid_cents, &o.currency)}</td>
                                <td data-test="due">{money(o.due_cents, &o.currency)}</td>
                                <td><button class="small" on:click=move |_| {
                                    form.reset(picked.due_cents);
                                    outcome.set(None);
                                    chosen.set(Some(picked.clone()));
                                }>"Pay"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </table>
                <Show when=move || tabs.with(Vec::is_empty)><p class="muted">"No open tabs."</p></Show>
                {move || chosen.get().map(|o| view! {
                    <section class="tab-pay" data-test="tab-pay">
                        <h3>{format!("{} · due {}", o.customer_name, money(o.due_cents, &o.currency))}</h3>
                        <label>"Pay now (all that is due, or a part)"
                            <input name="part" inputmode="decimal" prop:value=move || form.part.get()
                                on:input=move |ev| form.part.set(event_target_value(&ev))/>
                        </label>
                        <p class="error">{form.error("part_cents")}</p>
                        <div class="tips" role="group" aria-label="Tip">
                            {[(0u32, "No tip"), (1000, "10 %"), (1500, "15 %"), (2000, "20 %")].into_iter().map(|(bps, label)| view! {
                                <button class:active=move || form.tip_bps.get() == bps data-test=format!("tab-tip-{bps}")
                                    on:click=move |_| form.tip_bps.set(bps)>{label}</button>
                            }).collect_view()}
                        </div>
                        <div class="tender">
                            <button class:active=move || form.method.get() == PaymentMethod::Cash data-test="tab-cash"
                                on:click=move |_| form.method.set(PaymentMethod::Cash)>"Cash"</button>
                            <button class:active=move || form.method.get() == PaymentMethod::Card data-test="tab-card"
                                on:click=move |_| form.method.set(PaymentMethod::Card)>"Card"</button>
                        </div>
                        <Show when=move || form.method.get() == PaymentMethod::Cash
                            fallback=move || view! {
                                <label>"Terminal approval code"
                                    <input name="tab_approval_code" autocomplete="off" prop:value=move || form.approval.get()
                                        on:input=move |ev| form.approval.set(event_target_value(&ev))/>
                                </label>
                                <p class="error">{form.error("approval_code")}</p>
                            }>
                            <label>"Cash handed over"
                                <input name="tab_tendered" inputmode="decimal" prop:value=move || form.tendered.get()
                                    on:input=move |ev| form.tendered.set(event_target_value(&ev))/>
                            </label>
                            <p class="error">{form.error("tendered_cents")}</p>
                        </Show>
                        <button class="primary" data-test="tab-pay-button" on:click=pay>"Take payment"</button>
                        <VoidLines order=o.clone() chosen=chosen outcome=outcome on_done=reload/>
                    </section>
                })}
                {move || outcome.get().map(|said| view! { <p class="outcome" role="status" data-test="tab-outcome">{said}</p> })}
                <footer><button class="secondary" on:click=move |_| open.set(false)>"Close"</button></footer>
            </div>
        </div>
    }
}

/// The chosen tab's lines, each with a Void button; why, and a manager's PIN for a cashier.
#[component]
fn VoidLines(
    order: OrderDto,
    chosen: RwSignal<Option<OrderDto>>,
    outcome: RwSignal<Option<String>>,
    on_done: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let shell = crate::shell::use_shell();
    let needs_pin = !matches!(shell.role(), Some(crema_shared::staff::Role::Manager));
    let reason = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let error = move |field: &'static str| move || problem.with(|p| p.as_ref().and_then(|p| field_error(p, field)));
    let void = move |line_id: Uuid| {
        let body = VoidLineRequest {
            reason: Some(reason.get_untracked()),
            approval_pin: Some(pin.get_untracked()).filter(|p| !p.trim().is_empty()).map(ApprovalPin),
        };
        let path = format!("/api/v1/orders/{}/lines/{line_id}/void", order.id);
        leptos::task::spawn_local(async move {
            match api::send::<_, OrderDto>("POST", &path, Some(&body), &[]).await {
                Ok(voided) => {
                    problem.set(None);
                    pin.set(String::new());
                    outcome.set(Some(format!("Voided. Now due: {}.", money(voided.due_cents, &voided.currency))));
                    chosen.set(Some(voided));
                    on_done();
                }
                Err(error) => {
                    problem.set(error.problem().cloned());
                    outcome.set(error.problem().map(problem_text).or(Some(error.message())));
                }
            }
        });
    };
    let lines: Vec<_> = order.lines.iter().filter(|l| l.status != LineStatus::Voided).cloned().collect();
    let currency = order.currency.clone();
    view! {
        <div class="tab-lines" data-test="tab-lines">
            <h3>"Lines"</h3>
            <ul>
                {lines.into_iter().map(|l| {
                    let id = l.id;
                    view! {
                        <li data-tab-line=l.name.clone()>
                            {format!("{} × {} · {}", l.quantity, l.name, money(l.line_total_cents, &currency))}
                            <button class="small danger" on:click=move |_| void(id)>"Void"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <label>"Why (to void a line)"
                <input name="void_reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            </label>
            <p class="error">{error("reason")}</p>
            <Show when=move || needs_pin>
                <label>"Manager's PIN (approves the void)"
                    <input name="void_pin" type="password" inputmode="numeric" autocomplete="off"
                        prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev))/>
                </label>
                <p class="error">{error("approval_pin")}</p>
            </Show>
        </div>
    }
}
