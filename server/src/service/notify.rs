//! Telling customers their drink is ready, by email.
//!
//! When an order becomes ready and has an email address (and SMTP is configured), a
//! `notification.order_ready` job is written in the same transaction. The job sends "Your
//! Latte is ready — ticket 42" (plain text and HTML) through `lettre`, then records
//! `notification.sent` and finishes in one write; a refusal by the mail server, or the last
//! failed attempt, records `notification.failed`. The message id is the job id, so the rare
//! resend after a crash between sending and recording is recognisable as a duplicate.

use crate::service::jobs::{Handler, JobFailure, JobSpec};
use crate::service::orders::view::event_data;
use crate::service::reactions::{Effects, OrderChange};
use crate::service::RequestContext;
use crate::state::AppState;
use crate::store::jobs::{JobRecord, NewJob};
use crate::store::orders::{self, OrderRecord};
use crate::store::StoreError;
use crema_shared::events::types;
use crema_shared::lifecycle::OrderEvent;
use crema_shared::retry::RetryPolicy;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;
use uuid::Uuid;

pub const KIND: &str = "notification.order_ready";

/// The configured mail server and sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    pub fn transport(&self) -> &AsyncSmtpTransport<Tokio1Executor> {
        &self.transport
    }

    /// From `smtp://[user:pass@]host[:port][?tls=starttls]` (or `smtps://…`) and a sender.
    pub fn from_config(url: &str, from: &str) -> Result<Mailer, String> {
        let url = url.replace("tls=starttls", "tls=required");
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| format!("CREMA_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from.parse::<Mailbox>().map_err(|e| format!("CREMA_MAIL_FROM: {e}"))?;
        Ok(Mailer { transport, from })
    }
}

pub fn spec() -> JobSpec {
    JobSpec {
        policy: RetryPolicy {
            base: Duration::from_secs(10),
            factor: 2.0,
            cap: Duration::from_secs(600),
            max_attempts: 6,
        },
        timeout: Duration::from_secs(60),
        concurrency: 4,
    }
}

/// The email job's payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyMail {
    pub order_id: Uuid,
}

/// The job for an order that just became ready.
pub fn job_for(order_id: Uuid, at: chrono::DateTime<chrono::Utc>) -> NewJob {
    NewJob::new(KIND, &ReadyMail { order_id }, at).once(format!("{KIND}:{order_id}"))
}

/// The reaction: an order that just became ready, with an email address, gets its email
/// (when the shop has a mail server).
pub fn on_order_change(state: &AppState, change: &OrderChange<'_>, effects: &mut Effects) {
    let ready = change.recorded(|e| *e == OrderEvent::Ready);
    if ready && state.mailer.is_some() && change.order.customer_email.is_some() {
        effects.jobs.push(job_for(change.order.id, change.at));
    }
}

pub fn handler() -> Handler {
    Arc::new(|state, job| Box::pin(async move { send(&state, job).await }))
}

/// Subject and bodies of the "ready" email.
pub fn ready_message(order: &OrderRecord) -> (String, String, String) {
    let names: Vec<&str> = order.lines.iter().map(|l| l.name.as_str()).collect();
    let what = match names.as_slice() {
        [] => "order".to_string(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
    };
    let verb = if names.len() > 1 { "are" } else { "is" };
    let subject = format!("Your {what} {verb} ready — ticket {}", order.ticket_number);
    let first_name = order.customer_name.split_whitespace().next().unwrap_or("there");
    let text = format!(
        "Hi {first_name},\n\nyour order is ready at the counter: ticket {}.\n\n{}\n\nEnjoy!\n",
        order.ticket_number,
        order.lines.iter().map(|l| format!("- {} × {}", l.quantity, l.name)).collect::<Vec<_>>().join("\n"),
    );
    let html = format!(
        "<p>Hi {},</p><p>your order is ready at the counter: <strong>ticket {}</strong>.</p><ul>{}</ul><p>Enjoy!</p>",
        escape(first_name),
        order.ticket_number,
        order.lines.iter().map(|l| format!("<li>{} × {}</li>", l.quantity, escape(&l.name))).collect::<String>(),
    );
    (subject, text, html)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

async fn send(state: &AppState, job: JobRecord) -> Result<(), JobFailure> {
    let ReadyMail { order_id } = job.payload_as().map_err(JobFailure::Permanent)?;
    let order = order_to_mail(state, order_id).await?;
    let message = ready_message(&order);
    send_to_customer(state, &job, &order, "ready", message, spec().policy.max_attempts).await
}

/// The order an email job is about (gone: the job can never work).
pub async fn order_to_mail(state: &AppState, order_id: Uuid) -> Result<OrderRecord, JobFailure> {
    let mut conn = state.store.read().await.map_err(|e| JobFailure::Retryable(e.to_string()))?;
    orders::get(&mut conn, order_id)
        .await
        .map_err(|e| JobFailure::Retryable(e.to_string()))?
        .ok_or_else(|| JobFailure::Permanent(format!("order {order_id} no longer exists")))
}

/// Sends `message` (subject, text, HTML) to `order`'s customer as email job `job`, and
/// records `notification.sent` (or, once it will never work, `notification.failed`) with
/// `message_kind` (`ready`, `receipt`) in the job's finishing write.
pub async fn send_to_customer(
    state: &AppState,
    job: &JobRecord,
    order: &OrderRecord,
    message_kind: &str,
    (subject, text, html): (String, String, String),
    max_attempts: u32,
) -> Result<(), JobFailure> {
    let mailer = state.mailer.clone().ok_or_else(|| JobFailure::Permanent("no SMTP server is configured".into()))?;
    let to = order.customer_email.clone().ok_or_else(|| JobFailure::Permanent("the order has no email".into()))?;
    let built = to.parse::<Mailbox>().map_err(|e| e.to_string()).and_then(|to| {
        Message::builder()
            .from(mailer.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{}@crema>", job.id)))
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| e.to_string())
    });
    let outcome = match built {
        Err(e) => Err(JobFailure::Permanent(format!("cannot build the message: {e}"))),
        Ok(message) => {
            let span = tracing::info_span!("mail.send", otel.kind = "client", job.id = %job.id);
            let sent = mailer.transport.send(message).instrument(span).await;
            state.metrics.mail(sent.is_ok());
            match sent {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(JobFailure::Permanent(format!("the mail server refused it: {e}"))),
                Err(e) => Err(JobFailure::Retryable(format!("sending failed: {e}"))),
            }
        }
    };
    let last_attempt = job.attempts >= max_attempts;
    let event_type = match &outcome {
        Ok(()) => Some(types::NOTIFICATION_SENT),
        Err(JobFailure::Permanent(_)) => Some(types::NOTIFICATION_FAILED),
        Err(JobFailure::Retryable(_)) if last_attempt => Some(types::NOTIFICATION_FAILED),
        Err(_) => None,
    };
    if let Some(event_type) = event_type {
        let error = outcome.as_ref().err().map(ToString::to_string);
        record(state, job, order, (&to, message_kind), event_type, error, outcome.is_ok())
            .await
            .map_err(|e| JobFailure::Retryable(e.to_string()))?;
    }
    outcome
}

async fn record(
    state: &AppState,
    job: &JobRecord,
    order: &OrderRecord,
    (to, message_kind): (&str, &str),
    event_type: &'static str,
    error: Option<String>,
    finished: bool,
) -> Result<(), StoreError> {
    let mut data = event_data(order);
    if let Some(map) = data.as_object_mut() {
        map.insert("channel".into(), "email".into());
        map.insert("to".into(), to.into());
        map.insert("message".into(), message_kind.into());
        map.insert("job_id".into(), job.id.to_string().into());
        if let Some(error) = &error {
            map.insert("error".into(), error.clone().into());
        }
    }
    let event = RequestContext::internal().event(event_type, Some(order.id.to_string()), state.clock.now(), data);
    crate::service::jobs::record(state, job.id, vec![event], finished).await
}
