//! Discount reasons: who may give each alone at the till and how much; beyond that the till
//! asks for a manager's PIN.

use super::form::{Field, FormState, Outcome};
use crate::api;
use crate::shell::use_shell;
use crema_shared::api::{DiscountReasonDto, DiscountReasonPatch, NewDiscountReasonRequest};
use crema_shared::staff::Role;
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn DiscountsEditor() -> impl IntoView {
    let shell = use_shell();
    let reasons = RwSignal::new(Vec::<DiscountReasonDto>::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Vec<DiscountReasonDto>>("/api/v1/discount-reasons").await {
                Ok(list) => reasons.set(list),
                Err(e) => shell.saw(&e),
            }
        });
    };
    reload();
    let list_form = FormState::new();
    let toggle = move |id: Uuid, active: bool| {
        let body = DiscountReasonPatch { active: Some(active), ..Default::default() };
        leptos::task::spawn_local(async move {
            let result =
                api::send::<_, DiscountReasonDto>("PATCH", &format!("/api/v1/discount-reasons/{id}"), Some(&body), &[])
                    .await;
            if list_form.done(&result, if active { "Offered at the till again." } else { "No longer offered." }) {
                reload();
            }
        });
    };
    let (name, limit, cashiers) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(true));
    let add_form = FormState::new();
    let add = move |_| {
        let Some(limit_bps) = add_form.amount("limit_bps", &limit.get_untracked()) else { return };
        let roles = if cashiers.get_untracked() { vec![Role::Cashier] } else { vec![] };
        let body = NewDiscountReasonRequest {
            name: name.get_untracked(),
            roles,
            limit_bps: u32::try_from(limit_bps).unwrap_or(u32::MAX),
        };
        leptos::task::spawn_local(async move {
            let result = api::send::<_, DiscountReasonDto>("POST", "/api/v1/discount-reasons", Some(&body), &[]).await;
            if add_form.done(&result, "Added: the till offers it now.") {
                name.set(String::new());
                limit.set(String::new());
                reload();
            }
        });
    };
    view! {
        <section class="discounts-editor">
            <h2>"Discount reasons"</h2>
            <Outcome form=list_form/>
            <table class="rows">
                <tr><th>"Reason"</th><th>"Alone by"</th><th>"Up to"</th><th>"Offered"</th><th></th></tr>
                {move || reasons.get().into_iter().map(|r| {
                    let (id, active) = (r.id, r.active);
                    let roles: Vec<&str> = r.roles.iter().map(|role| role.as_str()).collect();
                    view! {
                        <tr data-reason=r.name.clone()>
                            <td>{r.name.clone()}</td>
                            <td>{if roles.is_empty() { "managers only".to_string() } else { roles.join(", ") }}</td>
                            <td>{format!("{}.{:02} %", r.limit_bps / 100, r.limit_bps % 100)}</td>
                            <td>{if active { "yes" } else { "no" }}</td>
                            <td><button on:click=move |_| toggle(id, !active)>{if active { "Retire" } else { "Offer again" }}</button></td>
                        </tr>
                    }
                }).collect_view()}
            </table>
            <div class="editor">
                <h3>"New reason"</h3>
                <Field label="Name" field="name" value=name form=add_form/>
                <Field label="Most a cashier may take off alone (%)" field="limit_bps" value=limit form=add_form/>
                <label class="check">
                    <input type="checkbox" prop:checked=move || cashiers.get()
                        on:change=move |ev| cashiers.set(event_target_checked(&ev))/>
                    "Cashiers may give it (else managers only)"
                </label>
                <button class="primary" on:click=add>"Add"</button>
                <Outcome form=add_form/>
            </div>
        </section>
    }
}
