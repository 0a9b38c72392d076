//! One ticket on the kitchen display. It is drawn once, when it arrives; after that only
//! what changed is drawn again — a line's state, the ready footer, the age — not the whole
//! ticket for each tap. A display at a busy hub follows hundreds of orders a minute, each
//! moving half a dozen times; rebuilding tickets for every move took most of its renderer.

use super::display::Display;
use crate::format::age;
use crate::tickets::{called, urgency, Urgency};
use crema_shared::api::OrderLineDto;
use crema_shared::status::{LineStatus, OrderStatus};
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn Ticket(display: Display, id: Uuid) -> impl IntoView {
    let Some(first) = display.order(id) else { return ().into_any() };
    let tickets = display.tickets;
    // This order as it is now: a change to another ticket leaves this one alone.
    let order = Memo::new(move |_| tickets.with(|t| t.as_ref().and_then(|t| t.get(id)).cloned()));
    let created = first.created_at.timestamp_millis() as f64;
    let seconds = move || ((display.now.get() - created) / 1000.0) as i64;
    let level = move || {
        let (warn, late) = display.thresholds.get();
        urgency(seconds(), warn, late)
    };
    let ready = move || order.with(|o| o.as_ref().is_some_and(|o| o.status == OrderStatus::Ready));
    let lines = move || order.with(|o| o.as_ref().map(|o| o.lines.clone()).unwrap_or_default());
    let first_name = first.customer_name.split_whitespace().next().unwrap_or_default().to_string();
    let shell = display.shell;
    view! {
        <article class="ticket" data-ticket=first.ticket_number
            class:warn=move || level() == Urgency::Warn
            class:late=move || level() == Urgency::Late
            class:ready=ready>
            <header>
                <span class="number">"#" {called(&first.ticket, first.ticket_number)}</span>
                <span class="name">{first_name}</span>
                <span class="age" data-test="age">{move || age(seconds())}</span>
                <Show when=move || shell.unsynced(id)>
                    <span class="unsynced" data-test="unsynced" title="not synced with the shop's server yet">"⟳"</span>
                </Show>
            </header>
            <ul>
                // A line is drawn again only when its state changes.
                <For each=lines key=|line| (line.id, line.status) children=move |line| view! { <Line display order=id line /> } />
            </ul>
            <Show when=ready>
                <footer>
                    <button class="primary" data-test="bump" on:click=move |_| display.bump(id)>"Bump"</button>
                    <button class="secondary" data-test="handed-over" on:click=move |_| display.hand_over(id)>"Handed over"</button>
                </footer>
            </Show>
        </article>
    }
    .into_any()
}

#[component]
fn Line(display: Display, order: Uuid, line: OrderLineDto) -> impl IntoView {
    let (line_id, status) = (line.id, line.status);
    let name = line.name.clone();
    let options = line.options.iter().map(|opt| opt.name.as_str()).collect::<Vec<_>>().join(", ");
    // The order as it is at the tap (accepted by another barista meanwhile, say).
    let tap = move |_| {
        if let Some(now) = display.order(order) {
            display.tap_line(now, line_id, status);
        }
    };
    view! {
        <li>
            <button class="kds-line" data-line=name data-status=status.to_string()
                class:making=status == LineStatus::Making
                class:done=status == LineStatus::Done
                class:voided=status == LineStatus::Voided
                on:click=tap>
                <span class="qty">{line.quantity} "×"</span>
                <span class="what">
                    <strong>{line.name}</strong>
                    <small>{options}</small>
                    {line.note.map(|n| view! { <em class="note">"“" {n} "”"</em> })}
                </span>
                <span class="state">{match status { LineStatus::Queued => "tap to start", LineStatus::Making => "making · tap when done", LineStatus::Done => "done", LineStatus::Voided => "voided · do not make" }}</span>
            </button>
        </li>
    }
}
