//! The manager's screen: menu, staff, enrolled terminals, settings (and where events are
//! forwarded), discount reasons, refunds and voids, the day's report with the CSV export, and
//! the durable jobs with their dead letters.

mod discounts;
pub(crate) mod form;
mod jobs;
mod menu;
pub(crate) mod refunds;
mod report;
mod settings;
mod staff;
mod stations;
mod terminals;

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Menu,
    Staff,
    Settings,
    Report,
    Jobs,
    Terminals,
    Discounts,
    Refunds,
}

impl Tab {
    const ALL: [Tab; 8] =
        [Tab::Menu, Tab::Staff, Tab::Terminals, Tab::Settings, Tab::Discounts, Tab::Refunds, Tab::Report, Tab::Jobs];

    fn title(self) -> &'static str {
        match self {
            Tab::Menu => "Menu",
            Tab::Staff => "Staff",
            Tab::Settings => "Settings",
            Tab::Report => "Today",
            Tab::Jobs => "Jobs",
            Tab::Terminals => "Terminals",
            Tab::Discounts => "Discounts",
            Tab::Refunds => "Refunds",
        }
    }
}

#[component]
pub fn Manage() -> impl IntoView {
    let tab = RwSignal::new(Tab::Menu);
    view! {
        <main class="manage">
            <nav class="subtabs">
                {Tab::ALL
                    .into_iter()
                    .map(|t| view! {
                        <button class:active=move || tab.get() == t data-tab=t.title() on:click=move |_| tab.set(t)>{t.title()}</button>
                    })
                    .collect_view()}
            </nav>
            {move || match tab.get() {
                Tab::Menu => view! { <menu::MenuEditor/> }.into_any(),
                Tab::Staff => view! { <staff::StaffEditor/> }.into_any(),
                Tab::Settings => view! { <settings::SettingsEditor/> }.into_any(),
                Tab::Report => view! { <report::DayReport/> }.into_any(),
                Tab::Jobs => view! { <jobs::JobsList/> }.into_any(),
                Tab::Terminals => view! { <terminals::TerminalsEditor/> }.into_any(),
                Tab::Discounts => view! { <discounts::DiscountsEditor/> }.into_any(),
                Tab::Refunds => view! { <refunds::RefundsEditor/> }.into_any(),
            }}
        </main>
    }
}
