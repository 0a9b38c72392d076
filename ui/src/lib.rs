//! Crema's screens: the till (POS), the kitchen display, the pickup board and the manager's
//! screen, in one Leptos app rendered in the browser from wasm.
//!
//! The server serves this build at `/`; the desktop app shows the same build. Every request
//! and response uses the wire types of `crema-shared`, and the cart adds up with the same
//! rules the server prices with, so the screens and the API cannot drift apart.

pub mod api;
pub mod app;
pub mod cart;
pub mod format;
pub mod live;
pub mod screens;
pub mod shell;
pub mod storage;
pub mod sync_status;
pub mod terminal;
pub mod tickets;

/// Called by the generated JavaScript once the wasm is loaded.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(app::App);
}
