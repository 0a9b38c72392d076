//! Outbound adapters for the outbox relay: where events go and how they are signed.

pub mod egress;
pub mod kafka;
pub mod signing;
pub mod webhook;
