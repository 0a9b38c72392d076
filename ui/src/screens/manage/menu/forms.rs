//! The menu editor's forms: a category, an item, a modifier group, an option.

use super::super::form::{Field, FormState, Outcome};
use crema_shared::api::{CategoryInput, ItemInput, ModifierGroupInput, OptionInput};
use leptos::prelude::*;
use uuid::Uuid;

use super::{number, save, Editing, MenuData};

/// What every menu editor shares: "New …" or "Edit …", the fields, the outcome, Close and Save.
#[component]
pub(super) fn EditorFrame(
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
pub(super) fn Choice(
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
pub(super) fn CategoryForm(
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
pub(super) fn ItemForm(
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
pub(super) fn GroupForm(
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
pub(super) fn OptionForm(
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
