//! Sinks: where the shop's events are forwarded (signed webhooks, Kafka topics). Managing
//! them here — add, change, remove, each audited, relay tasks started and woken; the relay,
//! replays and the one delivery path in the submodules.

pub mod delivery;
pub mod relay;
mod replay;
pub mod targets;

pub use replay::{
    dead_letter_dto, dead_letters, replay_dead_letter, replay_handler, replay_range, replay_spec, MAX_REPLAY,
    REPLAY_KIND,
};

use crate::service::error::JobResult;
use crate::service::{RequestContext, ServiceError};
use crate::sinks::signing::WebhookSecret;
use crate::state::AppState;
use crate::store::sinks::{self, SinkRecord, SinkTarget};
use crate::store::{audit, outbox, Done};
use crema_shared::api::{NewSinkRequest, SinkDto, SinkPatch};
use crema_shared::validation::bounded_text;
use crema_shared::ValidationErrors;
use serde_json::json;
use uuid::Uuid;

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

pub async fn list(state: &AppState) -> Result<Vec<SinkDto>, ServiceError> {
    let mut conn = state.store.read().await?;
    Ok(sinks::list(&mut conn).await?.iter().map(|s| sink_dto(s, None)).collect())
}

pub async fn get(state: &AppState, id: Uuid) -> Result<SinkDto, ServiceError> {
    let mut conn = state.store.read().await?;
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
    let now = state.clock.now();
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

/// Makes sure a sink configured from the environment exists as set (created, or updated
/// and switched on); `target` is a webhook (`CREMA_WEBHOOK_*`) or Kafka (`CREMA_KAFKA_*`).
pub async fn ensure_configured(state: &AppState, name: &str, target: SinkTarget) -> Result<(), ServiceError> {
    let ctx = RequestContext::internal();
    let mut conn = state.store.read().await?;
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
    let mut conn = state.store.read().await?;
    for sink in sinks::list(&mut conn).await?.into_iter().filter(|s| s.active) {
        relay::ensure_running(state, sink.id);
    }
    Ok(())
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
