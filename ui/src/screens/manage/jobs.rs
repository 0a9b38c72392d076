//! Durable jobs (emails, card captures, alerts) with their last error, and a retry for the
//! dead ones; dead letters of each event sink with a replay.

use super::form::{FormState, Outcome};
use crate::api;
use crate::shell::use_shell;
use crema_shared::api::{DeadLetterDto, JobDto, JobPage, SinkDto};
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn JobsList() -> impl IntoView {
    let shell = use_shell();
    let filter = RwSignal::new("dead".to_string());
    let jobs = RwSignal::new(Vec::<JobDto>::new());
    let letters = RwSignal::new(Vec::<(SinkDto, Vec<DeadLetterDto>)>::new());
    let form = FormState::new();
    let reload = move || {
        let state = filter.get_untracked();
        leptos::task::spawn_local(async move {
            let path =
                if state.is_empty() { "/api/v1/jobs".to_string() } else { format!("/api/v1/jobs?state={state}") };
            match api::get::<JobPage>(&path).await {
                Ok(page) => jobs.set(page.jobs),
                Err(e) => shell.saw(&e),
            }
            if let Ok(sinks) = api::get::<Vec<SinkDto>>("/api/v1/sinks").await {
                let mut all = Vec::new();
                for sink in sinks {
                    let dead: Vec<DeadLetterDto> =
                        api::get(&format!("/api/v1/sinks/{}/dead-letters", sink.id)).await.unwrap_or_default();
                    if !dead.is_empty() {
                        all.push((sink, dead));
                    }
                }
                letters.set(all);
            }
        });
    };
    reload();
    let retry = move |id: Uuid| {
        leptos::task::spawn_local(async move {
            let result = api::post::<JobDto>(&format!("/api/v1/jobs/{id}/retry")).await;
            if form.done(&result, "Queued again.") {
                reload();
            }
        });
    };
    let replay = move |sink: Uuid, letter: i64| {
        leptos::task::spawn_local(async move {
            let result =
                api::post::<serde_json::Value>(&format!("/api/v1/sinks/{sink}/dead-letters/{letter}/replay")).await;
            if form.done(&result, "Replayed.") {
                reload();
            }
        });
    };
    view! {
        <section class="jobs">
            <div class="toolbar">
                {["dead", "pending", "running", "succeeded", ""].into_iter().map(|s| view! {
                    <button class:active=move || filter.get() == s on:click=move |_| { filter.set(s.to_string()); reload(); }>
                        {if s.is_empty() { "all" } else { s }}
                    </button>
                }).collect_view()}
            </div>
            <Outcome form=form/>
            <table class="rows">
                <tr><th>"Kind"</th><th>"State"</th><th>"Attempts"</th><th>"Due"</th><th>"Last error"</th><th></th></tr>
                {move || jobs.get().into_iter().map(|j| {
                    let (id, dead) = (j.id, j.state == "dead");
                    view! {
                        <tr>
                            <td>{j.kind.clone()}</td><td>{j.state.clone()}</td><td>{j.attempts}</td>
                            <td>{j.run_at.format("%H:%M:%S").to_string()}</td>
                            <td class="error">{j.last_error.clone().unwrap_or_default()}</td>
                            <td><Show when=move || dead><button class="small" on:click=move |_| retry(id)>"Retry"</button></Show></td>
                        </tr>
                    }
                }).collect_view()}
            </table>
            <h3>"Dead letters"</h3>
            {move || {
                let all = letters.get();
                if all.is_empty() {
                    return view! { <p class="muted">"None: every event reached every sink."</p> }.into_any();
                }
                all.into_iter().map(|(sink, dead)| {
                    let sid = sink.id;
                    view! {
                        <h4>{sink.name.clone()}</h4>
                        <table class="rows">
                            {dead.into_iter().map(|d| {
                                let lid = d.id;
                                view! {
                                    <tr>
                                        <td>{d.sequence}</td><td class="error">{d.error.clone()}</td><td>{d.attempts}</td>
                                        <td>{if d.replayed_at.is_some() { "replayed" } else { "" }}</td>
                                        <td><button class="small" on:click=move |_| replay(sid, lid)>"Replay"</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </table>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}
