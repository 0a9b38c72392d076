//! The API and the command line on the real `crema-server` binary, from outside: signed in
//! over HTTP, killed with `kill -9` and restarted on the same database file, driven with its
//! subcommands.

mod audit_cli;
mod backup;
mod cli;
mod crash;
mod openapi_fuzz;
