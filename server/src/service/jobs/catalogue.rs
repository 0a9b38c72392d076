//! The job kinds Crema runs, each with its retry policy and handler, registered once at
//! start (a job of a kind not listed here dies at once as a permanent error).

use super::JobKinds;
use crate::service::orders::sla;
use crate::service::reports::end_of_day as report;
use crate::service::shop::backups;
use crate::service::{notify, payments, receipts, sinks};

/// Every job kind the server runs.
pub fn crema_kinds() -> JobKinds {
    let kinds = JobKinds::default();
    kinds.register(sla::KIND, sla::spec(), sla::handler());
    kinds.register(sinks::REPLAY_KIND, sinks::replay_spec(), sinks::replay_handler());
    kinds.register(notify::KIND, notify::spec(), notify::handler());
    kinds.register(report::KIND, report::spec(), report::handler());
    kinds.register(backups::KIND, backups::spec(), backups::handler());
    kinds.register(receipts::print::KIND, receipts::print::spec(), receipts::print::handler());
    kinds.register(receipts::kitchen::KIND, receipts::print::spec(), receipts::print::handler());
    kinds.register(receipts::mail::KIND, receipts::mail::spec(), receipts::mail::handler());
    for kind in payments::KINDS {
        kinds.register(kind, payments::spec(), payments::handler());
    }
    kinds
}
