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

mod cart_panel;
mod discount;
mod keys;
mod sheet;
mod split;
mod tabs;
mod till;

use cart_panel::{CartPanel, Placed};
use sheet::SheetView;
use till::{mark, Till};

use crate::api::{self};
use crate::format::money;
use crate::live::{Link, LinkState};
use crate::shell::use_shell;
use crema_shared::api::{CloudEvent, DiscountReasonDto, MenuView, SettingsDto};
use crema_shared::events::types;
use crema_shared::tax::{TaxMode, TaxPolicy, TaxRate};
use leptos::prelude::*;

async fn load_menu(till: Till) {
    let shell = till.shell;
    match api::get::<MenuView>("/api/v1/menu").await {
        Ok(menu) => {
            shell.saw_ok();
            till.menu.set(Some(menu));
        }
        Err(e) => shell.saw(&e),
    }
    if let Ok(reasons) = api::get::<Vec<DiscountReasonDto>>("/api/v1/discount-reasons").await {
        till.reasons.set(reasons.into_iter().filter(|r| r.active).collect());
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
            let menu_changes =
                [types::MENU_UPDATED, types::ITEM_SOLD_OUT, types::ITEM_BACK_IN_STOCK, types::SETTINGS_UPDATED];
            if menu_changes.contains(&event.event_type.as_str()) {
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

    let keys = keys::listen(till);
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
                    <tabs::TabsButton/>
                    <tabs::RefundsButton/>
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
