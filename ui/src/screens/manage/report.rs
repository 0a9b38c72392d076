//! Today's numbers (or any day's): orders, revenue, average time to ready, orders per hour
//! as a bar chart, best sellers; and every order of a date range as a CSV file.

use super::form::{Field, FormState, Outcome};
use crate::api;
use crate::format::money;
use crate::shell::use_shell;
use crema_shared::api::DayReportDto;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn DayReport() -> impl IntoView {
    let shell = use_shell();
    // Empty until the server says which business day "today" is: the shop's day
    // (CREMA_UTC_OFFSET), not this browser's, which may sit in another time zone.
    let date = RwSignal::new(String::new());
    let (from, to) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let report = RwSignal::new(None::<DayReportDto>);
    let form = FormState::new();
    let load = move || {
        let day = date.get_untracked();
        leptos::task::spawn_local(async move {
            let url = if day.is_empty() {
                "/api/v1/reports/day".to_string()
            } else {
                format!("/api/v1/reports/day?date={day}")
            };
            match api::get::<DayReportDto>(&url).await {
                Ok(r) => {
                    shell.saw_ok();
                    form.problem.set(None);
                    form.message.set(None);
                    if day.is_empty() {
                        for field in [date, from, to] {
                            field.set(r.business_date.clone());
                        }
                    }
                    report.set(Some(r));
                }
                Err(e) => {
                    form.done::<()>(&Err(e), "");
                }
            }
        });
    };
    load();
    let export_form = FormState::new();
    let export = move |_| {
        let (f, t) = (from.get_untracked(), to.get_untracked());
        leptos::task::spawn_local(async move {
            let result = api::get_text(&format!("/api/v1/reports/orders.csv?from={f}&to={t}")).await;
            if export_form.done(&result, "Downloaded.") {
                if let Ok(csv) = result {
                    download(&format!("crema-orders-{f}-{t}.csv"), &csv);
                }
            }
        });
    };
    view! {
        <section class="report">
            <div class="toolbar">
                <Field label="Day" field="date" value=date form=form kind="date"/>
                <button on:click=move |_| load()>"Show"</button>
            </div>
            <Outcome form=form/>
            {move || report.get().map(|r| {
                let peak = r.orders_per_hour.iter().copied().max().unwrap_or(0).max(1);
                let average = r.average_ready_seconds.map(|s| crate::format::age(s.round() as i64)).unwrap_or_else(|| "–".into());
                view! {
                    <div class="figures" data-test="report">
                        <div class="figure"><span>"Orders"</span><strong data-test="report-orders">{r.orders}</strong></div>
                        <div class="figure"><span>"Revenue"</span><strong>{money(r.revenue_cents, &r.currency)}</strong></div>
                        <div class="figure"><span>"Avg. time to ready"</span><strong>{average}</strong></div>
                        <div class="figure"><span>"Cancelled"</span><strong>{r.cancelled}</strong></div>
                    </div>
                    <h3>"Orders per hour"</h3>
                    <div class="chart" role="img" aria-label="orders per hour">
                        {r.orders_per_hour.iter().enumerate().map(|(hour, n)| {
                            let height = format!("{}%", (*n as f64 / peak as f64 * 100.0).round());
                            view! {
                                <div class="bar-slot" title=format!("{hour:02}:00 – {n} orders")>
                                    <div class="bar" style:height=height></div>
                                    <small>{format!("{hour:02}")}</small>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                    <h3>"Best sellers"</h3>
                    <ol class="top-items">
                        {r.top_items.into_iter().map(|t| view! { <li>{t.name} " — " {t.units}</li> }).collect_view()}
                    </ol>
                }
            })}
            <div class="editor">
                <h3>"Export orders (CSV)"</h3>
                <Field label="From" field="from" value=from form=export_form kind="date"/>
                <Field label="To" field="to" value=to form=export_form kind="date"/>
                <Outcome form=export_form/>
                <button class="primary" on:click=export>"Download CSV"</button>
            </div>
        </section>
    }
}

/// Saves `text` as a file through a temporary object URL.
fn download(filename: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Some(a) = document().create_element("a").ok().and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok()) {
        a.set_href(&url);
        a.set_download(filename);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
