//! Staff: add someone with a role and a PIN, change roles, reset a PIN, deactivate.

use super::form::{Field, FormState, Outcome};
use crate::api;
use crate::shell::use_shell;
use crema_shared::api::{NewStaffRequest, PinRequest, StaffDto, StaffPatch};
use crema_shared::staff::Role;
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn StaffEditor() -> impl IntoView {
    let shell = use_shell();
    let staff = RwSignal::new(Vec::<StaffDto>::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Vec<StaffDto>>("/api/v1/staff").await {
                Ok(list) => staff.set(list),
                Err(e) => shell.saw(&e),
            }
        });
    };
    reload();
    let list_form = FormState::new();
    let patch = move |id: Uuid, body: StaffPatch, done: &'static str| {
        leptos::task::spawn_local(async move {
            let result = api::send::<_, StaffDto>("PATCH", &format!("/api/v1/staff/{id}"), Some(&body), &[]).await;
            if list_form.done(&result, done) {
                reload();
            }
        });
    };
    let pin_for = RwSignal::new(None::<Uuid>);
    let new_pin = RwSignal::new(String::new());
    let pin_form = FormState::new();
    let set_pin = move |_| {
        let Some(id) = pin_for.get_untracked() else { return };
        let body = PinRequest { pin: new_pin.get_untracked() };
        leptos::task::spawn_local(async move {
            let result = api::send::<_, StaffDto>("PUT", &format!("/api/v1/staff/{id}/pin"), Some(&body), &[]).await;
            if pin_form.done(&result, "PIN changed.") {
                pin_for.set(None);
                new_pin.set(String::new());
            }
        });
    };

    let name = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Cashier);
    let add_form = FormState::new();
    let add = move |_| {
        let email_text = email.get_untracked();
        let body = NewStaffRequest {
            name: name.get_untracked(),
            role: role.get_untracked(),
            pin: pin.get_untracked(),
            email: (!email_text.trim().is_empty()).then_some(email_text),
        };
        leptos::task::spawn_local(async move {
            let result = api::send::<_, StaffDto>("POST", "/api/v1/staff", Some(&body), &[]).await;
            if add_form.done(&result, "Added.") {
                name.set(String::new());
                pin.set(String::new());
                email.set(String::new());
                reload();
            }
        });
    };

    view! {
        <section class="staff-editor">
            <h2>"Staff"</h2>
            <Outcome form=list_form/>
            <table class="rows">
                <tr><th>"Name"</th><th>"Role"</th><th>"Email"</th><th>"Status"</th><th></th></tr>
                {move || staff.get().into_iter().map(|s| {
                    let (id, active) = (s.id, s.active);
                    view! {
                        <tr class:inactive=!active>
                            <td>{s.name.clone()}</td>
                            <td>
                                <select on:change=move |ev| {
                                    if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                        patch(id, StaffPatch { role: Some(r), ..Default::default() }, "Role changed.");
                                    }
                                }>
                                    {Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == s.role>{r.as_str()}</option> }).collect_view()}
                                </select>
                            </td>
                            <td>{s.email.clone().unwrap_or_default()}</td>
                            <td>{if active { "active" } else { "deactivated" }}</td>
                            <td>
                                <button class="small" on:click=move |_| pin_for.set(Some(id))>"Reset PIN"</button>
                                <button class="small" class:danger=active
                                    on:click=move |_| patch(id, StaffPatch { active: Some(!active), ..Default::default() }, if active { "Deactivated and signed out." } else { "Activated." })>
                                    {if active { "Deactivate" } else { "Activate" }}
                                </button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </table>
            <Show when=move || pin_for.with(Option::is_some)>
                <div class="editor">
                    <h3>"New PIN"</h3>
                    <Field label="PIN (4 to 8 digits, nobody else's)" field="pin" value=new_pin form=pin_form kind="password"/>
                    <Outcome form=pin_form/>
                    <button class="secondary" on:click=move |_| pin_for.set(None)>"Close"</button>
                    <button class="primary" on:click=set_pin>"Set PIN"</button>
                </div>
            </Show>
            <div class="editor">
                <h3>"Add someone"</h3>
                <Field label="Name" field="name" value=name form=add_form/>
                <label class="field">
                    <span>"Role"</span>
                    <select name="role" on:change=move |ev| if let Some(r) = Role::parse(&event_target_value(&ev)) { role.set(r) }>
                        {Role::ALL.iter().map(|r| view! { <option value=r.as_str()>{r.as_str()}</option> }).collect_view()}
                    </select>
                </label>
                <Field label="PIN" field="pin" value=pin form=add_form kind="password"/>
                <Field label="Email (managers get the end-of-day summary)" field="email" value=email form=add_form/>
                <Outcome form=add_form/>
                <button class="primary" on:click=add>"Add"</button>
            </div>
        </section>
    }
}
