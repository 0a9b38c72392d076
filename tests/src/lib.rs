//! Crema's end-to-end suites and what they share.
//!
//! The suites in this package start the real things — the `crema-server` and `crema-desktop`
//! binaries, an SMTP server, headless Chromium, Xvfb, a Kafka-protocol broker — and talk to
//! them only from outside: `binary` (the API on the real binary, the command line, crashes
//! with `kill -9`), `screens` (the Leptos screens in Chromium), `desktop` (the Tauri app
//! under Xvfb) and `kafka` (a real `tansu` broker; `scripts/test --slow`). The router-level
//! integration tests stay beside the server (`server/tests/api`) and use this library's
//! helpers too.

#![allow(clippy::unwrap_used)] // test support: a failure here is a failed test

pub mod binary;
pub mod browser;
pub mod display;
pub mod gateway;
pub mod http;
pub mod postgres;
pub mod printer;
pub mod proxy;
pub mod smtp;
pub mod webhook;
