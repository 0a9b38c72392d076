//! Following a Server-Sent Events stream, and coming back after it drops.
//!
//! The browser's `EventSource` reconnects by itself after a network error and sends the
//! last id it saw as `Last-Event-ID`, so the server resumes exactly after it. When the
//! stream is closed for good (the server restarted and refused once, say) this wrapper
//! opens a new one after a pause, from `?after=<last id>`, so nothing is missed either way.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    Open,
    /// Lost; the browser (or this wrapper) is reconnecting.
    Reconnecting,
}

type OnMessage = Rc<dyn Fn(Option<i64>, String)>;
type Listener = Closure<dyn FnMut(web_sys::Event)>;
type OnState = Rc<dyn Fn(LinkState)>;

struct Inner {
    base: String,
    event_name: Option<String>,
    last_id: Cell<Option<i64>>,
    source: RefCell<Option<EventSource>>,
    closures: RefCell<Vec<Listener>>,
    on_message: OnMessage,
    on_state: OnState,
    stopped: Cell<bool>,
}

/// An open stream; dropping it (or [`Link::stop`]) closes it.
pub struct Link(Rc<Inner>);

impl Link {
    /// Opens `url` (which may already carry `?after=`). Messages of `event_name` (or plain
    /// `message`s) go to `on_message` with their id.
    pub fn open(
        url: &str,
        event_name: Option<&str>,
        on_message: impl Fn(Option<i64>, String) + 'static,
        on_state: impl Fn(LinkState) + 'static,
    ) -> Link {
        let inner = Rc::new(Inner {
            base: url.to_string(),
            event_name: event_name.map(str::to_string),
            last_id: Cell::new(None),
            source: RefCell::new(None),
            closures: RefCell::new(Vec::new()),
            on_message: Rc::new(on_message),
            on_state: Rc::new(on_state),
            stopped: Cell::new(false),
        });
        connect(&inner);
        Link(inner)
    }

    pub fn stop(&self) {
        self.0.stopped.set(true);
        if let Some(source) = self.0.source.borrow_mut().take() {
            source.close();
        }
        self.0.closures.borrow_mut().clear();
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.stop();
    }
}

fn connect(inner: &Rc<Inner>) {
    if inner.stopped.get() {
        return;
    }
    let url = match inner.last_id.get() {
        Some(id) => with_after(&inner.base, id),
        None => inner.base.clone(),
    };
    (inner.on_state)(LinkState::Connecting);
    let Ok(source) = EventSource::new(&url) else {
        retry_later(inner);
        return;
    };
    let mut closures = Vec::new();

    let weak = Rc::downgrade(inner);
    let on_message = Listener::new(move |event: web_sys::Event| {
        let Some(inner) = weak.upgrade() else { return };
        let Some(message) = event.dyn_ref::<MessageEvent>() else { return };
        let id = message.last_event_id().parse::<i64>().ok();
        if let Some(id) = id {
            inner.last_id.set(Some(id));
        }
        let data = message.data().as_string().unwrap_or_default();
        (inner.on_message)(id, data);
    });
    let name = inner.event_name.clone().unwrap_or_else(|| "message".to_string());
    let _ = source.add_event_listener_with_callback(&name, on_message.as_ref().unchecked_ref());
    closures.push(on_message);

    let weak = Rc::downgrade(inner);
    let on_open = Listener::new(move |_| {
        if let Some(inner) = weak.upgrade() {
            (inner.on_state)(LinkState::Open);
        }
    });
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    closures.push(on_open);

    let weak = Rc::downgrade(inner);
    let on_error = Listener::new(move |_| {
        let Some(inner) = weak.upgrade() else { return };
        (inner.on_state)(LinkState::Reconnecting);
        let closed = inner.source.borrow().as_ref().is_some_and(|s| s.ready_state() == EventSource::CLOSED);
        if closed {
            // The browser gave up: open a new stream from the last id after a pause.
            if let Some(source) = inner.source.borrow_mut().take() {
                source.close();
            }
            retry_later(&inner);
        }
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    closures.push(on_error);

    *inner.closures.borrow_mut() = closures;
    *inner.source.borrow_mut() = Some(source);
}

fn retry_later(inner: &Rc<Inner>) {
    let weak = Rc::downgrade(inner);
    let again = Closure::once_into_js(move || {
        if let Some(inner) = weak.upgrade() {
            connect(&inner);
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(again.unchecked_ref(), 2_000);
    }
}

fn with_after(base: &str, id: i64) -> String {
    let (path, query) = base.split_once('?').unwrap_or((base, ""));
    let kept: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("after=")).collect();
    let mut url = format!("{path}?after={id}");
    for part in kept {
        url.push('&');
        url.push_str(part);
    }
    url
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_reconnect_resumes_after_the_last_id() {
        assert_eq!(super::with_after("/api/v1/events", 7), "/api/v1/events?after=7");
        assert_eq!(super::with_after("/api/v1/events?after=3", 9), "/api/v1/events?after=9");
    }
}
