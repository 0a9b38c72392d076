//! The PIN pad: tap or type the digits, Enter to sign in.

use crate::api::{self, ApiError};
use crate::shell::{use_shell, Screen};
use crema_shared::api::SessionDto;
use crema_shared::staff::MAX_PIN_DIGITS;
use leptos::prelude::*;
use serde_json::json;

#[component]
pub fn SignIn() -> impl IntoView {
    let shell = use_shell();
    let pin = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let press = move |digit: char| {
        pin.update(|p| {
            if p.len() < MAX_PIN_DIGITS {
                p.push(digit);
            }
        });
        error.set(None);
    };
    let submit = move || {
        let entered = pin.get_untracked();
        if entered.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let body = json!({ "pin": entered });
            let terminal = crate::terminal::header();
            let headers: Vec<(&str, &str)> = terminal.iter().map(|(name, value)| (*name, value.as_str())).collect();
            match api::send::<_, SessionDto>("POST", "/api/v1/sessions", Some(&body), &headers).await {
                Ok(session) => {
                    shell.saw_ok();
                    let role = session.staff.role;
                    shell.session.set(Some(session));
                    pin.set(String::new());
                    let wanted = shell.screen.get_untracked();
                    shell.go(if wanted != Screen::SignIn && wanted.allowed(role) {
                        wanted
                    } else {
                        Screen::home(role)
                    });
                }
                Err(e) => {
                    shell.saw(&e);
                    pin.set(String::new());
                    error.set(Some(match &e {
                        ApiError::Refused(p) if p.status == 401 => "That PIN is not right. Try again.".to_string(),
                        other => other.message(),
                    }));
                }
            }
            busy.set(false);
        });
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev| match ev.key().as_str() {
        k if k.len() == 1 && k.chars().all(|c| c.is_ascii_digit()) => press(k.chars().next().unwrap_or('0')),
        "Backspace" => pin.update(|p| {
            p.pop();
        }),
        "Enter" => submit(),
        "Escape" => pin.set(String::new()),
        _ => {}
    });
    on_cleanup(move || keys.remove());

    let digit = move |d: char| {
        view! { <button class="key" data-key=d.to_string() on:click=move |_| press(d)>{d.to_string()}</button> }
    };
    view! {
        <main class="sign-in">
            <h1>"Crema"</h1>
            <p class="hint">"Enter your PIN"</p>
            <div class="pin-dots" data-test="pin-dots">
                {move || (0..pin.with(String::len)).map(|_| view! { <span class="dot"></span> }).collect_view()}
            </div>
            <div class="pinpad">
                {['1', '2', '3', '4', '5', '6', '7', '8', '9'].into_iter().map(digit).collect_view()}
                <button class="key muted" on:click=move |_| pin.set(String::new())>"Clear"</button>
                {digit('0')}
                <button class="key go" data-key="enter" disabled=move || busy.get() on:click=move |_| submit()>"Sign in"</button>
            </div>
            <Show when=move || error.with(Option::is_some)>
                <p class="error" role="alert">{move || error.get()}</p>
            </Show>
            <p class="hint"><a href="/board">"Pickup board (no sign-in)"</a></p>
            <Enrol/>
        </main>
    }
}

/// "Set up this screen": pairs it with a one-time code from the manager's Terminals tab.
#[component]
fn Enrol() -> impl IntoView {
    let open = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<String>);
    let enrolled = RwSignal::new(crate::terminal::credential().is_some());
    let pair = move |_| {
        let typed = code.get_untracked();
        leptos::task::spawn_local(async move {
            match crate::terminal::pair(&typed, false).await {
                Ok(paired) => {
                    enrolled.set(true);
                    open.set(false);
                    code.set(String::new());
                    outcome.set(Some(format!("This screen is now {} ({}).", paired.name, paired.label)));
                }
                Err(e) => outcome.set(Some(e.message())),
            }
        });
    };
    view! {
        <div class="enrol">
            <Show when=move || !open.get()>
                <button class="link" data-test="enrol-open" on:click=move |_| open.set(true)>
                    {move || if enrolled.get() { "Enrolled terminal · pair again" } else { "Set up this screen as a terminal" }}
                </button>
            </Show>
            <Show when=move || open.get()>
                <label class="field">
                    <span>"Pairing code from the manager's Terminals tab"</span>
                    <input name="pairing-code" autocomplete="off" prop:value=move || code.get()
                        on:input=move |ev| code.set(event_target_value(&ev))
                        on:keydown=move |ev| ev.stop_propagation()/>
                </label>
                <button class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                <button class="primary" data-test="enrol-pair" on:click=pair>"Pair"</button>
            </Show>
            <Show when=move || outcome.with(Option::is_some)>
                <p class="hint" role="status" data-test="enrol-outcome">{move || outcome.get()}</p>
            </Show>
        </div>
    }
}
