//! The server's integration tests: one binary, each test with its own database file.

mod crash;
mod events;
mod health;
mod helpers;
mod idempotency;
mod menu;
mod orders;
mod problems;
mod transitions;
