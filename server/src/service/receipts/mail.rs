//! The emailed receipt: when a customer who left an email address pays, the receipt goes to
//! them as a durable mail job (the same lines as the paper, as text and as the receipt page).
//!
//! On a synced terminal nothing is mailed: the hub mails it when the order arrives there
//! (what reaches the outside world happens once, on the hub).

use super::{lines, page};
use crate::service::jobs::{Handler, JobFailure, JobSpec};
use crate::service::notify;
use crate::service::orders::view::order_dto;
use crate::state::AppState;
use crate::store::jobs::{JobRecord, NewJob};
use chrono::{DateTime, Utc};
use crema_shared::receipt::PrintLine;
use crema_shared::retry::RetryPolicy;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub const KIND: &str = "notification.receipt";

pub fn spec() -> JobSpec {
    JobSpec {
        policy: RetryPolicy {
            base: Duration::from_secs(10),
            factor: 2.0,
            cap: Duration::from_secs(600),
            max_attempts: 6,
        },
        timeout: Duration::from_secs(60),
        concurrency: 2,
    }
}

/// The job's payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptMail {
    pub order_id: Uuid,
}

/// The emailed receipt of `order_id`, once per order.
pub fn job(order_id: Uuid, at: DateTime<Utc>) -> NewJob {
    NewJob::new(KIND, &ReceiptMail { order_id }, at).once(format!("{KIND}:{order_id}"))
}

pub fn handler() -> Handler {
    Arc::new(|state, job| Box::pin(async move { send(&state, job).await }))
}

async fn send(state: &AppState, job: JobRecord) -> Result<(), JobFailure> {
    let ReceiptMail { order_id } = job.payload_as().map_err(JobFailure::Permanent)?;
    let order = notify::order_to_mail(state, order_id).await?;
    let dto = order_dto(&order, None);
    let receipt = lines(state, &dto).await.map_err(|e| JobFailure::Retryable(e.to_string()))?;
    let shop = receipt.first().map(|l| l.text.clone()).unwrap_or_default();
    let subject = format!("Your receipt from {shop} — ticket {}", dto.ticket);
    let message = (subject, text(&receipt), page::render(&format!("Receipt — ticket {}", dto.ticket), &receipt));
    notify::send_to_customer(state, &job, &order, "receipt", message, spec().policy.max_attempts).await
}

/// The receipt as plain text: its lines, centred ones centred in the paper's width.
fn text(lines: &[PrintLine]) -> String {
    let mut out = String::new();
    for line in lines {
        let width = line.width();
        let pad = match line.align {
            crema_shared::receipt::Align::Center => width.saturating_sub(line.text.chars().count()) / 2,
            crema_shared::receipt::Align::Left => 0,
        };
        out.push_str(&" ".repeat(pad));
        out.push_str(&line.text);
        out.push('\n');
    }
    out
}
