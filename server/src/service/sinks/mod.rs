//! Managing webhook sinks: add, change, remove, see and replay dead letters, replay a range.
//! Every change is audited; relay tasks are started and woken here.

pub mod relay;
pub mod targets;

use crate::service::cloudevents::cloud_event;
use crate::service::error::JobResult;
use crate::service::jobs::{Handler, JobFailure, JobSpec};
use crate::service::{RequestContext, ServiceError};
use crate::sinks::kafka;
use crate::sinks::signing::WebhookSecret;
use crate::sinks::webhook::{self, Delivery};
use crate::state::AppState;
use crate::store::jobs::{self, JobRecord, NewJob};
use crate::store::sinks::{self, DeadLetter, SinkRecord, SinkTarget};
use crate::store::{audit, outbox, time, Done};
use crema_shared::api::{DeadLetterDto, NewSinkRequest, ReplayRequest, SinkDto, SinkPatch};
use crema_shared::retry::RetryPolicy;
use crema_shared::validation::bounded_text;
use crema_shared::ValidationErrors;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The job kind that redelivers a range of sequences to a sink.
pub const REPLAY_KIND: &str = "sink.replay";
/// Most events one replay request may cover.
pub const MAX_REPLAY: i64 = 10_000;
const MAX_EVENT_TYPES: usize = 50;

pub fn sink_dto(s: &SinkRecord, secret: Option<String>) -> SinkDto {
    let (url, brokers, topic) = match &s.target {
        SinkTarget::Webhook { url, .. } => (Some(url.clone()), None, None),
        SinkTarget::Kafka { brokers, topic } => (None, Some(brokers.clone()), Some(topic.clone())),
    };
    SinkDto {
        id: s.id,
        kind: s.target.kind().to_string(),
        name: s.name.clone(),
        url,
        brokers,
        topic,
        event_types: s.event_types.clone(),
        active: s.active,
        cursor: s.cursor,
        consecutive_failures: s.consecutive_failures,
        rejections: s.rejections,
        next_attempt_at: s.next_attempt_at,
        last_error: s.last_error.clone(),
        secret,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

pub fn dead_letter_dto(d: &DeadLetter) -> DeadLetterDto {
    DeadLetterDto {
        id: d.id,
        sequence: d.sequence,
        event_id: d.event_id.clone(),
        error: d.error.clone(),
        attempts: d.attempts,
        at: d.at,
        replayed_at: d.replayed_at,
    }
}

pub async fn list(state: &AppState) -> Result<Vec<SinkDto>, ServiceError> {
    let mut conn = state.store.reader().acquire().await?;
    Ok(sinks::list(&mut conn).await?.iter().map(|s| sink_dto(s, None)).collect())
}

pub async fn get(state: &AppState, id: Uuid) -> Result<SinkDto, ServiceError> {
    let mut conn = state.store.reader().acquire().await?;
    sinks::get(&mut conn, id).await?.map(|s| sink_dto(&s, None)).ok_or(ServiceError::NotFound("sink"))
}

/// Adds a sink (a signed webhook or a Kafka topic) and starts its relay.
pub async fn create(state: &AppState, ctx: &RequestContext, request: &NewSinkRequest) -> Result<SinkDto, ServiceError> {
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", bounded_text(&request.name, 60));
    let target = match request.kind.as_deref().unwrap_or("webhook") {
        "webhook" => {
            let url = match request.url.as_deref() {
                Some(url) => errors.check("url", targets::check_url(url)),
                None => errors.check("url", Err::<String, _>("is required for a webhook sink")),
            };
            let secret = match &request.secret {
                Some(secret) => errors.check("secret", WebhookSecret::parse(secret).map(|_| secret.clone())),
                None => Some(WebhookSecret::generate()),
            };
            for (field, given) in [("brokers", request.brokers.is_some()), ("topic", request.topic.is_some())] {
                if given {
                    errors.push(field, "is only for kafka sinks");
                }
            }
            url.zip(secret).map(|(url, secret)| SinkTarget::Webhook { url, secret })
        }
        "kafka" => {
            let brokers = match request.brokers.as_deref() {
                Some(b) => errors.check("brokers", targets::check_brokers(b)),
                None => errors.check("brokers", Err::<String, _>("is required for a kafka sink")),
            };
            let topic = match request.topic.as_deref() {
                Some(t) => errors.check("topic", targets::check_topic(t)),
                None => errors.check("topic", Err::<String, _>("is required for a kafka sink")),
            };
            for (field, given) in [("url", request.url.is_some()), ("secret", request.secret.is_some())] {
                if given {
                    errors.push(field, "is only for webhook sinks");
                }
            }
            brokers.zip(topic).map(|(brokers, topic)| SinkTarget::Kafka { brokers, topic })
        }
        _ => {
            errors.push("kind", "must be webhook or kafka");
            None
        }
    };
    let event_types = errors.check("event_types", check_types(&request.event_types));
    if request.start_after.is_some_and(|s| s < 0) {
        errors.push("start_after", "must not be negative");
    }
    let (Some(name), Some(target), Some(event_types)) = (name, target, event_types) else {
        return Err(errors.into());
    };
    errors.into_result(())?;
    targets::check_egress(state, &target).await?;
    let id = Uuid::now_v7();
    let (target, secret) = match target {
        SinkTarget::Webhook { url, secret } => {
            let sealed = targets::seal_secret(state, id, &secret)?;
            (SinkTarget::Webhook { url, secret: sealed }, Some(secret))
        }
        kafka => (kafka, None),
    };
    let now = time::now();
    let start_after = request.start_after;
    let ctx = ctx.clone();
    let mut record = SinkRecord {
        id,
        name,
        target,
        event_types,
        active: true,
        cursor: 0,
        rejections: 0,
        consecutive_failures: 0,
        next_attempt_at: None,
        last_error: None,
        created_at: now,
        updated_at: now,
    };
    let created = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                if sinks::find_by_name(conn, &record.name).await?.is_some() {
                    return Err(ValidationErrors::single("name", "another sink has this name").into());
                }
                record.cursor = match start_after {
                    Some(after) => after,
                    None => outbox::latest_sequence(&mut *conn).await?,
                };
                sinks::insert(conn, &record).await?;
                let detail =
                    json!({ "name": record.name, "kind": record.target.kind(), "event_types": record.event_types });
                audit::append(conn, &ctx.audit("sink.created", Some(record.id.to_string()), detail)).await?;
                JobResult::Ok(Done::new(record, None))
            })
        })
        .await?;
    relay::ensure_running(state, created.id);
    Ok(sink_dto(&created, secret))
}

/// Changes a sink's configuration; switching it on (re)starts its relay.
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    patch: &SinkPatch,
) -> Result<SinkDto, ServiceError> {
    let mut errors = ValidationErrors::new();
    let name = patch.name.as_deref().and_then(|n| errors.check("name", bounded_text(n, 60)));
    let url = patch.url.as_deref().and_then(|u| errors.check("url", targets::check_url(u)));
    let secret =
        patch.secret.as_deref().and_then(|s| errors.check("secret", WebhookSecret::parse(s).map(|_| s.to_string())));
    let brokers = patch.brokers.as_deref().and_then(|b| errors.check("brokers", targets::check_brokers(b)));
    let topic = patch.topic.as_deref().and_then(|t| errors.check("topic", targets::check_topic(t)));
    let types = patch.event_types.as_deref().and_then(|t| errors.check("event_types", check_types(t)));
    errors.into_result(())?;
    if let Some(url) = &url {
        targets::check_egress(state, &SinkTarget::Webhook { url: url.clone(), secret: String::new() }).await?;
    }
    if let Some(brokers) = &brokers {
        targets::check_egress(state, &SinkTarget::Kafka { brokers: brokers.clone(), topic: String::new() }).await?;
    }
    let new_secret = secret.clone();
    let secret = secret.map(|s| targets::seal_secret(state, id, &s)).transpose()?;
    let (ctx, active) = (ctx.clone(), patch.active);
    let updated = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let mut sink = sinks::get(conn, id).await?.ok_or(ServiceError::NotFound("sink"))?;
                if let Some(name) = name {
                    if sinks::find_by_name(conn, &name).await?.is_some_and(|other| other.id != id) {
                        return Err(ValidationErrors::single("name", "another sink has this name").into());
                    }
                    sink.name = name;
                }
                sink.target = match sink.target {
                    SinkTarget::Webhook { url: old_url, secret: old_secret } => {
                        if brokers.is_some() || topic.is_some() {
                            return Err(ValidationErrors::single("brokers", "is only for kafka sinks").into());
                        }
                        SinkTarget::Webhook { url: url.unwrap_or(old_url), secret: secret.unwrap_or(old_secret) }
                    }
                    SinkTarget::Kafka { brokers: old_brokers, topic: old_topic } => {
                        if url.is_some() || secret.is_some() {
                            return Err(ValidationErrors::single("url", "is only for webhook sinks").into());
                        }
                        SinkTarget::Kafka { brokers: brokers.unwrap_or(old_brokers), topic: topic.unwrap_or(old_topic) }
                    }
                };
                sink.event_types = types.unwrap_or(sink.event_types);
                sink.active = active.unwrap_or(sink.active);
                sinks::update_config(conn, &sink).await?;
                let detail = json!({ "name": sink.name, "kind": sink.target.kind(), "event_types": sink.event_types, "active": sink.active });
                audit::append(conn, &ctx.audit("sink.updated", Some(id.to_string()), detail)).await?;
                JobResult::Ok(Done::new(sink, None))
            })
        })
        .await?;
    if updated.active {
        relay::ensure_running(state, id);
    }
    state.relay_wakeup.notify_waiters();
    Ok(sink_dto(&updated, new_secret))
}

pub async fn delete(state: &AppState, ctx: &RequestContext, id: Uuid) -> Result<(), ServiceError> {
    let ctx = ctx.clone();
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                if !sinks::delete(conn, id).await? {
                    return Err(ServiceError::NotFound("sink").into());
                }
                audit::append(conn, &ctx.audit("sink.deleted", Some(id.to_string()), json!({}))).await?;
                JobResult::Ok(Done::new((), None))
            })
        })
        .await?;
    state.relay_wakeup.notify_waiters();
    Ok(())
}

pub async fn dead_letters(state: &AppState, id: Uuid) -> Result<Vec<DeadLetterDto>, ServiceError> {
    let mut conn = state.store.reader().acquire().await?;
    sinks::get(&mut conn, id).await?.ok_or(ServiceError::NotFound("sink"))?;
    Ok(sinks::dead_letters(&mut conn, id).await?.iter().map(dead_letter_dto).collect())
}

/// Delivers a dead letter again, now. Refused by the endpoint or unreachable: a 409 saying so.
pub async fn replay_dead_letter(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    dead_letter_id: i64,
) -> Result<DeadLetterDto, ServiceError> {
    let mut conn = state.store.reader().acquire().await?;
    let sink = sinks::get(&mut conn, id).await?.ok_or(ServiceError::NotFound("sink"))?;
    let letter = sinks::dead_letters(&mut conn, id)
        .await?
        .into_iter()
        .find(|d| d.id == dead_letter_id)
        .ok_or(ServiceError::NotFound("dead letter"))?;
    let event = outbox::read_after(&mut *conn, letter.sequence - 1, 1)
        .await?
        .into_iter()
        .find(|e| e.sequence == letter.sequence)
        .ok_or_else(|| ServiceError::Conflict("the event is no longer in the outbox".into()))?;
    drop(conn);
    match deliver_one(state, &sink, cloud_event(&state.source, event)).await {
        Delivery::Delivered => {}
        Delivery::Rejected(error) | Delivery::Unreachable(error) => {
            return Err(ServiceError::Conflict(format!("not delivered: {error}")))
        }
    }
    let ctx = ctx.clone();
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                sinks::mark_replayed(conn, dead_letter_id).await?;
                let detail = json!({ "dead_letter": dead_letter_id, "sequence": letter.sequence });
                audit::append(conn, &ctx.audit("sink.dead_letter.replayed", Some(id.to_string()), detail)).await?;
                let replayed = DeadLetter { replayed_at: Some(time::now()), ..letter };
                JobResult::Ok(Done::new(dead_letter_dto(&replayed), None))
            })
        })
        .await
}

/// Queues a durable job that delivers `from..=to` to the sink again, in order.
pub async fn replay_range(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    request: &ReplayRequest,
) -> Result<JobRecord, ServiceError> {
    let (from, to) = (request.from_sequence, request.to_sequence);
    let mut errors = ValidationErrors::new();
    if from < 1 {
        errors.push("from_sequence", "must be at least 1");
    }
    if to < from {
        errors.push("to_sequence", "must not be before from_sequence");
    } else if to - from >= MAX_REPLAY {
        errors.push("to_sequence", format!("a replay covers at most {MAX_REPLAY} events"));
    }
    errors.into_result(())?;
    let ctx = ctx.clone();
    let job = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                sinks::get(conn, id).await?.ok_or(ServiceError::NotFound("sink"))?;
                let job = NewJob {
                    id: Uuid::now_v7(),
                    kind: REPLAY_KIND.to_string(),
                    payload: json!({ "sink_id": id, "from": from, "to": to }),
                    run_at: time::now(),
                    dedupe_key: None,
                };
                jobs::enqueue(conn, &job).await?;
                let detail = json!({ "from": from, "to": to, "job_id": job.id });
                audit::append(conn, &ctx.audit("sink.replay.requested", Some(id.to_string()), detail)).await?;
                let record = jobs::get(conn, job.id).await?.ok_or(ServiceError::NotFound("job"))?;
                JobResult::Ok(Done::new(record, None))
            })
        })
        .await?;
    state.jobs_wakeup.notify_one();
    Ok(job)
}

pub fn replay_spec() -> JobSpec {
    JobSpec {
        policy: RetryPolicy {
            base: Duration::from_secs(5),
            factor: 2.0,
            cap: Duration::from_secs(300),
            max_attempts: 10,
        },
        timeout: Duration::from_secs(300),
        concurrency: 1,
    }
}

/// Redelivers the range (from its start on every attempt: consumers dedupe by event id).
pub fn replay_handler() -> Handler {
    Arc::new(|state, job| Box::pin(async move { replay(&state, &job).await }))
}

async fn replay(state: &AppState, job: &JobRecord) -> Result<(), JobFailure> {
    let field = |name: &str| job.payload.get(name).cloned().unwrap_or_default();
    let sink_id = field("sink_id")
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| JobFailure::Permanent("payload has no sink_id".into()))?;
    let (Some(from), Some(to)) = (field("from").as_i64(), field("to").as_i64()) else {
        return Err(JobFailure::Permanent("payload has no range".into()));
    };
    let retry = |e: crate::store::StoreError| JobFailure::Retryable(e.to_string());
    let mut conn = state.store.reader().acquire().await.map_err(|e| JobFailure::Retryable(e.to_string()))?;
    let sink = sinks::get(&mut conn, sink_id)
        .await
        .map_err(retry)?
        .ok_or_else(|| JobFailure::Permanent("the sink is gone".into()))?;
    let mut after = from - 1;
    while after < to {
        let batch = outbox::read_after(&mut *conn, after, 200).await.map_err(retry)?;
        if batch.is_empty() {
            break;
        }
        for event in batch {
            if event.sequence > to {
                return Ok(());
            }
            after = event.sequence;
            if !sink.wants(&event.event_type) {
                continue;
            }
            match deliver_one(state, &sink, cloud_event(&state.source, event)).await {
                Delivery::Delivered => {}
                Delivery::Rejected(e) | Delivery::Unreachable(e) => {
                    return Err(JobFailure::Retryable(format!("at sequence {after}: {e}")))
                }
            }
        }
    }
    Ok(())
}

/// Makes sure a sink configured from the environment exists as set (created, or updated
/// and switched on); `target` is a webhook (`CREMA_WEBHOOK_*`) or Kafka (`CREMA_KAFKA_*`).
pub async fn ensure_configured(state: &AppState, name: &str, target: SinkTarget) -> Result<(), ServiceError> {
    let ctx = RequestContext::internal();
    let mut conn = state.store.reader().acquire().await?;
    let existing = sinks::find_by_name(&mut conn, name).await?;
    drop(conn);
    let (url, secret, brokers, topic) = match target {
        SinkTarget::Webhook { url, secret } => (Some(url), Some(secret), None, None),
        SinkTarget::Kafka { brokers, topic } => (None, None, Some(brokers), Some(topic)),
    };
    match existing {
        Some(sink) => {
            let patch = SinkPatch { url, secret, brokers, topic, active: Some(true), ..Default::default() };
            update(state, &ctx, sink.id, &patch).await.map(|_| ())
        }
        None => {
            let kind = if brokers.is_some() { "kafka" } else { "webhook" };
            let request = NewSinkRequest {
                kind: Some(kind.into()),
                name: name.into(),
                url,
                brokers,
                topic,
                secret,
                event_types: Vec::new(),
                start_after: None,
            };
            create(state, &ctx, &request).await.map(|_| ())
        }
    }
}

/// The names of the sinks configured from the environment.
pub const CONFIGURED_WEBHOOK: &str = "configured-webhook";
pub const CONFIGURED_KAFKA: &str = "configured-kafka";

/// Starts the relay of every active sink (at server start).
pub async fn start_relays(state: &AppState) -> Result<(), ServiceError> {
    let mut conn = state.store.reader().acquire().await?;
    for sink in sinks::list(&mut conn).await?.into_iter().filter(|s| s.active) {
        relay::ensure_running(state, sink.id);
    }
    Ok(())
}

/// Delivers one event to a sink, whatever its kind.
async fn deliver_one(state: &AppState, sink: &SinkRecord, event: crema_shared::api::CloudEvent) -> Delivery {
    match &sink.target {
        SinkTarget::Webhook { url, secret } => match targets::open_secret(state, sink.id, secret) {
            Ok(secret) => webhook::deliver(&state.http, &state.egress, url, &secret, &event).await,
            Err(e) => Delivery::Rejected(e.to_string()),
        },
        SinkTarget::Kafka { brokers, .. } if state.egress.check_brokers(brokers).await.is_err() => {
            Delivery::Unreachable("the brokers' address is not allowed".into())
        }
        SinkTarget::Kafka { brokers, topic } => match state.kafka_producer(sink.id, brokers) {
            Ok(producer) => match kafka::deliver(&producer, topic, std::slice::from_ref(&event)).await {
                (1, _) => Delivery::Delivered,
                (_, failure) => failure.unwrap_or(Delivery::Unreachable("Kafka did not acknowledge".into())),
            },
            Err(e) => Delivery::Unreachable(e),
        },
    }
}

fn check_types(types: &[String]) -> Result<Vec<String>, String> {
    if types.len() > MAX_EVENT_TYPES {
        return Err(format!("at most {MAX_EVENT_TYPES} event types"));
    }
    types
        .iter()
        .map(|t| {
            let t = t.trim();
            let ok =
                !t.is_empty() && t.len() <= 64 && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_');
            if ok {
                Ok(t.to_string())
            } else {
                Err(format!("{t:?} is not an event type like order.ready or a prefix like order."))
            }
        })
        .collect()
}
