//! Terminals: enrol a screen (a one-time pairing code, also as a link to open on the
//! tablet), rename, pair a replacement, revoke.

use super::form::{Field, FormState, Outcome};
use crate::api;
use crate::shell::use_shell;
use crema_shared::api::{NewTerminalRequest, TerminalDto};
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn TerminalsEditor() -> impl IntoView {
    let shell = use_shell();
    let terminals = RwSignal::new(Vec::<TerminalDto>::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Vec<TerminalDto>>("/api/v1/terminals").await {
                Ok(list) => terminals.set(list),
                Err(e) => shell.saw(&e),
            }
        });
    };
    reload();
    let issued = RwSignal::new(None::<TerminalDto>);
    let list_form = FormState::new();
    let new_code = move |id: Uuid| {
        leptos::task::spawn_local(async move {
            let result = api::send::<(), TerminalDto>("POST", &format!("/api/v1/terminals/{id}/code"), None, &[]).await;
            if list_form.done(&result, "New pairing code made.") {
                issued.set(result.ok());
                reload();
            }
        });
    };
    let revoke = move |id: Uuid| {
        leptos::task::spawn_local(async move {
            let result = api::send::<(), TerminalDto>("DELETE", &format!("/api/v1/terminals/{id}"), None, &[]).await;
            if list_form.done(&result, "Revoked: it signs in as its address from now on.") {
                reload();
            }
        });
    };
    let name = RwSignal::new(String::new());
    let add_form = FormState::new();
    let add = move |_| {
        let body = NewTerminalRequest { name: name.get_untracked() };
        leptos::task::spawn_local(async move {
            let result = api::send::<_, TerminalDto>("POST", "/api/v1/terminals", Some(&body), &[]).await;
            if add_form.done(&result, "Enrolled: pair the screen with the code below within 15 minutes.") {
                name.set(String::new());
                issued.set(result.ok());
                reload();
            }
        });
    };
    let origin = move || web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    view! {
        <section class="terminals-editor">
            <h2>"Terminals"</h2>
            <p class="hint">"An enrolled screen has its own sign-in limit: wrong PINs typed elsewhere never lock it out."</p>
            <Outcome form=list_form/>
            <Show when=move || issued.with(Option::is_some)>
                {move || issued.get().map(|t| {
                    let code = t.code.clone().unwrap_or_default();
                    let link = format!("{}/pos#enrol={code}", origin());
                    view! {
                        <div class="editor issued" data-test="pairing-code">
                            <h3>{format!("Pairing code for {} ({})", t.name, t.label)}</h3>
                            <p class="code">{code}</p>
                            <p class="hint">"Type it under “Set up this screen” on the screen's sign-in page, or open this link there:"</p>
                            <p class="hint"><code>{link}</code></p>
                        </div>
                    }
                })}
            </Show>
            <table class="rows">
                <tr><th>"Name"</th><th>"Label"</th><th>"Status"</th><th>"Last seen"</th><th></th></tr>
                {move || terminals.get().into_iter().map(|t| {
                    let id = t.id;
                    let live = t.status != "revoked";
                    view! {
                        <tr class:inactive=!live>
                            <td>{t.name.clone()}</td>
                            <td>{t.label.clone()}</td>
                            <td>{t.status.clone()}</td>
                            <td>{t.last_seen_at.map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default()}</td>
                            <td>
                                <Show when=move || live>
                                    <button class="small" on:click=move |_| new_code(id)>"New code"</button>
                                    <button class="small danger" on:click=move |_| revoke(id)>"Revoke"</button>
                                </Show>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </table>
            <div class="editor">
                <h3>"Enrol a screen"</h3>
                <Field label="Name (Till 1, Kitchen)" field="name" value=name form=add_form/>
                <Outcome form=add_form/>
                <button class="primary" on:click=add>"Enrol"</button>
            </div>
        </section>
    }
}
