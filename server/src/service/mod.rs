//! Use cases: what the API can ask the shop to do, grouped by what they are about. Each
//! opens one write transaction, asks the domain (`crema-shared`) what is allowed, writes the
//! change, its history and its outbox events through the store, commits, and then wakes the
//! live event stream. Handlers stay thin: parse, call a function here, map the result.
//!
//! - [`orders`]: placing and moving orders, the kitchen, the pickup board, ticket-age alerts;
//! - [`menu`]: the menu and its cache, stock, the demo menu;
//! - [`staff`]: staff, PINs and sessions ([`staff::auth`]), paired terminals;
//! - [`payments`]: the card saga; [`notify`]: the customer's "ready" email;
//! - [`sinks`]: webhook and Kafka sinks, the outbox relay and replays;
//! - [`reports`]: the day's numbers on screen and by email; [`shop`]: settings, the audit log;
//! - [`reactions`]: what an order change causes, as one table; [`event_feed`]: the event
//!   log followed live, for every live stream;
//! - [`jobs`]: the durable job runner, the cron and retention;
//! - [`sync`]: terminals that work offline and sync with the shop's hub.
//!
//! A job handler lives beside its use case and registers itself in [`reactions`] or
//! [`jobs::kinds`](jobs).

pub mod cloudevents;
pub mod context;
pub mod discounts;
pub mod error;
pub mod event_feed;
pub mod hub;
pub mod idempotency;
pub mod jobs;
pub mod menu;
pub mod metrics;
pub mod notify;
pub mod orders;
pub mod paging;
pub mod payments;
pub mod reactions;
pub mod receipts;
pub mod reports;
pub mod shop;
pub mod sinks;
pub mod staff;
pub mod sync;

pub use context::RequestContext;
pub use error::ServiceError;
pub use hub::EventHub;
