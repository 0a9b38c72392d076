//! The customisation sheet: an item's modifier groups, each enforcing its rules.

use super::till::{Sheet, Till};
use crate::cart::{self};
use crate::format::money;
use leptos::prelude::*;

#[component]
pub(super) fn SheetView(till: Till, sheet: Sheet) -> impl IntoView {
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
