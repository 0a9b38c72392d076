//! The barista's display: tickets oldest first, large type on a dark screen, each with its
//! age turning amber then red at the shop's thresholds. Tap a line to start it, tap again
//! when it is done; the last line done makes the order ready, and Bump takes the ticket
//! off this display (Recall brings the last one back). New tickets arrive live with a short
//! chime (which can be turned off).
//!
//! It starts from `GET /api/v1/kitchen` (tickets + the event sequence they are current as
//! of) and follows `/api/v1/events?after=` that sequence: see [`crate::tickets`] for why
//! nothing is missed or shown twice, across dropped connections too.

use crate::api;
use crate::format::age;
use crate::live::{Link, LinkState};
use crate::shell::use_shell;
use crate::storage;
use crate::tickets::{urgency, Applied, Tickets, Urgency};
use crema_shared::api::{CloudEvent, KitchenDto, OrderDto};
use crema_shared::events::types;
use crema_shared::status::{LineStatus, OrderStatus};
use leptos::prelude::*;
use std::time::Duration;
use uuid::Uuid;

const BUMPED_KEY: &str = "crema.kds.bumped";
const SOUND_KEY: &str = "crema.kds.sound";

#[component]
pub fn Kitchen() -> impl IntoView {
    let shell = use_shell();
    let tickets = RwSignal::new(None::<Tickets>);
    let thresholds = RwSignal::new((180u32, 360u32));
    let now = RwSignal::new(js_sys::Date::now());
    let bumped = RwSignal::new(storage::load::<Vec<Uuid>>(BUMPED_KEY).unwrap_or_default());
    let sound = RwSignal::new(storage::load::<bool>(SOUND_KEY).unwrap_or(true));
    let link = StoredValue::new_local(None::<Link>);
    let error = RwSignal::new(None::<String>);
    let live = RwSignal::new(LinkState::Connecting);

    if let Ok(tick) = set_interval_with_handle(move || now.set(js_sys::Date::now()), Duration::from_secs(1)) {
        on_cleanup(move || tick.clear());
    }

    let start = move || {
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
                            let mut applied = Applied::Nothing;
                            tickets.update(|t| {
                                if let Some(t) = t {
                                    applied = t.apply(sequence, &event.event_type, &event.data);
                                }
                            });
                            if applied == Applied::NewTicket && sound.get_untracked() {
                                chime();
                            }
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

    let act = move |order: OrderDto, line: Uuid, status: LineStatus| {
        leptos::task::spawn_local(async move {
            let base = format!("/api/v1/orders/{}", order.id);
            let mut steps = Vec::new();
            match status {
                LineStatus::Queued => {
                    if order.status == OrderStatus::Placed {
                        steps.push(format!("{base}/accept"));
                    }
                    steps.push(format!("{base}/lines/{line}/start"));
                }
                LineStatus::Making => steps.push(format!("{base}/lines/{line}/done")),
                LineStatus::Done => {}
            }
            for step in steps {
                match api::post::<OrderDto>(&step).await {
                    Ok(updated) => {
                        error.set(None);
                        tickets.update(|t| {
                            if let Some(t) = t {
                                t.replace(updated);
                            }
                        });
                    }
                    Err(e) => {
                        shell.saw(&e);
                        error.set(Some(e.message()));
                        break;
                    }
                }
            }
        });
    };
    let bump = move |id: Uuid| {
        bumped.update(|b| {
            b.retain(|x| *x != id);
            b.push(id);
            let keep = b.len().saturating_sub(50);
            b.drain(..keep);
        });
        storage::save(BUMPED_KEY, &bumped.get_untracked());
    };
    let recall = move |_| {
        let shown: Vec<Uuid> =
            tickets.with_untracked(|t| t.as_ref().map(|t| t.orders.iter().map(|o| o.id).collect()).unwrap_or_default());
        bumped.update(|b| {
            if let Some(pos) = b.iter().rposition(|id| shown.contains(id)) {
                b.remove(pos);
            }
        });
        storage::save(BUMPED_KEY, &bumped.get_untracked());
    };
    let hand_over = move |id: Uuid| {
        leptos::task::spawn_local(async move {
            match api::post::<OrderDto>(&format!("/api/v1/orders/{id}/complete")).await {
                Ok(done) => tickets.update(|t| {
                    if let Some(t) = t {
                        t.replace(done);
                    }
                }),
                Err(e) => {
                    shell.saw(&e);
                    error.set(Some(e.message()));
                }
            }
        });
    };
    let toggle_sound = move |_| {
        sound.update(|s| *s = !*s);
        storage::save(SOUND_KEY, &sound.get_untracked());
        if sound.get_untracked() {
            chime();
        }
    };

    let visible = move || {
        let hidden = bumped.get();
        tickets.with(|t| {
            t.as_ref().map(|t| t.orders.iter().filter(|o| !hidden.contains(&o.id)).cloned().collect::<Vec<_>>())
        })
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
                <span class="count">{move || visible().map(|v| format!("{} open", v.len())).unwrap_or_default()}</span>
                <button data-test="recall" disabled=move || !any_bumped() on:click=recall>"Recall last"</button>
                <button data-test="sound" on:click=toggle_sound>{move || if sound.get() { "Sound on" } else { "Sound off" }}</button>
            </header>
            <Show when=move || error.with(Option::is_some)>
                <p class="error banner" role="alert">{move || error.get()}</p>
            </Show>
            <section class="tickets">
                {move || match visible() {
                    None => view! { <p class="muted">"Loading tickets…"</p> }.into_any(),
                    Some(list) if list.is_empty() => view! { <p class="muted empty">"No open tickets"</p> }.into_any(),
                    Some(_) => ().into_any(),
                }}
                // Keyed by id and version: a change re-renders that ticket only.
                <For
                    each=move || visible().unwrap_or_default()
                    key=|order| (order.id, order.version)
                    children=move |order| {
                        let created = order.created_at.timestamp_millis() as f64;
                        let seconds = move || ((now.get() - created) / 1000.0) as i64;
                        let level = move || {
                            let (warn, late) = thresholds.get();
                            urgency(seconds(), warn, late)
                        };
                        let ready = order.status == OrderStatus::Ready;
                        let id = order.id;
                        let first_name = order.customer_name.split_whitespace().next().unwrap_or_default().to_string();
                        view! {
                            <article class="ticket" data-ticket=order.ticket_number
                                class:warn=move || level() == Urgency::Warn
                                class:late=move || level() == Urgency::Late
                                class:ready=ready>
                                <header>
                                    <span class="number">"#" {crate::tickets::called(&order.ticket, order.ticket_number)}</span>
                                    <span class="name">{first_name}</span>
                                    <span class="age" data-test="age">{move || age(seconds())}</span>
                                    <Show when=move || shell.unsynced(id)>
                                        <span class="unsynced" data-test="unsynced" title="not synced with the shop's server yet">"⟳"</span>
                                    </Show>
                                </header>
                                <ul>
                                    {order
                                        .lines
                                        .iter()
                                        .map(|line| {
                                            let (o, line_id, status) = (order.clone(), line.id, line.status);
                                            let options: Vec<String> = line.options.iter().map(|opt| opt.name.clone()).collect();
                                            view! {
                                                <li>
                                                    <button class="kds-line" data-line=line.name.clone() data-status=status.to_string()
                                                        class:making=status == LineStatus::Making
                                                        class:done=status == LineStatus::Done
                                                        on:click=move |_| act(o.clone(), line_id, status)>
                                                        <span class="qty">{line.quantity} "×"</span>
                                                        <span class="what">
                                                            <strong>{line.name.clone()}</strong>
                                                            <small>{options.join(", ")}</small>
                                                            {line.note.clone().map(|n| view! { <em class="note">"“" {n} "”"</em> })}
                                                        </span>
                                                        <span class="state">{match status { LineStatus::Queued => "tap to start", LineStatus::Making => "making · tap when done", LineStatus::Done => "done" }}</span>
                                                    </button>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                                <Show when=move || ready>
                                    <footer>
                                        <button class="primary" data-test="bump" on:click=move |_| bump(id)>"Bump"</button>
                                        <button class="secondary" data-test="handed-over" on:click=move |_| hand_over(id)>"Handed over"</button>
                                    </footer>
                                </Show>
                            </article>
                        }
                    }
                />
            </section>
        </main>
    }
}

/// A short two-tone chime (Web Audio; nothing to download).
fn chime() {
    let Ok(ctx) = web_sys::AudioContext::new() else { return };
    let play = |frequency: f32, at: f64| -> Option<()> {
        let osc = ctx.create_oscillator().ok()?;
        let gain = ctx.create_gain().ok()?;
        osc.frequency().set_value(frequency);
        gain.gain().set_value_at_time(0.2, at).ok()?;
        gain.gain().exponential_ramp_to_value_at_time(0.001, at + 0.25).ok()?;
        osc.connect_with_audio_node(&gain).ok()?;
        gain.connect_with_audio_node(&ctx.destination()).ok()?;
        osc.start_with_when(at).ok()?;
        osc.stop_with_when(at + 0.3).ok()
    };
    let t = ctx.current_time();
    let _ = play(880.0, t);
    let _ = play(1320.0, t + 0.12);
}
