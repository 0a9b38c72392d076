//! The pickup board for a TV facing the customers: "Preparing" and "Ready", ticket number
//! and first name, live from `/api/v1/board/stream` (no sign-in; each message is the whole
//! board, so a TV that lost its connection is right again as soon as it is back).

use crate::live::{Link, LinkState};
use crema_shared::api::{BoardDto, BoardTicket};
use leptos::prelude::*;

#[component]
pub fn Board() -> impl IntoView {
    let board = RwSignal::new(None::<BoardDto>);
    let state = RwSignal::new(LinkState::Connecting);
    let link = Link::open(
        "/api/v1/board/stream",
        Some("board"),
        move |_, data| {
            if let Ok(b) = serde_json::from_str::<BoardDto>(&data) {
                board.set(Some(b));
            }
        },
        move |s| state.set(s),
    );
    let link = StoredValue::new_local(Some(link));
    on_cleanup(move || link.update_value(|l| drop(l.take())));

    let column = move |title: &'static str, test: &'static str, pick: fn(&BoardDto) -> &Vec<BoardTicket>| {
        view! {
            <section class="column" data-test=test>
                <h2>{title}</h2>
                <ul>
                    {move || {
                        board.with(|b| b.as_ref().map(|b| pick(b).clone()).unwrap_or_default())
                            .into_iter()
                            .map(|t| view! {
                                <li data-ticket=t.ticket_number>
                                    <span class="number">{crate::tickets::called(&t.ticket, t.ticket_number)}</span>
                                    <span class="name">{t.name}</span>
                                </li>
                            })
                            .collect_view()
                    }}
                </ul>
            </section>
        }
    };
    view! {
        <main class="board">
            {column("Preparing", "preparing", |b| &b.preparing)}
            {column("Ready", "ready", |b| &b.ready)}
            <Show when=move || state.get() != LinkState::Open>
                <p class="board-status">"Reconnecting…"</p>
            </Show>
        </main>
    }
}
