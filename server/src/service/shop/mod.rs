//! The shop's own records: its settings and the audit log.

pub mod audit;
pub mod backups;
pub mod settings;
