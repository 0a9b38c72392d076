//! The root: the shell (session, screen, connection) and the screen it shows.

use crate::screens::{board::Board, kitchen::Kitchen, manage::Manage, pos::Pos, sign_in::SignIn};
use crate::shell::{check_session, watch_connection, Screen, Shell};
use crema_shared::api::SessionDto;
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let shell = Shell::new();
    provide_context(shell);
    watch_connection(shell);
    // A code handed over in the address enrols this screen as a terminal.
    if let Some((code, this_window_only)) = crate::terminal::code_in_address() {
        leptos::task::spawn_local(async move {
            if let Err(e) = crate::terminal::pair(&code, this_window_only).await {
                shell.saw(&e);
            }
        });
    }
    // At start, and again whenever the server comes back while nobody is signed in.
    Effect::new(move |_| {
        if shell.online.get() && shell.session.get_untracked().is_none() {
            check_session(shell);
        }
    });
    // The browser's back and forward buttons.
    let popstate = window_event_listener(leptos::ev::popstate, move |_| {
        let path = window().location().pathname().unwrap_or_default();
        if let Some(screen) = Screen::from_path(&path) {
            shell.screen.set(screen);
        }
    });
    on_cleanup(move || popstate.remove());

    let showing = move || {
        let screen = shell.screen.get();
        if screen == Screen::Board {
            return Screen::Board;
        }
        match shell.role() {
            Some(role) if screen != Screen::SignIn && screen.allowed(role) => screen,
            Some(role) => Screen::home(role),
            None => Screen::SignIn,
        }
    };
    view! {
        <div class="app" class:board-mode=move || showing() == Screen::Board>
            <Show when=move || !shell.online.get()>
                <div class="offline" role="alert">"Can't reach the Crema server. Retrying… (your input is kept)"</div>
            </Show>
            <Show when=move || showing() != Screen::Board && shell.session.with(Option::is_some)>
                <TopBar/>
            </Show>
            {move || {
                if !shell.checked.get() && showing() != Screen::Board {
                    return view! { <div class="loading">"Crema"</div> }.into_any();
                }
                match showing() {
                    Screen::SignIn => view! { <SignIn/> }.into_any(),
                    Screen::Pos => view! { <Pos/> }.into_any(),
                    Screen::Kitchen => view! { <Kitchen/> }.into_any(),
                    Screen::Board => view! { <Board/> }.into_any(),
                    Screen::Manage => view! { <Manage/> }.into_any(),
                }
            }}
        </div>
    }
}

/// Who is signed in, the screens their role offers, and signing out.
#[component]
fn TopBar() -> impl IntoView {
    let shell = expect_context::<Shell>();
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            let _ = crate::api::send::<(), serde_json::Value>("DELETE", "/api/v1/sessions/current", None, &[]).await;
            shell.session.set(None);
            shell.go(Screen::SignIn);
        });
    };
    let who =
        move || shell.session.with(|s| s.as_ref().map(|s: &SessionDto| format!("{} · {}", s.staff.name, s.staff.role)));
    view! {
        <nav class="topbar">
            <span class="brand">"Crema"</span>
            {move || {
                shell
                    .role()
                    .map(Screen::offered)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|screen| {
                        view! {
                            <button
                                class="tab"
                                class:active=move || shell.screen.get() == screen
                                data-screen=screen.path()
                                on:click=move |_| shell.go(screen)
                            >
                                {screen.title()}
                            </button>
                        }
                    })
                    .collect_view()
            }}
            <crate::sync_status::SyncBadge/>
            <span class="who" data-test="who">{who}</span>
            <button class="sign-out" on:click=sign_out>"Sign out"</button>
        </nav>
    }
}
