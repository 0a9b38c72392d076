//! The kitchen's station printers: each station's name, its printer (`tcp://host:9100`) and the
//! menu categories it makes (none ticked: every line). Saved together with the settings'
//! `kitchen_printers`; the server names any bad field and keeps the old list.

use super::form::{FormState, Outcome};
use crate::api;
use crate::format::field_error;
use crema_shared::api::{MenuView, SettingsDto, SettingsInput};
use crema_shared::kitchen_ticket::KitchenPrinterDto;
use leptos::prelude::*;
use uuid::Uuid;

/// One station as it is being edited.
#[derive(Clone, Copy)]
struct Row {
    station: RwSignal<String>,
    printer: RwSignal<String>,
    categories: RwSignal<Vec<Uuid>>,
}

impl Row {
    fn of(p: &KitchenPrinterDto) -> Row {
        Row {
            station: RwSignal::new(p.station.clone()),
            printer: RwSignal::new(p.printer.clone()),
            categories: RwSignal::new(p.category_ids.clone()),
        }
    }

    fn dto(&self) -> KitchenPrinterDto {
        KitchenPrinterDto {
            station: self.station.get_untracked(),
            printer: self.printer.get_untracked(),
            category_ids: self.categories.get_untracked(),
        }
    }
}

#[component]
pub fn KitchenPrinters(current: Vec<KitchenPrinterDto>) -> impl IntoView {
    let rows = RwSignal::new(current.iter().map(Row::of).collect::<Vec<_>>());
    let categories = RwSignal::new(Vec::<(Uuid, String)>::new());
    leptos::task::spawn_local(async move {
        if let Ok(menu) = api::get::<MenuView>("/api/v1/menu").await {
            categories.set(menu.categories.iter().map(|c| (c.id, c.name.clone())).collect());
        }
    });
    let form = FormState::new();
    let error = move |field: String| move || form.problem.with(|p| p.as_ref().and_then(|p| field_error(p, &field)));
    let add = move |_| {
        let blank = KitchenPrinterDto { station: String::new(), printer: String::new(), category_ids: vec![] };
        rows.update(|r| r.push(Row::of(&blank)));
    };
    let save = move |_| {
        let body = SettingsInput {
            kitchen_printers: Some(rows.get_untracked().iter().map(Row::dto).collect()),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            let result = api::send::<_, SettingsDto>("PATCH", "/api/v1/settings", Some(&body), &[]).await;
            if form.done(&result, "Saved.") {
                if let Ok(s) = result {
                    rows.set(s.kitchen_printers.iter().map(Row::of).collect());
                }
            }
        });
    };
    view! {
        <div class="editor stations" data-test="stations">
            <h2>"Kitchen ticket printers"</h2>
            <p class="muted">"Each station's printer prints the lines of the categories ticked (none ticked: every line) when an order reaches the kitchen."</p>
            {move || rows.get().into_iter().enumerate().map(|(i, row)| {
                let tick = move |id: Uuid, on: bool| row.categories.update(|c| {
                    c.retain(|x| *x != id);
                    if on { c.push(id); }
                });
                view! {
                    <fieldset class="station" data-station=i>
                        <label class="field"><span>"Station"</span>
                            <input name=format!("station_{i}") prop:value=move || row.station.get()
                                on:input=move |ev| row.station.set(event_target_value(&ev))/>
                            <small class="error">{error(format!("kitchen_printers[{i}].station"))}</small>
                        </label>
                        <label class="field"><span>"Printer (tcp://host:9100)"</span>
                            <input name=format!("station_printer_{i}") prop:value=move || row.printer.get()
                                on:input=move |ev| row.printer.set(event_target_value(&ev))/>
                            <small class="error">{error(format!("kitchen_printers[{i}].printer"))}</small>
                        </label>
                        <div class="categories-ticked">
                            {move || categories.get().into_iter().map(|(id, name)| view! {
                                <label class="check">
                                    <input type="checkbox" data-category=name.clone()
                                        prop:checked=move || row.categories.with(|c| c.contains(&id))
                                        on:change=move |ev| tick(id, event_target_checked(&ev))/>
                                    {name.clone()}
                                </label>
                            }).collect_view()}
                        </div>
                        <button class="small danger" on:click=move |_| rows.update(|r| { r.remove(i); })>"Remove"</button>
                    </fieldset>
                }
            }).collect_view()}
            <Outcome form=form/>
            <button on:click=add data-test="add-station">"Add a station"</button>
            <button class="primary" on:click=save data-test="save-stations">"Save stations"</button>
        </div>
    }
}
