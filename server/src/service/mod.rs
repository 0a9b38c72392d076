//! Use cases: what the API can ask the shop to do. Each opens one write transaction,
//! asks the domain (`crema-shared`) what is allowed, writes the change, its history and its
//! outbox events through the store, commits, and then wakes the live event stream.
//! Handlers stay thin: parse, call a function here, map the result.

pub mod audit;
pub mod auth;
pub mod board_feed;
pub mod cloudevents;
pub mod context;
pub mod cron;
pub mod day_report;
pub mod demo_menu;
pub mod error;
pub mod hub;
pub mod idempotency;
pub mod jobs;
pub mod kitchen;
pub mod menu;
pub mod menu_cache;
pub mod metrics;
pub mod notify;
pub mod order_audit;
pub mod order_view;
pub mod orders;
pub mod payments;
pub mod relay;
pub mod report;
pub mod settings;
pub mod sink_targets;
pub mod sinks;
pub mod sla;
pub mod staff;
pub mod stock;
pub mod terminals;

pub use context::RequestContext;
pub use error::ServiceError;
pub use hub::EventHub;
