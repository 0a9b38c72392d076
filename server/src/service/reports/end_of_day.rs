//! The end-of-day summary email to managers: a durable job per business day, enqueued by
//! the cron (`CREMA_CRON_END_OF_DAY`), sent to every active manager with an email address.

use crate::service::jobs::{Daily, Handler, JobFailure, JobSpec};
use crate::service::RequestContext;
use crate::state::AppState;
use crate::store::jobs::JobRecord;
use crate::store::report::{day_summary, DaySummary};
use crate::store::{staff, StoreError};
use crema_shared::events::types;
use crema_shared::retry::RetryPolicy;
use crema_shared::Money;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncTransport, Message};
use std::sync::Arc;
use std::time::Duration;

pub const KIND: &str = "report.end_of_day";

pub fn spec() -> JobSpec {
    JobSpec {
        policy: RetryPolicy {
            base: Duration::from_secs(60),
            factor: 2.0,
            cap: Duration::from_secs(1800),
            max_attempts: 6,
        },
        timeout: Duration::from_secs(60),
        concurrency: 1,
    }
}

/// Queues the summary of `business_date` (once per day, however often it is asked for).
pub async fn enqueue(state: &AppState, business_date: &str) -> Result<bool, StoreError> {
    crate::service::jobs::enqueue_daily(state, KIND, business_date).await
}

pub fn handler() -> Handler {
    Arc::new(|state, job| Box::pin(async move { send(&state, job).await }))
}

/// Subject and plain-text body of the summary.
pub fn summary_message(shop: &str, currency: &str, s: &DaySummary) -> (String, String) {
    let subject =
        format!("{shop} — {}: {} orders, {} {currency}", s.business_date, s.orders, Money::from_minor(s.revenue_cents));
    let average = s
        .average_ready_seconds
        .map_or("—".to_string(), |secs| format!("{}:{:02}", secs as i64 / 60, secs as i64 % 60));
    let top = if s.top_items.is_empty() {
        "  (nothing sold)".to_string()
    } else {
        s.top_items.iter().map(|(name, units)| format!("  {units:>4}  {name}")).collect::<Vec<_>>().join("\n")
    };
    let body = format!(
        "End of day {date} at {shop}\n\nOrders: {orders}\nCancelled: {cancelled}\nRevenue (captured): {revenue} {currency}\n\
         Average time to ready: {average} (min:s)\n\nTop items:\n{top}\n",
        date = s.business_date,
        orders = s.orders,
        cancelled = s.cancelled,
        revenue = Money::from_minor(s.revenue_cents),
    );
    (subject, body)
}

async fn send(state: &AppState, job: JobRecord) -> Result<(), JobFailure> {
    let mailer = state.mailer.clone().ok_or_else(|| JobFailure::Permanent("no SMTP server is configured".into()))?;
    let Daily { business_date: date } = job.payload_as().map_err(JobFailure::Permanent)?;
    let retry = |e: StoreError| JobFailure::Retryable(e.to_string());
    let mut conn = state.store.read().await.map_err(|e| JobFailure::Retryable(e.to_string()))?;
    let summary = day_summary(&mut conn, &date).await.map_err(retry)?;
    let managers = staff::manager_emails(&mut conn).await.map_err(retry)?;
    let head = crate::store::audit::head(&mut conn).await.map_err(retry)?;
    let shop = crate::store::settings::load(&mut conn)
        .await
        .map_err(retry)?
        .ok_or_else(|| JobFailure::Permanent("no shop settings".into()))?;
    drop(conn);
    if managers.is_empty() {
        return Ok(()); // nobody to tell: done, not failed
    }
    let (subject, mut body) = summary_message(&shop.shop.name, shop.shop.currency.as_str(), &summary);
    // The audit chain's head, off the box: compare it with tomorrow's to see nothing was rewritten.
    let (head_id, head_hash) = head.unwrap_or((0, crate::store::audit::GENESIS.to_string()));
    body.push_str(&format!("\nAudit log chain head (entry #{head_id}):\n{head_hash}\n"));
    let mut builder =
        Message::builder().from(mailer.from().clone()).subject(subject).message_id(Some(format!("<{}@crema>", job.id)));
    for address in &managers {
        let to = address.parse::<Mailbox>().map_err(|e| JobFailure::Permanent(format!("{address}: {e}")))?;
        builder = builder.to(to);
    }
    let html = format!("<pre>{}</pre>", body.replace('&', "&amp;").replace('<', "&lt;"));
    let message = builder
        .multipart(MultiPart::alternative_plain_html(body, html))
        .map_err(|e| JobFailure::Permanent(format!("cannot build the message: {e}")))?;
    match mailer.transport().send(message).await {
        Ok(_) => {}
        Err(e) if e.is_permanent() => return Err(JobFailure::Permanent(format!("the mail server refused it: {e}"))),
        Err(e) => return Err(JobFailure::Retryable(format!("sending failed: {e}"))),
    }
    let data = serde_json::json!({ "channel": "email", "kind": "end_of_day", "business_date": date, "to": managers, "job_id": job.id });
    let event = RequestContext::internal().event(types::NOTIFICATION_SENT, None, state.clock.now(), data);
    crate::service::jobs::record(state, job.id, vec![event], true).await.map_err(retry)
}
