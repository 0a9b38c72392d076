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
                LineStatus::Done | LineStatus::Voided => {}
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

    // The tickets shown, copied once per change for the list; the count and the empty
    // notice read them in place (a busy display changes many times a second).
    let visible = move || {
        let hidden = bumped.get();
        tickets.with(|t| {
            t.as_ref().map(|t| t.orders.iter().filter(|o| !hidden.contains(&o.id)).cloned().collect::<Vec<_>>())
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
                                                        class:voided=status == LineStatus::Voided
                                                        on:click=move |_| act(o.clone(), line_id, status)>
                                                        <span class="qty">{line.quantity} "×"</span>
                                                        <span class="what">
                                                            <strong>{line.name.clone()}</strong>
                                                            <small>{options.join(", ")}</small>
                                                            {line.note.clone().map(|n| view! { <em class="note">"“" {n} "”"</em> })}
                                                        </span>
                                                        <span class="state">{match status { LineStatus::Queued => "tap to start", LineStatus::Making => "making · tap when done", LineStatus::Done => "done", LineStatus::Voided => "voided · do not make" }}</span>
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

/// Events waiting to be applied together. After a quiet spell the first event is drawn at
/// once (on the next task); while events keep coming they are drawn at most once per
/// [`BATCH_WINDOW`], all that arrived meanwhile at a time. A timer, not an animation frame,
/// so a hidden display does not pile them up.
#[derive(Clone, Default)]
struct Batch(std::rc::Rc<BatchInner>);

#[derive(Default)]
struct BatchInner {
    waiting: std::cell::RefCell<Vec<(Option<i64>, CloudEvent)>>,
    /// When the last batch was drawn (ms since the epoch).
    drawn_at: std::cell::Cell<f64>,
}

/// How often, at most, a burst of events is drawn.
const BATCH_WINDOW: Duration = Duration::from_millis(16);

impl Batch {
    fn enqueue(
        &self,
        sequence: Option<i64>,
        event: CloudEvent,
        apply: impl FnOnce(Vec<(Option<i64>, CloudEvent)>) + 'static,
    ) {
        let first = {
            let mut waiting = self.0.waiting.borrow_mut();
            waiting.push((sequence, event));
            waiting.len() == 1
        };
        if first {
            let since = js_sys::Date::now() - self.0.drawn_at.get();
            let window = BATCH_WINDOW.as_secs_f64() * 1000.0;
            let wait = Duration::from_secs_f64((window - since).clamp(0.0, window) / 1000.0);
            let inner = self.0.clone();
            set_timeout(
                move || {
                    inner.drawn_at.set(js_sys::Date::now());
                    apply(inner.waiting.take());
                },
                wait,
            );
        }
    }
}

thread_local! {
    /// The display's one audio context, made at the first chime and kept: a context per
    /// chime kept an audio thread each, and a busy day's worth of them took the tablet's
    /// CPU and memory.
    static AUDIO: std::cell::RefCell<Option<web_sys::AudioContext>> = const { std::cell::RefCell::new(None) };
    /// When the last chime sounded (ms since the epoch): tickets arriving together chime once.
    static LAST_CHIME: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// The shortest time between two chimes.
const CHIME_GAP_MS: f64 = 400.0;

/// Makes the display's audio context if it is not made yet.
fn audio_context_ready() {
    AUDIO.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = web_sys::AudioContext::new().ok();
        }
    });
}

/// A short two-tone chime (Web Audio; nothing to download).
fn chime() {
    let now = js_sys::Date::now();
    if now - LAST_CHIME.with(std::cell::Cell::get) < CHIME_GAP_MS {
        return;
    }
    LAST_CHIME.with(|last| last.set(now));
    audio_context_ready();
    AUDIO.with(|slot| {
        let slot = slot.borrow();
        let Some(ctx) = slot.as_ref() else { return };
        // Made before anyone touched the screen, it starts suspended; the sign-in was a touch.
        if ctx.state() == web_sys::AudioContextState::Suspended {
            let _ = ctx.resume();
        }
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
    });
}
