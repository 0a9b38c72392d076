//! The HTTP face: routes, extractors that speak problem+json, request context, the live
//! event stream and the OpenAPI document.

pub mod access;
pub mod audit;
pub mod auth;
pub mod board;
pub mod client;
pub mod discounts;
pub mod drawer;
pub mod error;
pub mod etag;
pub mod events;
pub mod extract;
pub mod health;
pub mod jobs;
pub mod kitchen;
pub mod menu;
pub mod openapi;
pub mod openapi_truth;
pub mod orders;
pub mod privacy;
pub mod query;
pub mod receipts;
pub mod reports;
pub mod request_context;
pub mod routes;
pub mod security;
pub mod sessions;
pub mod settings;
pub mod sinks;
pub mod staff;
pub mod sync;
pub mod terminals;
pub mod ui;

pub use error::ApiError;
