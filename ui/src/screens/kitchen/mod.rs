//! The barista's display: tickets oldest first, large type on a dark screen, each with its
//! age turning amber then red at the shop's thresholds. Tap a line to start it, tap again
//! when it is done; the last line done makes the order ready, and Bump takes the ticket
//! off this display (Recall brings the last one back). New tickets arrive live with a short
//! chime (which can be turned off).
//!
//! It starts from `GET /api/v1/kitchen` (tickets + the event sequence they are current as
//! of) and follows `/api/v1/events?after=` that sequence: see [`crate::tickets`] for why
//! nothing is missed or shown twice, across dropped connections too.

mod batch;
mod chime;
mod display;
mod ticket;

use crate::api;
use crate::live::{Link, LinkState};
use crate::shell::use_shell;
use crate::storage;
use crate::tickets::{Applied, Tickets};
use batch::Batch;
use chime::{audio_context_ready, chime};
use crema_shared::api::{CloudEvent, KitchenDto};
use crema_shared::events::types;
use display::{Display, BUMPED_KEY};
use leptos::prelude::*;
use std::time::Duration;
use ticket::Ticket;
use uuid::Uuid;

const SOUND_KEY: &str = "crema.kds.sound";

#[component]
pub fn Kitchen() -> impl IntoView {
    let shell = use_shell();
    let display = Display {
        shell,
        tickets: RwSignal::new(None::<Tickets>),
        now: RwSignal::new(js_sys::Date::now()),
        thresholds: RwSignal::new((180u32, 360u32)),
        bumped: RwSignal::new(storage::load::<Vec<Uuid>>(BUMPED_KEY).unwrap_or_default()),
        error: RwSignal::new(None::<String>),
    };
    let Display { tickets, now, thresholds, bumped, error, .. } = display;
    let sound = RwSignal::new(storage::load::<bool>(SOUND_KEY).unwrap_or(true));
    let link = StoredValue::new_local(None::<Link>);
    let live = RwSignal::new(LinkState::Connecting);

    // The audio context takes a while to make: not on the first ticket's way to the screen.
    set_timeout(audio_context_ready, Duration::ZERO);
    if let Ok(tick) = set_interval_with_handle(move || now.set(js_sys::Date::now()), Duration::from_secs(1)) {
        on_cleanup(move || tick.clear());
    }

    // Events that arrive together are applied together: one redraw for a burst, not one each.
    let arrived = Batch::default();
    let start = move || {
        let arrived = arrived.clone();
        leptos::task::spawn_local(async move {
            match api::get::<KitchenDto>("/api/v1/kitchen").await {
                Ok(snapshot) => {
                    shell.saw_ok();
                    thresholds.set((snapshot.ticket_warn_seconds, snapshot.ticket_late_seconds));
                    let after = snapshot.after;
                    tickets.set(Some(Tickets::new(snapshot.orders, after)));
                    let opened = Link::open(
                        &format!("/api/v1/events?after={after}"),
                        None,
                        move |sequence, data| {
                            let Ok(event) = serde_json::from_str::<CloudEvent>(&data) else { return };
                            if event.event_type == types::SETTINGS_UPDATED {
                                let warn = event.data["ticket_warn_seconds"].as_u64().unwrap_or(180) as u32;
                                let late = event.data["ticket_late_seconds"].as_u64().unwrap_or(360) as u32;
                                thresholds.set((warn, late));
                            }
                            arrived.enqueue(sequence, event, move |events| {
                                let mut new_ticket = false;
                                tickets.update(|t| {
                                    if let Some(t) = t {
                                        for (sequence, event) in &events {
                                            let applied = t.apply(*sequence, &event.event_type, &event.data);
                                            new_ticket |= applied == Applied::NewTicket;
                                        }
                                    }
                                });
                                if new_ticket && sound.get_untracked() {
                                    chime();
                                }
                            });
                        },
                        move |state| live.set(state),
                    );
                    link.set_value(Some(opened));
                }
                Err(e) => shell.saw(&e),
            }
        });
    };
    start();
    // Not loaded because the server was unreachable: load when it is back.
    Effect::new(move |_| {
        if shell.online.get() && tickets.with_untracked(Option::is_none) && link.with_value(Option::is_none) {
            start();
        }
    });
    on_cleanup(move || link.update_value(|l| drop(l.take())));

    let recall = move |_| display.recall();
    let toggle_sound = move |_| {
        sound.update(|s| *s = !*s);
        storage::save(SOUND_KEY, &sound.get_untracked());
        if sound.get_untracked() {
            chime();
        }
    };

    // The tickets shown, by id: a ticket is drawn when it arrives and follows its own order
    // after that (see [`ticket`]); the count and the empty notice read them in place.
    let visible = move || {
        let hidden = bumped.get();
        tickets.with(|t| {
            t.as_ref().map(|t| t.orders.iter().filter(|o| !hidden.contains(&o.id)).map(|o| o.id).collect::<Vec<_>>())
        })
    };
    let shown = move || {
        let hidden = bumped.get();
        tickets.with(|t| t.as_ref().map(|t| t.orders.iter().filter(|o| !hidden.contains(&o.id)).count()))
    };
    let any_bumped = move || {
        let hidden = bumped.get();
        tickets.with(|t| t.as_ref().is_some_and(|t| t.orders.iter().any(|o| hidden.contains(&o.id))))
    };
    view! {
        <main class="kds">
            <header class="kds-bar">
                <h1>"Kitchen"</h1>
                <span class="live" class:down=move || live.get() != LinkState::Open data-test="live">
                    {move || match live.get() { LinkState::Open => "live", LinkState::Connecting => "connecting…", LinkState::Reconnecting => "reconnecting…" }}
                </span>
                <span class="count">{move || shown().map(|n| format!("{n} open")).unwrap_or_default()}</span>
                <button data-test="recall" disabled=move || !any_bumped() on:click=recall>"Recall last"</button>
                <button data-test="sound" on:click=toggle_sound>{move || if sound.get() { "Sound on" } else { "Sound off" }}</button>
            </header>
            <Show when=move || error.with(Option::is_some)>
                <p class="error banner" role="alert">{move || error.get()}</p>
            </Show>
            <section class="tickets">
                {move || match shown() {
                    None => view! { <p class="muted">"Loading tickets…"</p> }.into_any(),
                    Some(0) => view! { <p class="muted empty">"No open tickets"</p> }.into_any(),
                    Some(_) => ().into_any(),
                }}
                <For each=move || visible().unwrap_or_default() key=|id| *id children=move |id| view! { <Ticket display id /> } />
            </section>
        </main>
    }
}
