//! Form pieces the manager's editors share: a labelled input whose server-side error shows
//! right under it, and the outcome of a save (the form keeps what was typed on failure).

use crate::api::ApiError;
use crate::format::field_error;
use crate::shell::{use_shell, Shell};
use crema_shared::api::Problem;
use leptos::prelude::*;

/// The last refusal of a form, to show per field.
#[derive(Clone, Copy)]
pub struct FormState {
    shell: Shell,
    pub problem: RwSignal<Option<Problem>>,
    pub message: RwSignal<Option<String>>,
}

impl FormState {
    /// Call while building a component (it reads the shell from context).
    pub fn new() -> FormState {
        FormState { shell: use_shell(), problem: RwSignal::new(None), message: RwSignal::new(None) }
    }

    pub fn error(&self, field: &'static str) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
        let problem = self.problem;
        move || problem.with(|p| p.as_ref().and_then(|p| field_error(p, field)))
    }

    /// A typed amount in minor units, or `None` with the error shown under `field` (input
    /// that cannot even be sent is refused here, in the server's words and shape).
    pub fn amount(&self, field: &str, raw: &str) -> Option<i64> {
        match crate::format::parse_amount(raw) {
            Ok(cents) => Some(cents),
            Err(message) => {
                self.problem.set(Some(Problem {
                    type_uri: "about:blank".into(),
                    title: "Invalid input".into(),
                    status: 422,
                    detail: "Check the highlighted field.".into(),
                    errors: vec![crema_shared::FieldError::new(field, message)],
                    request_id: None,
                    current_status: None,
                }));
                self.message.set(Some("Check the price.".into()));
                None
            }
        }
    }

    /// Records a save's outcome; `true` when it worked.
    pub fn done<T>(&self, result: &Result<T, ApiError>, ok_message: &str) -> bool {
        let shell = self.shell;
        match result {
            Ok(_) => {
                shell.saw_ok();
                self.problem.set(None);
                self.message.set(Some(ok_message.to_string()));
                true
            }
            Err(e) => {
                shell.saw(e);
                self.problem.set(e.problem().cloned());
                self.message.set(Some(e.message()));
                false
            }
        }
    }
}

impl Default for FormState {
    fn default() -> Self {
        FormState::new()
    }
}

/// A labelled text input bound to `value`, with the server's message for `field` under it.
#[component]
pub fn Field(
    label: &'static str,
    field: &'static str,
    value: RwSignal<String>,
    form: FormState,
    #[prop(optional)] kind: Option<&'static str>,
) -> impl IntoView {
    let error = form.error(field);
    view! {
        <label class="field" class:invalid=move || error().is_some()>
            <span>{label}</span>
            <input name=field type=kind.unwrap_or("text") prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
            <small class="error" data-error=field>{error}</small>
        </label>
    }
}

/// What the last save said.
#[component]
pub fn Outcome(form: FormState) -> impl IntoView {
    view! {
        <p class="outcome" class:error=move || form.problem.with(Option::is_some) role="status">{move || form.message.get()}</p>
    }
}
