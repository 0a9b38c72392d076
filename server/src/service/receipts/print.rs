//! The receipt print job: a durable job per receipt, so a printer that is off holds its
//! receipts until it is back, and a retry never prints a receipt twice.
//!
//! A run connects first; a printer that does not answer has been sent nothing, so the job
//! simply tries again later. Once the printer answers, the run records its attempt
//! (`printouts`, `sending`) *before* the first byte goes out and `printed` after the last. A
//! run that finds its job's attempt still `sending` — the process died, or the connection
//! broke, mid-print — does not print again: the paper may already be in the customer's hand.
//! It marks the attempt `uncertain` and ends the job with that reason, for staff to reprint
//! from the order if nothing came out (Odoo's reprint-on-retry bug, avoided).

use super::{kitchen, lines};
use crate::printing::{self, escpos};
use crate::service::jobs::{Handler, JobFailure, JobSpec};
use crate::service::reports::close;
use crate::service::{orders, ServiceError};
use crate::state::AppState;
use crate::store::jobs::{JobRecord, NewJob};
use crate::store::printouts::{self, Printout};
use crate::store::{Done, JobError};
use chrono::{DateTime, Utc};
use crema_shared::close::CloseReport;
use crema_shared::retry::RetryPolicy;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub const KIND: &str = "print.receipt";

/// Said when a receipt may or may not be on paper.
pub const UNCERTAIN: &str =
    "the printer may already have printed this receipt (the print was cut off); not printed again: reprint from the order if nothing came out";

/// A printer that is off keeps its receipts for hours: every 5 s at first, then every minute,
/// 600 times.
pub fn spec() -> JobSpec {
    JobSpec {
        policy: RetryPolicy {
            base: Duration::from_secs(5),
            factor: 2.0,
            cap: Duration::from_secs(60),
            max_attempts: 600,
        },
        timeout: Duration::from_secs(45),
        // One receipt at a time reaches the printer, in the order they were queued.
        concurrency: 1,
    }
}

/// The job's payload: an order's receipt, or an X or Z report as it was when asked for
/// (`order_id` nil).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptPrint {
    pub order_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<CloseReport>,
    /// A kitchen ticket for this station's printer (job kind [`kitchen::KIND`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
}

/// A print job for `order_id`'s receipt, due at `at`.
pub fn job(order_id: Uuid, at: DateTime<Utc>) -> NewJob {
    NewJob::new(KIND, &ReceiptPrint { order_id, report: None, station: None }, at)
}

/// A print job for `order_id`'s kitchen ticket on `station`'s printer, due at `at`.
pub fn kitchen_job(order_id: Uuid, station: String, at: DateTime<Utc>) -> NewJob {
    NewJob::new(kitchen::KIND, &ReceiptPrint { order_id, report: None, station: Some(station) }, at)
}

/// A print job for `report` (the X report as it is now, or a day's Z report), due at `at`.
pub fn report_job(report: CloseReport, at: DateTime<Utc>) -> NewJob {
    NewJob::new(KIND, &ReceiptPrint { order_id: Uuid::nil(), report: Some(report), station: None }, at)
}

pub fn handler() -> Handler {
    Arc::new(|state, job| Box::pin(async move { run(&state, job).await }))
}

async fn run(state: &AppState, job: JobRecord) -> Result<(), JobFailure> {
    let ReceiptPrint { order_id, report, station } = job.payload_as().map_err(JobFailure::Permanent)?;
    let retry = |e: ServiceError| JobFailure::Retryable(e.to_string());
    match printouts::find(&mut state.store.read().await.map_err(|e| retry(e.into()))?, job.id)
        .await
        .map_err(|e| retry(e.into()))?
    {
        None => {}
        Some(Printout::Printed) => return Ok(()),
        Some(Printout::Uncertain) => return Err(JobFailure::Permanent(UNCERTAIN.into())),
        Some(Printout::Sending) => {
            record(state, job.id, Printout::Uncertain).await.map_err(retry)?;
            tracing::warn!(%order_id, job_id = %job.id, "a receipt print was cut off; not printing it again");
            return Err(JobFailure::Permanent(UNCERTAIN.into()));
        }
    }
    let receipt_printer = || {
        state.receipt_printer.in_use().ok_or_else(|| {
            JobFailure::Permanent("no receipt printer is set (settings, or CREMA_RECEIPT_PRINTER)".into())
        })
    };
    let order = || async {
        orders::get(state, order_id).await.map_err(|e| match e {
            ServiceError::NotFound(_) => JobFailure::Permanent(format!("order {order_id} no longer exists")),
            other => retry(other),
        })
    };
    let (printer, paper, what) = match (&report, &station) {
        (Some(report), _) => (
            receipt_printer()?,
            close::print_lines(state, report).await.map_err(retry)?,
            format!("{} report {}", report.kind, report.business_date),
        ),
        (None, Some(station)) => {
            let order = order().await?;
            match kitchen::ticket(state, &order, station).await {
                Ok(Some((printer, paper))) => (printer, paper, format!("ticket {} for {station}", order.ticket)),
                // None of the order's lines are this station's: nothing to print.
                Ok(None) => return Ok(()),
                Err(e @ kitchen::KitchenTicketError::NoStation(_)) => return Err(JobFailure::Permanent(e.to_string())),
                Err(e) => return Err(JobFailure::Retryable(e.to_string())),
            }
        }
        (None, None) => {
            let order = order().await?;
            (receipt_printer()?, lines(state, &order).await.map_err(retry)?, format!("ticket {}", order.ticket))
        }
    };
    let bytes = escpos::encode(&paper);
    // Nothing has been sent when this fails: the job is simply due again.
    let connection = printing::connect(&printer).await.map_err(|e| JobFailure::Retryable(e.to_string()))?;
    let (job_id, now, address) = (job.id, state.clock.now(), printer.to_string());
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                printouts::begin(conn, job_id, order_id, &address, now).await?;
                Ok::<_, JobError<ServiceError>>(Done::new((), None))
            })
        })
        .await
        .map_err(retry)?;
    match connection.send(&bytes).await {
        Ok(()) => {
            record(state, job.id, Printout::Printed).await.map_err(retry)?;
            tracing::info!(%order_id, %what, printer = %printer, "printed");
            Ok(())
        }
        Err(e) => {
            tracing::warn!(%order_id, error = %e, "a receipt print was cut off; not printing it again");
            record(state, job.id, Printout::Uncertain).await.map_err(retry)?;
            Err(JobFailure::Permanent(format!("{UNCERTAIN} ({e})")))
        }
    }
}

/// Records how job `job_id`'s attempt ended.
async fn record(state: &AppState, job_id: Uuid, outcome: Printout) -> Result<(), ServiceError> {
    let now = state.clock.now();
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                printouts::finish(conn, job_id, outcome, now).await?;
                Ok::<_, JobError<ServiceError>>(Done::new((), None))
            })
        })
        .await
}
