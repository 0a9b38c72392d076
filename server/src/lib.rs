//! Crema's server: the HTTP API and live event stream over an embedded SQLite store.
//!
//! Layers, one way only: [`http`] (routes, extractors, problem+json) calls [`service`]
//! (use cases: one transaction each, domain rules from `crema-shared`, outbox events),
//! which calls [`store`] (all SQL). [`server::Server`] wires them up; the binary, the tests
//! and the desktop shell all start Crema through it.

pub mod backup;
pub mod clock;
pub mod config;
pub mod grpc;
pub mod http;
pub mod keys;
pub mod listen;
pub mod metrics;
pub mod payments;
pub mod printing;
pub mod server;
pub mod service;
pub mod setup;
pub mod sinks;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tls;

pub use config::Config;
pub use http::routes::app;
pub use server::Server;
pub use state::AppState;
