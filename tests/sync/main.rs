//! Offline terminals and their hub as real processes: a hub and terminals, each its own
//! `crema-server` with its own database, killed with `kill -9`, cut off by a proxy that drops
//! connections and loses replies, and then checked to converge: every order exactly once,
//! the same statuses and tickets everywhere, each `order.placed` forwarded by the hub alone.

mod converge;
mod partition;
mod shop;
