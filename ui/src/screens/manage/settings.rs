//! Settings: the shop's name, currency, tax, the kitchen display's ticket-age colours, tabs
//! and card tips, the receipt's header, footer and printer; mail as configured on the server; and where the
//! event log is forwarded (webhooks, Kafka).

use super::form::{Field, FormState, Outcome};
use crate::api;
use crate::shell::use_shell;
use crema_shared::api::{NewSinkRequest, SettingsDto, SettingsInput, SinkDto, SinkPatch};
use leptos::prelude::*;
use uuid::Uuid;

fn number(raw: &str) -> Option<i64> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.parse::<i64>().unwrap_or(-1))
}

#[component]
pub fn SettingsEditor() -> impl IntoView {
    let shell = use_shell();
    let loaded = RwSignal::new(None::<SettingsDto>);
    let name = RwSignal::new(String::new());
    let currency = RwSignal::new(String::new());
    let tax = RwSignal::new(String::new());
    let mode = RwSignal::new(String::new());
    let warn = RwSignal::new(String::new());
    let late = RwSignal::new(String::new());
    let header = RwSignal::new(String::new());
    let footer = RwSignal::new(String::new());
    let printer = RwSignal::new(String::new());
    let tabs_to_kitchen = RwSignal::new(true);
    let tip_limit = RwSignal::new(String::new());
    let fill = move |s: &SettingsDto| {
        tabs_to_kitchen.set(s.kitchen_before_paid);
        tip_limit.set(s.tip_adjust_limit_bps.to_string());
        header.set(s.receipt_header.clone());
        footer.set(s.receipt_footer.clone());
        printer.set(s.receipt_printer.clone().unwrap_or_default());
        name.set(s.shop_name.clone());
        currency.set(s.currency.clone());
        tax.set(s.tax_rate_bps.to_string());
        mode.set(s.tax_mode.clone());
        warn.set(s.ticket_warn_seconds.to_string());
        late.set(s.ticket_late_seconds.to_string());
    };
    leptos::task::spawn_local(async move {
        match api::get::<SettingsDto>("/api/v1/settings").await {
            Ok(s) => {
                fill(&s);
                loaded.set(Some(s));
            }
            Err(e) => shell.saw(&e),
        }
    });
    let form = FormState::new();
    let save = move |_| {
        let body = SettingsInput {
            shop_name: Some(name.get_untracked()),
            currency: Some(currency.get_untracked()),
            tax_rate_bps: number(&tax.get_untracked()),
            tax_mode: Some(mode.get_untracked()),
            ticket_warn_seconds: number(&warn.get_untracked()),
            ticket_late_seconds: number(&late.get_untracked()),
            receipt_header: Some(header.get_untracked()),
            receipt_footer: Some(footer.get_untracked()),
            receipt_printer: Some(printer.get_untracked()),
            kitchen_printers: None,
            kitchen_before_paid: Some(tabs_to_kitchen.get_untracked()),
            tip_adjust_limit_bps: number(&tip_limit.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            let result = api::send::<_, SettingsDto>("PATCH", "/api/v1/settings", Some(&body), &[]).await;
            if form.done(&result, "Saved.") {
                if let Ok(s) = result {
                    fill(&s);
                    loaded.set(Some(s));
                }
            }
        });
    };
    let mode_error = form.error("tax_mode");
    let header_error = form.error("receipt_header");
    let footer_error = form.error("receipt_footer");
    view! {
        <section class="settings-editor">
            <div class="editor">
                <h2>"Shop"</h2>
                // The fields appear once the stored values are in them: a value typed before
                // the load finished would be overwritten and the old one saved.
                <Show when=move || loaded.with(Option::is_some) fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <Field label="Shop name" field="shop_name" value=name form=form/>
                <Field label="Currency (ISO code, e.g. USD)" field="currency" value=currency form=form/>
                <Field label="Tax rate (basis points: 875 = 8.75 %)" field="tax_rate_bps" value=tax form=form kind="number"/>
                <label class="field">
                    <span>"Prices"</span>
                    <select name="tax_mode" on:change=move |ev| mode.set(event_target_value(&ev))>
                        <option value="exclusive" selected=move || mode.get() == "exclusive">"exclude tax (added at the till)"</option>
                        <option value="inclusive" selected=move || mode.get() == "inclusive">"include tax"</option>
                    </select>
                    <small class="error">{mode_error}</small>
                </label>
                <Field label="Ticket turns amber after (seconds)" field="ticket_warn_seconds" value=warn form=form kind="number"/>
                <Field label="Ticket turns red after (seconds)" field="ticket_late_seconds" value=late form=form kind="number"/>
                <h3>"Tabs and tips"</h3>
                <label class="field check">
                    <input type="checkbox" name="kitchen_before_paid" prop:checked=move || tabs_to_kitchen.get()
                        on:change=move |ev| tabs_to_kitchen.set(event_target_checked(&ev))/>
                    <span>"Send an order to the kitchen before it is paid (a tab). Off: it waits until paid."</span>
                </label>
                <Field label="A card's tip may be raised before capture up to (basis points: 2500 = 25 %)" field="tip_adjust_limit_bps" value=tip_limit form=form kind="number"/>
                <h3>"Receipts"</h3>
                <label class="field">
                    <span>"Receipt header (address, hours)"</span>
                    <textarea name="receipt_header" rows="3" prop:value=move || header.get()
                        on:input=move |ev| header.set(event_target_value(&ev))></textarea>
                    <small class="error">{header_error}</small>
                </label>
                <label class="field">
                    <span>"Receipt footer"</span>
                    <textarea name="receipt_footer" rows="2" prop:value=move || footer.get()
                        on:input=move |ev| footer.set(event_target_value(&ev))></textarea>
                    <small class="error">{footer_error}</small>
                </label>
                <Field label="Receipt printer (tcp://host:9100; empty: none)" field="receipt_printer" value=printer form=form/>
                {move || loaded.get().map(|s| match s.receipt_printer_in_use {
                    Some(p) => view! { <p class="muted">"Receipts print on " <strong>{p}</strong> "."</p> }.into_any(),
                    None => view! { <p class="muted">"Receipts are not printed (no printer set)."</p> }.into_any(),
                })}
                <Outcome form=form/>
                <button class="primary" on:click=save>"Save settings"</button>
                </Show>
            </div>
            {move || loaded.get().map(|s| view! { <super::stations::KitchenPrinters current=s.kitchen_printers/> })}
            <div class="editor">
                <h2>"Mail"</h2>
                {move || loaded.get().map(|s| if s.smtp_configured {
                    view! { <p>"Ready-for-pickup emails and the end-of-day summary are sent from " <strong>{s.mail_from}</strong> "."</p> }.into_any()
                } else {
                    view! { <p class="muted">"Mail is off. Set CREMA_SMTP_URL on the server (see docs/configuration.md) to send ready-for-pickup emails and the end-of-day summary."</p> }.into_any()
                })}
            </div>
            <Sinks/>
        </section>
    }
}

/// Webhooks and Kafka topics the event log is forwarded to.
#[component]
fn Sinks() -> impl IntoView {
    let shell = use_shell();
    let sinks = RwSignal::new(Vec::<SinkDto>::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Vec<SinkDto>>("/api/v1/sinks").await {
                Ok(list) => sinks.set(list),
                Err(e) => shell.saw(&e),
            }
        });
    };
    reload();
    let list_form = FormState::new();
    let set_active = move |id: Uuid, active: bool| {
        leptos::task::spawn_local(async move {
            let body = SinkPatch { active: Some(active), ..Default::default() };
            let result = api::send::<_, SinkDto>("PATCH", &format!("/api/v1/sinks/{id}"), Some(&body), &[]).await;
            if list_form.done(&result, if active { "Resumed." } else { "Paused." }) {
                reload();
            }
        });
    };
    let kind = RwSignal::new("webhook".to_string());
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let brokers = RwSignal::new(String::new());
    let topic = RwSignal::new("crema.events".to_string());
    let secret = RwSignal::new(None::<String>);
    let form = FormState::new();
    let add = move |_| {
        let webhook = kind.get_untracked() == "webhook";
        let body = NewSinkRequest {
            kind: Some(kind.get_untracked()),
            name: name.get_untracked(),
            url: webhook.then(|| url.get_untracked()),
            brokers: (!webhook).then(|| brokers.get_untracked()),
            topic: (!webhook).then(|| topic.get_untracked()),
            secret: None,
            event_types: Vec::new(),
            start_after: None,
        };
        leptos::task::spawn_local(async move {
            let result = api::send::<_, SinkDto>("POST", "/api/v1/sinks", Some(&body), &[]).await;
            if form.done(&result, "Added.") {
                if let Ok(sink) = result {
                    secret.set(sink.secret);
                }
                name.set(String::new());
                reload();
            }
        });
    };
    view! {
        <div class="editor">
            <h2>"Event forwarding"</h2>
            <Outcome form=list_form/>
            <table class="rows">
                <tr><th>"Name"</th><th>"Kind"</th><th>"Where"</th><th>"Delivered up to"</th><th>"Health"</th><th></th></tr>
                {move || sinks.get().into_iter().map(|s| {
                    let (id, active) = (s.id, s.active);
                    let target = s.url.clone().unwrap_or_else(|| format!("{} → {}", s.brokers.clone().unwrap_or_default(), s.topic.clone().unwrap_or_default()));
                    let health = match (&s.last_error, s.consecutive_failures) {
                        (_, 0) => "ok".to_string(),
                        (Some(e), n) => format!("{n} failures: {e}"),
                        (None, n) => format!("{n} failures"),
                    };
                    view! {
                        <tr class:inactive=!active>
                            <td>{s.name.clone()}</td><td>{s.kind.clone()}</td><td>{target}</td><td>{s.cursor}</td><td>{health}</td>
                            <td><button class="small" on:click=move |_| set_active(id, !active)>{if active { "Pause" } else { "Resume" }}</button></td>
                        </tr>
                    }
                }).collect_view()}
            </table>
            <h3>"Add"</h3>
            <label class="field">
                <span>"Kind"</span>
                <select name="kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="webhook">"Webhook (signed, Standard Webhooks)"</option>
                    <option value="kafka">"Kafka topic"</option>
                </select>
            </label>
            <Field label="Name" field="name" value=name form=form/>
            <Show when=move || kind.get() == "webhook"
                fallback=move || view! {
                    <Field label="Brokers (host:port,host:port)" field="brokers" value=brokers form=form/>
                    <Field label="Topic" field="topic" value=topic form=form/>
                }>
                <Field label="URL" field="url" value=url form=form/>
            </Show>
            <Outcome form=form/>
            {move || secret.get().map(|s| view! { <p class="secret">"Signing secret (shown once): " <code>{s}</code></p> })}
            <button class="primary" on:click=add>"Add"</button>
        </div>
    }
}
