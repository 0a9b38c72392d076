//! The till: category tabs and an item grid sized for touch, a customisation sheet that
//! enforces each modifier group's rules, the cart, cash or card, and a big ticket number.
//!
//! Taps: a latte is Latte → Small → Add (3); a large oat latte is Latte → Large → Oat → Add
//! (4). Keyboard: type to search, Enter adds the first match, F8 (or Ctrl+Enter) pays, F2
//! starts a new order, Escape closes the sheet.
//!
//! The order id is made here (UUIDv7) before the first attempt and kept until the server
//! answers, so an order sent while the server is unreachable is retried by itself when it
//! comes back, and can never be placed twice.

use crate::api::{self, ApiError};
use crate::cart::{self, CartLine};
use crate::format::{field_error, money, parse_amount};
use crate::live::{Link, LinkState};
use crate::shell::{use_shell, Shell};
use crema_shared::api::{
    CloudEvent, MenuItemView, MenuView, OrderDto, PaymentRequest, PlaceOrderRequest, Problem, SettingsDto,
};
use crema_shared::customer::{CustomerName, Email};
use crema_shared::status::PaymentMethod;
use crema_shared::tax::{TaxMode, TaxPolicy, TaxRate};
use crema_shared::Money;
use leptos::prelude::*;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq)]
struct Sheet {
    item: MenuItemView,
    selected: Vec<Uuid>,
    /// The cart line being edited, or `None` for a new line.
    editing: Option<u32>,
}

/// Everything the till holds between orders, as signals.
#[derive(Clone, Copy)]
struct Till {
    shell: Shell,
    menu: RwSignal<Option<MenuView>>,
    tax: RwSignal<TaxPolicy>,
    category: RwSignal<Option<Uuid>>,
    search: RwSignal<String>,
    cart: RwSignal<Vec<CartLine>>,
    next_key: RwSignal<u32>,
    sheet: RwSignal<Option<Sheet>>,
    name: RwSignal<String>,
    email: RwSignal<String>,
    method: RwSignal<PaymentMethod>,
    tendered: RwSignal<String>,
    approval: RwSignal<String>,
    /// The id of the order being sent (kept across "unreachable" retries).
    pending: RwSignal<Option<Uuid>>,
    sending: RwSignal<bool>,
    problem: RwSignal<Option<Problem>>,
    local_errors: RwSignal<Vec<(String, String)>>,
    placed: RwSignal<Option<OrderDto>>,
}

impl Till {
    fn new(shell: Shell) -> Till {
        Till {
            shell,
            menu: RwSignal::new(None),
            tax: RwSignal::new(TaxPolicy { rate: TaxRate::ZERO, mode: TaxMode::Exclusive }),
            category: RwSignal::new(None),
            search: RwSignal::new(String::new()),
            cart: RwSignal::new(Vec::new()),
            next_key: RwSignal::new(1),
            sheet: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            email: RwSignal::new(String::new()),
            method: RwSignal::new(PaymentMethod::Cash),
            tendered: RwSignal::new(String::new()),
            approval: RwSignal::new(String::new()),
            pending: RwSignal::new(None),
            sending: RwSignal::new(false),
            problem: RwSignal::new(None),
            local_errors: RwSignal::new(Vec::new()),
            placed: RwSignal::new(None),
        }
    }

    fn currency(&self) -> String {
        self.menu.with(|m| m.as_ref().map(|m| m.currency.clone()).unwrap_or_else(|| "USD".into()))
    }

    /// The item as the menu shows it now (availability changes live).
    fn current_item(&self, id: Uuid) -> Option<MenuItemView> {
        self.menu
            .with(|m| m.as_ref().and_then(|m| m.categories.iter().flat_map(|c| &c.items).find(|i| i.id == id).cloned()))
    }

    /// Items of the chosen category, or every item matching the search.
    fn visible_items(&self) -> Vec<MenuItemView> {
        let search = self.search.get().trim().to_lowercase();
        let category = self.category.get();
        self.menu.with(|m| {
            let Some(m) = m else { return Vec::new() };
            if !search.is_empty() {
                return m
                    .categories
                    .iter()
                    .flat_map(|c| &c.items)
                    .filter(|i| i.name.to_lowercase().contains(&search))
                    .cloned()
                    .collect();
            }
            let chosen = category.or(m.categories.first().map(|c| c.id));
            m.categories.iter().filter(|c| Some(c.id) == chosen).flat_map(|c| c.items.clone()).collect()
        })
    }

    fn tap_item(&self, item: MenuItemView) {
        if !item.available {
            return;
        }
        if cart::adds_at_once(&item) {
            self.add_line(item, Vec::new());
        } else {
            self.sheet.set(Some(Sheet { item, selected: Vec::new(), editing: None }));
        }
        self.search.set(String::new());
    }

    fn add_line(&self, item: MenuItemView, option_ids: Vec<Uuid>) {
        let key = self.next_key.get_untracked();
        self.next_key.set(key + 1);
        self.cart.update(|c| {
            // The same item with the same choices adds to the quantity.
            match c.iter_mut().find(|l| l.item.id == item.id && l.option_ids == option_ids && l.note.is_empty()) {
                Some(line) => line.quantity = (line.quantity + 1).min(99),
                None => c.push(CartLine { key, item, option_ids, quantity: 1, note: String::new() }),
            }
        });
        self.problem.set(None);
    }

    /// Changes the cart line `key` (if it is still there).
    fn edit_line(&self, key: u32, change: impl FnOnce(&mut CartLine)) {
        self.cart.update(|c| {
            if let Some(line) = c.iter_mut().find(|l| l.key == key) {
                change(line);
            }
        });
    }

    fn commit_sheet(&self) {
        let Some(sheet) = self.sheet.get_untracked() else { return };
        if !cart::problems(&sheet.item, &sheet.selected).is_empty() {
            return;
        }
        match sheet.editing {
            Some(key) => self.edit_line(key, |line| line.option_ids = sheet.selected),
            None => self.add_line(sheet.item, sheet.selected),
        }
        self.sheet.set(None);
    }

    fn clear(&self) {
        self.cart.set(Vec::new());
        self.sheet.set(None);
        self.name.set(String::new());
        self.email.set(String::new());
        self.method.set(PaymentMethod::Cash);
        self.tendered.set(String::new());
        self.approval.set(String::new());
        self.pending.set(None);
        self.problem.set(None);
        self.local_errors.set(Vec::new());
        self.placed.set(None);
        self.search.set(String::new());
    }

    fn total(&self) -> Money {
        let tax = self.tax.get();
        self.cart.with(|c| cart::totals(c, tax).total)
    }

    fn error_for(&self, field: &str) -> Option<String> {
        self.local_errors
            .with(|errors| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()))
            .or_else(|| self.problem.with(|p| p.as_ref().and_then(|p| field_error(p, field))))
    }

    /// Checks what can be checked here, then sends (or re-sends) the order.
    fn pay(&self) {
        if self.sending.get_untracked() || self.placed.with_untracked(Option::is_some) {
            return;
        }
        let mut errors = Vec::new();
        if self.cart.with_untracked(Vec::is_empty) {
            errors.push(("lines".to_string(), "add something to the order first".to_string()));
        }
        let name = self.name.get_untracked();
        if let Err(message) = CustomerName::parse(&name) {
            errors.push(("customer_name".into(), message));
        }
        let email = self.email.get_untracked();
        if !email.trim().is_empty() {
            if let Err(message) = Email::parse(&email) {
                errors.push(("customer_email".into(), message));
            }
        }
        let total = self.total();
        let payment = match self.method.get_untracked() {
            PaymentMethod::Cash => match parse_amount(&self.tendered.get_untracked()) {
                Ok(cents) if cart::change_due(total, Money::from_minor(cents)).is_some() => Some(PaymentRequest {
                    method: PaymentMethod::Cash,
                    tendered_cents: Some(cents),
                    approval_code: None,
                }),
                Ok(_) => {
                    errors.push(("payment.tendered_cents".into(), "less than the total".into()));
                    None
                }
                Err(message) => {
                    errors.push(("payment.tendered_cents".into(), message));
                    None
                }
            },
            PaymentMethod::Card => {
                let code = self.approval.get_untracked().trim().to_string();
                Some(PaymentRequest {
                    method: PaymentMethod::Card,
                    tendered_cents: None,
                    approval_code: (!code.is_empty()).then_some(code),
                })
            }
        };
        self.local_errors.set(errors.clone());
        if !errors.is_empty() {
            return;
        }
        let id = self.pending.get_untracked().unwrap_or_else(Uuid::now_v7);
        self.pending.set(Some(id));
        let email = email.trim().to_string();
        let request = PlaceOrderRequest {
            id: Some(id),
            customer_name: name.trim().to_string(),
            customer_email: (!email.is_empty()).then_some(email),
            lines: self.cart.with_untracked(|c| c.iter().map(CartLine::request).collect()),
            payment,
        };
        self.send(request);
    }

    fn send(&self, request: PlaceOrderRequest) {
        let till = *self;
        let shell = till.shell;
        till.sending.set(true);
        leptos::task::spawn_local(async move {
            let key = request.id.map(|id| id.to_string()).unwrap_or_default();
            let answer =
                api::send::<_, OrderDto>("POST", "/api/v1/orders", Some(&request), &[("idempotency-key", &key)]).await;
            till.sending.set(false);
            match answer {
                Ok(order) => {
                    shell.saw_ok();
                    till.pending.set(None);
                    till.problem.set(None);
                    mark("crema:order-acknowledged");
                    till.placed.set(Some(order));
                }
                // Kept: sent again with the same id when the server is back.
                Err(ApiError::Unreachable) => shell.saw(&ApiError::Unreachable),
                Err(error) => {
                    shell.saw(&error);
                    // Refused: nothing was placed, so the next attempt is a new order.
                    till.pending.set(None);
                    till.problem.set(error.problem().cloned());
                }
            }
        });
    }
}

fn mark(name: &str) {
    if let Some(performance) = window().performance() {
        let _ = performance.mark(name);
    }
}

async fn load_menu(till: Till) {
    let shell = till.shell;
    match api::get::<MenuView>("/api/v1/menu").await {
        Ok(menu) => {
            shell.saw_ok();
            till.menu.set(Some(menu));
        }
        Err(e) => shell.saw(&e),
    }
    if let Ok(settings) = api::get::<SettingsDto>("/api/v1/settings").await {
        let rate = TaxRate::try_from(settings.tax_rate_bps).unwrap_or(TaxRate::ZERO);
        let mode = TaxMode::parse(&settings.tax_mode).unwrap_or(TaxMode::Exclusive);
        till.tax.set(TaxPolicy { rate, mode });
    }
}

#[component]
pub fn Pos() -> impl IntoView {
    let shell = use_shell();
    let till = Till::new(shell);
    // Follow the live stream first, then read the menu: no change can fall in between.
    let link = Link::open(
        "/api/v1/events",
        None,
        move |_, data| {
            let Ok(event) = serde_json::from_str::<CloudEvent>(&data) else { return };
            if matches!(
                event.event_type.as_str(),
                "menu.updated" | "item.sold_out" | "item.back_in_stock" | "settings.updated"
            ) {
                leptos::task::spawn_local(load_menu(till));
            }
        },
        move |state| {
            if state == LinkState::Open {
                leptos::task::spawn_local(load_menu(till));
            }
        },
    );
    let link = StoredValue::new_local(Some(link));
    on_cleanup(move || link.update_value(|l| drop(l.take())));
    leptos::task::spawn_local(load_menu(till));
    // Time to first render, for docs/performance.md: marked at the first frame after the
    // item grid has been drawn (effects run after the DOM is updated).
    let marked = StoredValue::new(false);
    Effect::new(move |_| {
        if till.menu.with(Option::is_some) && !marked.get_value() {
            marked.set_value(true);
            request_animation_frame(|| mark("crema:pos-rendered"));
        }
    });

    // An order waiting for the server goes out again as soon as it answers.
    Effect::new(move |_| {
        if shell.online.get() && till.pending.get_untracked().is_some() && !till.sending.get_untracked() {
            till.pay();
        }
    });

    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key();
        let typing = document()
            .active_element()
            .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
            .unwrap_or(false);
        if till.placed.with_untracked(Option::is_some) {
            if matches!(key.as_str(), "Enter" | "Escape" | "F2") {
                ev.prevent_default();
                till.clear();
            }
            return;
        }
        if till.sheet.with_untracked(Option::is_some) {
            match key.as_str() {
                "Enter" => till.commit_sheet(),
                "Escape" => till.sheet.set(None),
                _ => {}
            }
            return;
        }
        match key.as_str() {
            "F8" => {
                ev.prevent_default();
                till.pay();
            }
            "Enter" if ev.ctrl_key() => till.pay(),
            "F2" => {
                ev.prevent_default();
                till.clear();
            }
            _ if typing => {}
            "Escape" => till.search.set(String::new()),
            "Backspace" => till.search.update(|s| {
                s.pop();
            }),
            "Enter" => {
                if let Some(item) = till.visible_items().into_iter().find(|i| i.available) {
                    till.tap_item(item);
                }
            }
            k if k.chars().count() == 1 && !ev.ctrl_key() && !ev.meta_key() => {
                till.search.update(|s| s.push_str(k));
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    view! {
        <main class="pos">
            <section class="menu-side">
                <div class="categories">
                    {move || {
                        till.menu
                            .with(|m| m.as_ref().map(|m| m.categories.iter().map(|c| (c.id, c.name.clone())).collect::<Vec<_>>()))
                            .unwrap_or_default()
                            .into_iter()
                            .enumerate()
                            .map(|(i, (id, name))| {
                                let active = move || {
                                    till.search.with(String::is_empty)
                                        && (till.category.get() == Some(id) || (till.category.get().is_none() && i == 0))
                                };
                                view! {
                                    <button class="category" class:active=active data-category=name.clone()
                                        on:click=move |_| { till.category.set(Some(id)); till.search.set(String::new()); }>
                                        {name.clone()}
                                    </button>
                                }
                            })
                            .collect_view()
                    }}
                    <Show when=move || !till.search.with(String::is_empty)>
                        <span class="search" data-test="search">"Search: " {move || till.search.get()}</span>
                    </Show>
                </div>
                <div class="grid">
                    {move || {
                        if till.menu.with(Option::is_none) {
                            return view! { <p class="muted">"Loading the menu…"</p> }.into_any();
                        }
                        let currency = till.currency();
                        till.visible_items()
                            .into_iter()
                            .map(|item| {
                                let sold_out = !item.available;
                                let price = money(item.price_cents, &currency);
                                let name = item.name.clone();
                                view! {
                                    <button class="item" class:sold-out=sold_out disabled=sold_out data-item=name.clone()
                                        on:click=move |_| till.tap_item(item.clone())>
                                        <span class="name">{name.clone()}</span>
                                        <span class="price">{if sold_out { "Sold out".to_string() } else { price }}</span>
                                    </button>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </div>
            </section>
            <CartPanel till=till/>
            {move || till.sheet.get().map(|sheet| view! { <SheetView till=till sheet=sheet/> })}
            {move || till.placed.get().map(|order| view! { <Placed till=till order=order/> })}
        </main>
    }
}

#[component]
fn SheetView(till: Till, sheet: Sheet) -> impl IntoView {
    let currency = till.currency();
    let item = sheet.item.clone();
    let selected = move || till.sheet.with(|s| s.as_ref().map(|s| s.selected.clone()).unwrap_or_default());
    let line_price = {
        let (item, currency) = (item.clone(), currency.clone());
        move || money(cart::unit_price(&item, &selected()).minor(), &currency)
    };
    let problems = {
        let item = item.clone();
        Memo::new(move |_| cart::problems(&item, &selected()))
    };
    let groups = item.modifier_groups.clone();
    view! {
        <div class="overlay">
            <div class="sheet" role="dialog" data-test="sheet">
                <header>
                    <h2>{item.name.clone()}</h2>
                    <span class="line-price" data-test="line-price">{line_price}</span>
                </header>
                {groups
                    .into_iter()
                    .map(|group| {
                        let rule = match (group.min, group.max) {
                            (1, 1) => "choose 1".to_string(),
                            (0, 1) => "optional".to_string(),
                            (0, max) => format!("up to {max}"),
                            (min, max) if min == max => format!("choose {min}"),
                            (min, max) => format!("{min} to {max}"),
                        };
                        let currency = currency.clone();
                        let options = group.options.clone();
                        view! {
                            <section class="group">
                                <h3>{group.name.clone()} <small>{rule}</small></h3>
                                <div class="options">
                                    {options
                                        .into_iter()
                                        .map(|option| {
                                            let group = group.clone();
                                            let id = option.id;
                                            let delta = if option.price_delta_cents == 0 {
                                                String::new()
                                            } else {
                                                format!("+{}", money(option.price_delta_cents, &currency))
                                            };
                                            view! {
                                                <button class="option" data-option=option.name.clone()
                                                    class:chosen=move || selected().contains(&id)
                                                    disabled=!option.available
                                                    on:click=move |_| till.sheet.update(|s| if let Some(s) = s {
                                                        s.selected = cart::toggle(&group, &s.selected, id);
                                                    })>
                                                    <span>{option.name.clone()}</span>
                                                    <small>{if option.available { delta } else { "sold out".to_string() }}</small>
                                                </button>
                                            }
                                        })
                                        .collect_view()}
                                </div>
                            </section>
                        }
                    })
                    .collect_view()}
                <p class="error">{move || problems.get().join(" · ")}</p>
                <footer>
                    <button class="secondary" on:click=move |_| till.sheet.set(None)>"Cancel"</button>
                    <button class="primary" data-test="add-to-cart" disabled=move || !problems.with(Vec::is_empty)
                        on:click=move |_| till.commit_sheet()>
                        {if sheet.editing.is_some() { "Save" } else { "Add" }}
                    </button>
                </footer>
            </div>
        </div>
    }
}

#[component]
fn CartPanel(till: Till) -> impl IntoView {
    let currency = move || till.currency();
    let totals = move || {
        let tax = till.tax.get();
        till.cart.with(|c| cart::totals(c, tax))
    };
    let change = move || {
        parse_amount(&till.tendered.get())
            .ok()
            .and_then(|cents| cart::change_due(totals().total, Money::from_minor(cents)))
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
                <div><span>"Tax"</span><span>{move || money(totals().tax.minor(), &currency())}</span></div>
                <div class="total"><span>"Total"</span><span data-test="total">{move || money(totals().total.minor(), &currency())}</span></div>
            </div>
            <TillField till=till label="Customer name" name="customer_name" value=till.name/>
            <TillField till=till label="Email for a ready message (optional)" name="customer_email" kind="email" value=till.email/>
            <div class="tender">
                <button class:active=move || till.method.get() == PaymentMethod::Cash data-test="cash"
                    on:click=move |_| till.method.set(PaymentMethod::Cash)>"Cash"</button>
                <button class:active=move || till.method.get() == PaymentMethod::Card data-test="card"
                    on:click=move |_| till.method.set(PaymentMethod::Card)>"Card"</button>
            </div>
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
                        let total = totals().total;
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
            <Show when=move || till.problem.with(Option::is_some)>
                <p class="error banner" role="alert">{move || till.problem.get().map(|p| crate::format::problem_text(&p))}</p>
            </Show>
            <Show when=move || till.pending.with(Option::is_some) && !till.shell.online.get()>
                <p class="warning">"Not sent yet: it goes out by itself when the server is back."</p>
            </Show>
            <div class="pay-row">
                <button class="secondary" on:click=move |_| till.clear()>"New order (F2)"</button>
                <button class="primary pay" data-test="pay" disabled=move || till.sending.get() on:click=move |_| till.pay()>
                    {move || if till.sending.get() { "Sending…".to_string() } else { format!("Pay {} (F8)", money(totals().total.minor(), &currency())) }}
                </button>
            </div>
        </aside>
    }
}

/// A labelled input of the till, with the error (local or the server's) for `field`
/// (default: `name`) under it.
#[component]
fn TillField(
    till: Till,
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] field: Option<&'static str>,
    /// The input's `type` (default `text`).
    #[prop(optional)]
    kind: Option<&'static str>,
    /// The on-screen keyboard to offer (`decimal` for amounts).
    #[prop(optional)]
    inputmode: Option<&'static str>,
) -> impl IntoView {
    let field = field.unwrap_or(name);
    view! {
        <label>{label}
            <input name=name type=kind.unwrap_or("text") inputmode=inputmode.unwrap_or("text") autocomplete="off"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
        </label>
        <p class="error">{move || till.error_for(field)}</p>
    }
}

#[component]
fn Placed(till: Till, order: OrderDto) -> impl IntoView {
    let change = order.change_due_cents.filter(|c| *c > 0).map(|c| money(c, &order.currency));
    view! {
        <div class="overlay">
            <div class="placed" role="dialog">
                <p>"Ticket"</p>
                <p class="ticket-number" data-test="ticket-number">{order.ticket_number}</p>
                <p class="for">{order.customer_name.clone()}</p>
                <p>{money(order.total_cents, &order.currency)} " · " {order.payment_status.to_string()}</p>
                {change.map(|c| view! { <p class="change big" data-test="placed-change">"Change due: " {c}</p> })}
                <button class="primary" data-test="new-order" on:click=move |_| till.clear()>"Next order (Enter)"</button>
            </div>
        </div>
    }
}
