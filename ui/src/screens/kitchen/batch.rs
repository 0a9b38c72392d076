//! The display's events drawn together: one redraw per burst, not one per event.

use crema_shared::api::CloudEvent;
use leptos::prelude::set_timeout;
use std::time::Duration;

/// Events waiting to be applied together. After a quiet spell the first event is drawn at
/// once (on the next task); while events keep coming they are drawn at most once per
/// [`BATCH_WINDOW`], all that arrived meanwhile at a time. A timer, not an animation frame,
/// so a hidden display does not pile them up.
#[derive(Clone, Default)]
pub struct Batch(std::rc::Rc<BatchInner>);

#[derive(Default)]
pub struct BatchInner {
    waiting: std::cell::RefCell<Vec<(Option<i64>, CloudEvent)>>,
    /// When the last batch was drawn (ms since the epoch).
    drawn_at: std::cell::Cell<f64>,
}

/// How often, at most, a burst of events is drawn.
const BATCH_WINDOW: Duration = Duration::from_millis(16);

impl Batch {
    pub fn enqueue(
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
