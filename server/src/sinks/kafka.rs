//! Producing events to Kafka: CloudEvents binary content mode (`ce_*` headers, the event's
//! `data` as the value), keyed by the order id so one order's events stay in order on one
//! partition, with `acks=all` and the idempotent producer (no duplicates from its retries).
//! Before the first produce to a topic, Crema makes sure it exists — creating it with the
//! configured partitions and replication when it is missing — so a broker that does not
//! create topics on its own does not leave events timing out with no hint (the sink's
//! status says why when the topic can be neither found nor made).

use super::{Delivery, Sent, Sink};
use crema_shared::api::CloudEvent;
use futures::future::BoxFuture;
use rdkafka::config::ClientConfig;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::time::Duration;

/// How long a produce may take before it counts as failed.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// A topic on a Kafka cluster: the whole run produced at once (pipelined, in order).
pub struct KafkaSink {
    pub producer: FutureProducer,
    pub topic: String,
}

impl Sink for KafkaSink {
    fn send<'a>(&'a self, events: &'a [CloudEvent]) -> BoxFuture<'a, Sent> {
        Box::pin(async move {
            let (taken, stopped) = deliver(&self.producer, &self.topic, events).await;
            Sent { taken, stopped }
        })
    }

    fn max_batch(&self) -> usize {
        500
    }
}

/// A producer for `brokers`.
pub fn producer(brokers: &str) -> Result<FutureProducer, String> {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("message.timeout.ms", DELIVERY_TIMEOUT.as_millis().to_string())
        .set("linger.ms", "5")
        .set("client.id", "crema")
        .create()
        .map_err(|e| format!("cannot create a Kafka producer for {brokers}: {e}"))
}

/// The record key: the subject (the order), or the event id when there is none.
pub fn key(event: &CloudEvent) -> &str {
    event.subject.as_deref().unwrap_or(&event.id)
}

/// The `ce_*` headers of binary content mode, and the W3C `traceparent` of the delivery.
pub fn headers(event: &CloudEvent, traceparent: Option<&str>) -> OwnedHeaders {
    let time = event.time.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let mut pairs: Vec<(&str, &str)> = vec![
        ("ce_specversion", event.specversion.as_str()),
        ("ce_id", event.id.as_str()),
        ("ce_source", event.source.as_str()),
        ("ce_type", event.event_type.as_str()),
        ("ce_time", time.as_str()),
        ("ce_sequence", event.sequence.as_str()),
        ("content-type", event.datacontenttype.as_str()),
    ];
    if let Some(subject) = &event.subject {
        pairs.push(("ce_subject", subject));
    }
    if let Some(tp) = &event.traceparent {
        pairs.push(("ce_traceparent", tp));
    }
    if let Some(id) = &event.requestid {
        pairs.push(("ce_requestid", id));
    }
    if let Some(id) = &event.staffid {
        pairs.push(("ce_staffid", id));
    }
    if let Some(tp) = traceparent {
        pairs.push(("traceparent", tp));
    }
    pairs.into_iter().fold(OwnedHeaders::new(), |h, (key, value)| h.insert(Header { key, value: Some(value) }))
}

/// Produces `events` in order; returns how many from the front were acknowledged, and the
/// failure that stopped the rest (if any).
pub async fn deliver(producer: &FutureProducer, topic: &str, events: &[CloudEvent]) -> (usize, Option<Delivery>) {
    let mut pending = Vec::with_capacity(events.len());
    // One span per event, under the request that caused it, open until Kafka acknowledges.
    let mut spans = Vec::with_capacity(events.len());
    for event in events {
        let payload = serde_json::to_vec(&event.data).unwrap_or_default();
        let span = super::delivery_span(super::Via::Kafka, event);
        let traceparent = super::traceparent_for(&span, event);
        spans.push(span);
        let record =
            FutureRecord::to(topic).key(key(event)).payload(&payload).headers(headers(event, traceparent.as_deref()));
        match producer.send_result(record) {
            Ok(future) => pending.push(future),
            Err((e, _)) => {
                let failure = Delivery::Unreachable(format!("Kafka would not take the event: {e}"));
                return (acknowledged(pending).await.0, Some(failure));
            }
        }
    }
    acknowledged(pending).await
}

async fn acknowledged(pending: Vec<rdkafka::producer::DeliveryFuture>) -> (usize, Option<Delivery>) {
    let mut done = 0;
    for future in pending {
        match tokio::time::timeout(DELIVERY_TIMEOUT + Duration::from_secs(5), future).await {
            Ok(Ok(Ok(_))) => done += 1,
            Ok(Ok(Err((e, _)))) => {
                let failure = match e.rdkafka_error_code() {
                    Some(rdkafka::types::RDKafkaErrorCode::MessageSizeTooLarge) => {
                        Delivery::Rejected(format!("Kafka refused the event: {e}"))
                    }
                    _ => Delivery::Unreachable(format!("Kafka did not acknowledge the event: {e}")),
                };
                return (done, Some(failure));
            }
            Ok(Err(_)) | Err(_) => return (done, Some(Delivery::Unreachable("Kafka did not answer in time".into()))),
        }
    }
    (done, None)
}

/// How a missing topic is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopicSettings {
    pub partitions: i32,
    pub replication: i32,
}

impl Default for TopicSettings {
    fn default() -> Self {
        TopicSettings { partitions: 3, replication: 1 }
    }
}

/// How long creating or finding a topic may take.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Producers by sink, each with the brokers it was made for, and the topics known to exist.
#[derive(Default)]
pub struct Producers {
    producers: std::sync::Mutex<std::collections::HashMap<uuid::Uuid, (String, FutureProducer)>>,
    topics: TopicSettings,
    /// `(brokers, topic)` pairs found or made.
    ensured: std::sync::Mutex<std::collections::HashSet<(String, String)>>,
}

impl std::fmt::Debug for Producers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Producers(..)")
    }
}

impl Producers {
    pub fn new(topics: TopicSettings) -> Producers {
        Producers { topics, ..Producers::default() }
    }

    /// The producer of `sink` for `brokers` (made on first use, remade when the brokers change).
    pub fn get(&self, sink: uuid::Uuid, brokers: &str) -> Result<FutureProducer, String> {
        let mut producers = self.producers.lock().map_err(|_| "the producer cache is poisoned".to_string())?;
        if let Some((made_for, producer)) = producers.get(&sink) {
            if made_for == brokers {
                return Ok(producer.clone());
            }
        }
        let made = producer(brokers)?;
        producers.insert(sink, (brokers.to_string(), made.clone()));
        Ok(made)
    }
}

impl Producers {
    /// Makes sure `topic` exists on `brokers`: created with the configured partitions and
    /// replication when missing; an existing topic is left as it is. Once known, not asked again.
    pub async fn ensure_topic(&self, brokers: &str, topic: &str) -> Result<(), String> {
        let key = (brokers.to_string(), topic.to_string());
        if self.ensured.lock().map_err(|_| "the topic cache is poisoned".to_string())?.contains(&key) {
            return Ok(());
        }
        ensure_topic(brokers, topic, self.topics).await?;
        self.ensured.lock().map_err(|_| "the topic cache is poisoned".to_string())?.insert(key);
        Ok(())
    }
}

async fn ensure_topic(brokers: &str, topic: &str, settings: TopicSettings) -> Result<(), String> {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    use rdkafka::client::DefaultClientContext;
    use rdkafka::types::RDKafkaErrorCode;
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("client.id", "crema-admin")
        .create()
        .map_err(|e| format!("cannot create a Kafka admin client for {brokers}: {e}"))?;
    let options = AdminOptions::new().request_timeout(Some(ADMIN_TIMEOUT)).operation_timeout(Some(ADMIN_TIMEOUT));
    let new = NewTopic::new(topic, settings.partitions, TopicReplication::Fixed(settings.replication));
    let refused = match admin.create_topics(&[new], &options).await {
        Err(e) => e.to_string(),
        Ok(results) => match results.into_iter().next() {
            Some(Ok(_)) => {
                tracing::info!(
                    topic,
                    partitions = settings.partitions,
                    replication = settings.replication,
                    "created the Kafka topic"
                );
                return Ok(());
            }
            Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => return Ok(()),
            Some(Err((_, code))) => code.to_string(),
            None => "no answer".to_string(),
        },
    };
    // Creating failed (no permission, a broker without the admin API): the topic may be there.
    let name = topic.to_string();
    let found = tokio::task::spawn_blocking(move || {
        admin.inner().fetch_metadata(Some(&name), ADMIN_TIMEOUT).map(|metadata| {
            metadata.topics().iter().any(|t| t.name() == name && t.error().is_none() && !t.partitions().is_empty())
        })
    })
    .await
    .map_err(|e| e.to_string())?;
    match found {
        Ok(true) => {
            tracing::warn!(topic, reason = %refused, "could not create the Kafka topic, but it exists");
            Ok(())
        }
        Ok(false) => Err(format!(
            "the Kafka topic {topic} does not exist and Crema cannot create it ({refused}); create it on the \
             cluster or allow Crema to (CREATE on the topic)"
        )),
        Err(e) => Err(format!("the Kafka topic {topic} could not be created ({refused}) or looked up ({e})")),
    }
}
