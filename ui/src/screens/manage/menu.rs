//! The menu editor: categories, items (price, category, modifier groups, order,
//! availability / 86), modifier groups (min, max) and their options (price delta,
//! availability). Each save is one API call; a refusal shows next to the field it names.

use super::form::{Field, FormState, Outcome};
use crate::api::{self, ApiError};
use crate::shell::use_shell;
use crema_shared::api::{
    AvailabilityInput, CategoryDto, CategoryInput, ItemDto, ItemInput, ModifierGroupDto, ModifierGroupInput, OptionDto,
    OptionInput,
};
use leptos::prelude::*;
use uuid::Uuid;

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

fn number(raw: &str) -> Option<i64> {
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
fn toggle(form: FormState, path: String, available: bool, on_saved: impl Fn() + 'static) {
    leptos::task::spawn_local(async move {
        let body = AvailabilityInput { available };
        let result = api::send::<_, serde_json::Value>("PUT", &path, Some(&body), &[]).await;
        if form.done(&result, if available { "Back on the menu." } else { "Marked sold out (86)." }) {
            on_saved();
        }
    });
}

/// Deletes `path`; the lists reload on success.
fn delete(form: FormState, path: String, on_saved: impl Fn() + 'static) {
    leptos::task::spawn_local(async move {
        let result = api::send::<(), serde_json::Value>("DELETE", &path, None, &[]).await;
        if form.done(&result, "Deleted.") {
            on_saved();
        }
    });
}

/// Sends a create (`POST collection`) or an update (`PATCH collection/id`); on success the
/// editor closes and the lists reload, on a refusal it stays open with the errors shown.
fn save<B: serde::Serialize + 'static>(
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

/// What every menu editor shares: "New …" or "Edit …", the fields, the outcome, Close and Save.
#[component]
fn EditorFrame(
    kind: &'static str,
    noun: &'static str,
    existing: bool,
    form: FormState,
    editing: Editing,
    on_save: impl Fn() + Send + Sync + 'static,
    children: Children,
) -> impl IntoView {
    let title = if existing { format!("Edit {noun}") } else { format!("New {noun}") };
    view! {
        <div class="editor" data-editor=kind>
            <h3>{title}</h3>
            {children()}
            <Outcome form=form/>
            <button class="secondary" on:click=move |_| editing.set(None)>"Close"</button>
            <button class="primary" on:click=move |_| on_save()>"Save"</button>
        </div>
    }
}

/// A choice of one of `options` (`(id, name)`), with the server's error for `field`.
#[component]
fn Choice(
    label: &'static str,
    field: &'static str,
    value: RwSignal<Option<Uuid>>,
    options: Signal<Vec<(Uuid, String)>>,
    form: FormState,
) -> impl IntoView {
    let error = form.error(field);
    view! {
        <label class="field">
            <span>{label}</span>
            <select name=field on:change=move |ev| value.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                {move || options.get().into_iter().map(|(id, name)| {
                    view! { <option value=id.to_string() selected=value.get() == Some(id)>{name}</option> }
                }).collect_view()}
            </select>
            <small class="error">{error}</small>
        </label>
    }
}

#[component]
fn CategoryForm(
    id: Option<Uuid>,
    data: RwSignal<MenuData>,
    editing: Editing,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let current = id.and_then(|id| data.with_untracked(|d| d.categories.iter().find(|c| c.id == id).cloned()));
    let name = RwSignal::new(current.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let position = RwSignal::new(current.as_ref().map(|c| c.position.to_string()).unwrap_or_default());
    let form = FormState::new();
    let submit = move || {
        let body = CategoryInput { name: Some(name.get_untracked()), position: number(&position.get_untracked()) };
        save(form, "/api/v1/menu/categories", id, body, editing, on_saved);
    };
    view! {
        <EditorFrame kind="category" noun="category" existing=id.is_some() form=form editing=editing on_save=submit>
            <Field label="Name" field="name" value=name form=form/>
            <Field label="Position" field="position" value=position form=form kind="number"/>
        </EditorFrame>
    }
}

#[component]
fn ItemForm(
    id: Option<Uuid>,
    data: RwSignal<MenuData>,
    editing: Editing,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let current = id.and_then(|id| data.with_untracked(|d| d.items.iter().find(|i| i.id == id).cloned()));
    let name = RwSignal::new(current.as_ref().map(|i| i.name.clone()).unwrap_or_default());
    let price = RwSignal::new(
        current.as_ref().map(|i| crema_shared::Money::from_minor(i.price_cents).to_string()).unwrap_or_default(),
    );
    let prep = RwSignal::new(current.as_ref().map(|i| i.prep_seconds.to_string()).unwrap_or_default());
    let position = RwSignal::new(current.as_ref().map(|i| i.position.to_string()).unwrap_or_default());
    let category = RwSignal::new(
        current.as_ref().map(|i| i.category_id).or_else(|| data.with_untracked(|d| d.categories.first().map(|c| c.id))),
    );
    let groups = RwSignal::new(current.as_ref().map(|i| i.modifier_group_ids.clone()).unwrap_or_default());
    let available = RwSignal::new(current.as_ref().map(|i| i.available).unwrap_or(true));
    let form = FormState::new();
    let submit = move || {
        let Some(price_cents) = form.amount("price_cents", &price.get_untracked()) else { return };
        let body = ItemInput {
            category_id: category.get_untracked(),
            name: Some(name.get_untracked()),
            price_cents: Some(price_cents),
            available: Some(available.get_untracked()),
            prep_seconds: number(&prep.get_untracked()),
            position: number(&position.get_untracked()),
            modifier_group_ids: Some(groups.get_untracked()),
        };
        save(form, "/api/v1/menu/items", id, body, editing, on_saved);
    };
    let groups_error = form.error("modifier_group_ids");
    view! {
        <EditorFrame kind="item" noun="item" existing=id.is_some() form=form editing=editing on_save=submit>
            <Field label="Name" field="name" value=name form=form/>
            <Field label="Price" field="price_cents" value=price form=form/>
            <Choice label="Category" field="category_id" value=category form=form
                options=Signal::derive(move || data.with(|d| d.categories.iter().map(|c| (c.id, c.name.clone())).collect()))/>
            <Field label="Preparation seconds" field="prep_seconds" value=prep form=form kind="number"/>
            <Field label="Position" field="position" value=position form=form kind="number"/>
            <fieldset>
                <legend>"Modifier groups offered"</legend>
                {move || data.get().groups.into_iter().map(|g| {
                    let gid = g.id;
                    view! {
                        <label class="check">
                            <input type="checkbox" prop:checked=move || groups.with(|v| v.contains(&gid))
                                on:change=move |_| groups.update(|v| if v.contains(&gid) { v.retain(|x| *x != gid) } else { v.push(gid) })/>
                            {g.name}
                        </label>
                    }
                }).collect_view()}
                <small class="error">{groups_error}</small>
            </fieldset>
            <label class="check">
                <input type="checkbox" prop:checked=move || available.get() on:change=move |_| available.update(|a| *a = !*a)/>
                "Available (untick to 86)"
            </label>
        </EditorFrame>
    }
}

#[component]
fn GroupForm(
    id: Option<Uuid>,
    data: RwSignal<MenuData>,
    editing: Editing,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let current = id.and_then(|id| data.with_untracked(|d| d.groups.iter().find(|g| g.id == id).cloned()));
    let name = RwSignal::new(current.as_ref().map(|g| g.name.clone()).unwrap_or_default());
    let min = RwSignal::new(current.as_ref().map(|g| g.min.to_string()).unwrap_or_else(|| "0".into()));
    let max = RwSignal::new(current.as_ref().map(|g| g.max.to_string()).unwrap_or_else(|| "1".into()));
    let position = RwSignal::new(current.as_ref().map(|g| g.position.to_string()).unwrap_or_default());
    let form = FormState::new();
    let submit = move || {
        let body = ModifierGroupInput {
            name: Some(name.get_untracked()),
            min: number(&min.get_untracked()),
            max: number(&max.get_untracked()),
            position: number(&position.get_untracked()),
        };
        save(form, "/api/v1/menu/modifier-groups", id, body, editing, on_saved);
    };
    view! {
        <EditorFrame kind="group" noun="modifier group" existing=id.is_some() form=form editing=editing on_save=submit>
            <Field label="Name" field="name" value=name form=form/>
            <Field label="At least" field="min" value=min form=form kind="number"/>
            <Field label="At most" field="max" value=max form=form kind="number"/>
            <Field label="Position" field="position" value=position form=form kind="number"/>
        </EditorFrame>
    }
}

#[component]
fn OptionForm(
    id: Option<Uuid>,
    data: RwSignal<MenuData>,
    editing: Editing,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let current = id.and_then(|id| data.with_untracked(|d| d.options.iter().find(|o| o.id == id).cloned()));
    let name = RwSignal::new(current.as_ref().map(|o| o.name.clone()).unwrap_or_default());
    let delta = RwSignal::new(
        current
            .as_ref()
            .map(|o| crema_shared::Money::from_minor(o.price_delta_cents).to_string())
            .unwrap_or_else(|| "0".into()),
    );
    let position = RwSignal::new(current.as_ref().map(|o| o.position.to_string()).unwrap_or_default());
    let group = RwSignal::new(
        current.as_ref().map(|o| o.group_id).or_else(|| data.with_untracked(|d| d.groups.first().map(|g| g.id))),
    );
    let form = FormState::new();
    let submit = move || {
        let Some(price_delta_cents) = form.amount("price_delta_cents", &delta.get_untracked()) else { return };
        let body = OptionInput {
            group_id: group.get_untracked(),
            name: Some(name.get_untracked()),
            price_delta_cents: Some(price_delta_cents),
            available: None,
            position: number(&position.get_untracked()),
        };
        save(form, "/api/v1/menu/options", id, body, editing, on_saved);
    };
    view! {
        <EditorFrame kind="option" noun="option" existing=id.is_some() form=form editing=editing on_save=submit>
            <Field label="Name" field="name" value=name form=form/>
            <Field label="Price change" field="price_delta_cents" value=delta form=form/>
            <Choice label="Group" field="group_id" value=group form=form
                options=Signal::derive(move || data.with(|d| d.groups.iter().map(|g| (g.id, g.name.clone())).collect()))/>
            <Field label="Position" field="position" value=position form=form kind="number"/>
        </EditorFrame>
    }
}
