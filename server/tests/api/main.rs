//! The server's integration tests: one binary, each test with its own database file.

mod access;
mod audit;
#[path = "../support/binary.rs"]
#[allow(dead_code)] // shared with the screens tests
mod binary;
mod cli;
mod crash;
mod egress;
mod events;
mod health;
mod helpers;
mod idempotency;
mod jobs;
mod kafka;
mod mail;
mod menu;
mod network;
mod orders;
mod payments;
mod privacy;
mod problems;
mod retention;
mod screens_api;
mod secrets;
mod security;
mod sessions;
mod signin;
mod staff;
mod stock;
mod tansu;
mod terminals;
mod transitions;
mod webhooks;
