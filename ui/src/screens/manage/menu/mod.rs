//! The menu editor: categories, items (price, category, modifier groups, order,
//! availability / 86), modifier groups (min, max) and their options (price delta,
//! availability). Each save is one API call; a refusal shows next to the field it names.

use super::form::{FormState, Outcome};
use crate::api::{self, ApiError};
use crate::shell::use_shell;
use crema_shared::api::{AvailabilityInput, CategoryDto, ItemDto, ModifierGroupDto, OptionDto};
use leptos::prelude::*;
use uuid::Uuid;

mod forms;

use forms::{CategoryForm, GroupForm, ItemForm, OptionForm};

#[derive(Clone, Debug, Default, PartialEq)]
struct MenuData {
    categories: Vec<CategoryDto>,
    items: Vec<ItemDto>,
    groups: Vec<ModifierGroupDto>,
    options: Vec<OptionDto>,
}

async fn load() -> Result<MenuData, ApiError> {
    let mut categories: Vec<CategoryDto> = api::get("/api/v1/menu/categories").await?;
    let mut items: Vec<ItemDto> = api::get("/api/v1/menu/items").await?;
    let mut groups: Vec<ModifierGroupDto> = api::get("/api/v1/menu/modifier-groups").await?;
    let mut options: Vec<OptionDto> = api::get("/api/v1/menu/options").await?;
    categories.sort_by_key(|c| (c.position, c.name.clone()));
    items.sort_by_key(|i| (i.position, i.name.clone()));
    groups.sort_by_key(|g| (g.position, g.name.clone()));
    options.sort_by_key(|o| (o.position, o.name.clone()));
    Ok(MenuData { categories, items, groups, options })
}

pub(super) fn number(raw: &str) -> Option<i64> {
    let t = raw.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.parse::<i64>().unwrap_or(i64::MIN))
    }
}

/// Which editor is open: `Some(None)` a new one, `Some(Some(id))` an existing one.
type Editing = RwSignal<Option<Option<Uuid>>>;

#[component]
pub fn MenuEditor() -> impl IntoView {
    let shell = use_shell();
    let data = RwSignal::new(MenuData::default());
    let reload = move || {
        leptos::task::spawn_local(async move {
            match load().await {
                Ok(d) => {
                    shell.saw_ok();
                    data.set(d);
                }
                Err(e) => shell.saw(&e),
            }
        });
    };
    reload();
    let item_editing: Editing = RwSignal::new(None);
    let category_editing: Editing = RwSignal::new(None);
    let group_editing: Editing = RwSignal::new(None);
    let option_editing: Editing = RwSignal::new(None);
    let list_form = FormState::new();

    view! {
        <section class="menu-editor">
            <div class="toolbar">
                <button on:click=move |_| category_editing.set(Some(None))>"New category"</button>
                <button on:click=move |_| item_editing.set(Some(None))>"New item"</button>
                <button on:click=move |_| group_editing.set(Some(None))>"New modifier group"</button>
                <button on:click=move |_| option_editing.set(Some(None))>"New option"</button>
            </div>
            <Outcome form=list_form/>
            {move || category_editing.get().map(|id| view! { <CategoryForm id=id data=data editing=category_editing on_saved=reload/> })}
            {move || item_editing.get().map(|id| view! { <ItemForm id=id data=data editing=item_editing on_saved=reload/> })}
            {move || group_editing.get().map(|id| view! { <GroupForm id=id data=data editing=group_editing on_saved=reload/> })}
            {move || option_editing.get().map(|id| view! { <OptionForm id=id data=data editing=option_editing on_saved=reload/> })}
            <div class="columns">
                <div>
                    <h2>"Categories and items"</h2>
                    {move || {
                        let d = data.get();
                        d.categories
                            .iter()
                            .map(|c| {
                                let cid = c.id;
                                let items: Vec<ItemDto> = d.items.iter().filter(|i| i.category_id == c.id).cloned().collect();
                                view! {
                                    <div class="category-block">
                                        <Heading title=c.name.clone() path=format!("/api/v1/menu/categories/{cid}")
                                            edit=move || category_editing.set(Some(Some(cid))) form=list_form on_saved=reload/>
                                        <table class="rows">
                                            {items
                                                .into_iter()
                                                .map(|item| {
                                                    let (iid, available) = (item.id, item.available);
                                                    view! {
                                                        <tr data-item-row=item.name.clone() class:sold-out=!available>
                                                            <td>{item.name.clone()}</td>
                                                            <td>{crema_shared::Money::from_minor(item.price_cents).to_string()}</td>
                                                            <td>{item.stock.map(|s| format!("{s} left")).unwrap_or_default()}</td>
                                                            <RowActions name=item.name.clone() available=available
                                                                path=format!("/api/v1/menu/items/{iid}")
                                                                edit=move || item_editing.set(Some(Some(iid))) form=list_form on_saved=reload/>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </table>
                                    </div>
                                }
                            })
                            .collect_view()
                    }}
                </div>
                <div>
                    <h2>"Modifier groups"</h2>
                    {move || {
                        let d = data.get();
                        d.groups
                            .iter()
                            .map(|g| {
                                let gid = g.id;
                                let options: Vec<OptionDto> = d.options.iter().filter(|o| o.group_id == g.id).cloned().collect();
                                view! {
                                    <div class="category-block">
                                        <Heading title=format!("{} ({} to {})", g.name, g.min, g.max)
                                            path=format!("/api/v1/menu/modifier-groups/{gid}")
                                            edit=move || group_editing.set(Some(Some(gid))) form=list_form on_saved=reload/>
                                        <table class="rows">
                                            {options
                                                .into_iter()
                                                .map(|o| {
                                                    let (oid, available) = (o.id, o.available);
                                                    view! {
                                                        <tr class:sold-out=!available>
                                                            <td>{o.name.clone()}</td>
                                                            <td>{format!("+{}", crema_shared::Money::from_minor(o.price_delta_cents))}</td>
                                                            <RowActions name=o.name.clone() available=available
                                                                path=format!("/api/v1/menu/options/{oid}")
                                                                edit=move || option_editing.set(Some(Some(oid))) form=list_form on_saved=reload/>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </table>
                                    </div>
                                }
                            })
                            .collect_view()
                    }}
                </div>
            </div>
        </section>
    }
}

/// A category's or a modifier group's heading, with Edit and Delete (of `path`).
#[component]
fn Heading(
    title: String,
    path: String,
    edit: impl Fn() + Send + Sync + 'static,
    form: FormState,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <h3>
            {title}
            <button class="small" on:click=move |_| edit()>"Edit"</button>
            <button class="small danger" on:click=move |_| delete(form, path.clone(), on_saved)>"Delete"</button>
        </h3>
    }
}

/// An item's or an option's buttons: sold out (86) / back on, Edit, Delete (of `path`).
#[component]
fn RowActions(
    name: String,
    available: bool,
    path: String,
    edit: impl Fn() + Send + Sync + 'static,
    form: FormState,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let availability = format!("{path}/availability");
    view! {
        <td>
            <button class="small" data-toggle=name on:click=move |_| toggle(form, availability.clone(), !available, on_saved)>
                {if available { "Mark sold out" } else { "Back on" }}
            </button>
            <button class="small" on:click=move |_| edit()>"Edit"</button>
            <button class="small danger" on:click=move |_| delete(form, path.clone(), on_saved)>"Delete"</button>
        </td>
    }
}

/// Sets the availability at `path` (86 or back on); the lists reload on success.
pub(super) fn toggle(form: FormState, path: String, available: bool, on_saved: impl Fn() + 'static) {
    leptos::task::spawn_local(async move {
        let body = AvailabilityInput { available };
        let result = api::send::<_, serde_json::Value>("PUT", &path, Some(&body), &[]).await;
        if form.done(&result, if available { "Back on the menu." } else { "Marked sold out (86)." }) {
            on_saved();
        }
    });
}

/// Deletes `path`; the lists reload on success.
pub(super) fn delete(form: FormState, path: String, on_saved: impl Fn() + 'static) {
    leptos::task::spawn_local(async move {
        let result = api::send::<(), serde_json::Value>("DELETE", &path, None, &[]).await;
        if form.done(&result, "Deleted.") {
            on_saved();
        }
    });
}

/// Sends a create (`POST collection`) or an update (`PATCH collection/id`); on success the
/// editor closes and the lists reload, on a refusal it stays open with the errors shown.
pub(super) fn save<B: serde::Serialize + 'static>(
    form: FormState,
    collection: &'static str,
    id: Option<Uuid>,
    body: B,
    editing: Editing,
    on_saved: impl Fn() + 'static,
) {
    leptos::task::spawn_local(async move {
        let result: Result<serde_json::Value, ApiError> = match id {
            Some(id) => api::send("PATCH", &format!("{collection}/{id}"), Some(&body), &[]).await,
            None => api::send("POST", collection, Some(&body), &[]).await,
        };
        if form.done(&result, "Saved.") {
            editing.set(None);
            on_saved();
        }
    });
}
