//! The one delivery path: opening a sink from its record, and sending stored events to it
//! in sequence order, passing over the ones it does not subscribe to. The live relay, a
//! range replay and a dead-letter replay all go through [`attempt`]; they differ only in
//! what they do with the outcome.

use crate::service::cloudevents::cloud_event;
use crate::service::sinks::targets;
use crate::sinks::kafka::KafkaSink;
use crate::sinks::webhook::WebhookSink;
use crate::sinks::{Delivery, Sent, Sink};
use crate::state::AppState;
use crate::store::outbox::StoredEvent;
use crate::store::sinks::{SinkRecord, SinkTarget};

/// What one delivery attempt achieved.
#[derive(Debug, PartialEq)]
pub struct Attempt {
    /// The cursor after everything delivered or passed over.
    pub cursor: i64,
    /// The last sequence delivered, if any.
    pub delivered: Option<i64>,
    /// What stopped the attempt, at which event (sequence, event id).
    pub failure: Option<(Delivery, i64, String)>,
}

/// The sink `record` describes, ready to send; or why it cannot send now (a secret that
/// cannot be opened, brokers that resolve somewhere forbidden: the backlog is held).
pub async fn open(state: &AppState, record: &SinkRecord) -> Result<Box<dyn Sink>, String> {
    match &record.target {
        SinkTarget::Webhook { url, secret } => {
            let secret = targets::open_secret(state, record.id, secret).map_err(|e| {
                tracing::error!(sink = %record.name, error = %e, "cannot open the sink's signing secret");
                "the sink's signing secret cannot be opened with this server's key file".to_string()
            })?;
            Ok(Box::new(WebhookSink {
                client: state.http.clone(),
                egress: state.egress.clone(),
                url: url.clone(),
                secret,
            }))
        }
        SinkTarget::Kafka { brokers, topic } => {
            // Checked again before producing: DNS may have changed since the sink was saved.
            state.egress.check_brokers(brokers).await.map_err(|e| {
                tracing::warn!(sink = %record.name, error = %e, "refused to produce to the sink's brokers");
                format!("the brokers' address is not allowed: {e}")
            })?;
            let producer = state.kafka_producer(record.id, brokers)?;
            state.kafka.ensure_topic(brokers, topic).await.map_err(|e| {
                tracing::warn!(sink = %record.name, error = %e, "the sink's topic is not there");
                e
            })?;
            Ok(Box::new(KafkaSink { producer, topic: topic.clone() }))
        }
    }
}

/// Sends the events of `batch` that `wants` accepts, in order, starting after `cursor`.
pub async fn attempt(
    state: &AppState,
    record: &SinkRecord,
    cursor: i64,
    batch: Vec<StoredEvent>,
    wants: impl Fn(&str) -> bool,
) -> Attempt {
    let head = |batch: &[StoredEvent]| {
        batch
            .iter()
            .find(|e| wants(&e.event_type))
            .map(|e| (e.sequence, e.id.clone()))
            .unwrap_or((cursor + 1, String::new()))
    };
    let sink = match open(state, record).await {
        Ok(sink) => sink,
        Err(error) => {
            let (sequence, id) = head(&batch);
            return Attempt { cursor, delivered: None, failure: Some((Delivery::Unreachable(error), sequence, id)) };
        }
    };
    // At most the sink's batch of wanted events; the unwanted ones before them ride along.
    let mut taken_wanted = 0;
    let batch: Vec<StoredEvent> = batch
        .into_iter()
        .take_while(|e| {
            if !wants(&e.event_type) {
                return true;
            }
            taken_wanted += 1;
            taken_wanted <= sink.max_batch()
        })
        .collect();
    let order: Vec<(i64, String, bool)> =
        batch.iter().map(|e| (e.sequence, e.id.clone(), wants(&e.event_type))).collect();
    let events: Vec<_> =
        batch.into_iter().filter(|e| wants(&e.event_type)).map(|e| cloud_event(&state.source, e)).collect();
    let sent = sink.send(&events).await;
    walk(cursor, order, sent)
}

/// Where the cursor ends after the sink took `sent.taken` of the wanted events of `order`
/// (sequence, event id, wanted): past everything taken and every unwanted event before the
/// first one not taken.
fn walk(mut cursor: i64, order: Vec<(i64, String, bool)>, sent: Sent) -> Attempt {
    let (mut delivered, mut taken) = (None, 0);
    for (sequence, id, wanted) in order {
        if wanted {
            if taken == sent.taken {
                let failure = sent.stopped.unwrap_or(Delivery::Unreachable("the sink stopped acknowledging".into()));
                return Attempt { cursor, delivered, failure: Some((failure, sequence, id)) };
            }
            taken += 1;
            delivered = Some(sequence);
        }
        cursor = sequence;
    }
    Attempt { cursor, delivered, failure: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(wanted: &[bool]) -> Vec<(i64, String, bool)> {
        wanted.iter().enumerate().map(|(i, w)| (i as i64 + 11, format!("e{}", i + 11), *w)).collect()
    }

    #[test]
    fn everything_taken_moves_the_cursor_past_the_batch() {
        let attempt = walk(10, order(&[true, false, true]), Sent { taken: 2, stopped: None });
        assert_eq!(attempt, Attempt { cursor: 13, delivered: Some(13), failure: None });
    }

    #[test]
    fn the_cursor_stops_before_the_first_event_not_taken() {
        let refused = Delivery::Rejected("400".into());
        let attempt = walk(10, order(&[true, false, true, true]), Sent { taken: 1, stopped: Some(refused.clone()) });
        assert_eq!(attempt, Attempt { cursor: 12, delivered: Some(11), failure: Some((refused, 13, "e13".into())) });
    }

    #[test]
    fn unwanted_events_alone_are_passed_over() {
        let attempt = walk(10, order(&[false, false]), Sent { taken: 0, stopped: None });
        assert_eq!(attempt, Attempt { cursor: 12, delivered: None, failure: None });
    }

    #[test]
    fn a_sink_that_takes_fewer_without_saying_why_is_unreachable() {
        let attempt = walk(10, order(&[true, true]), Sent { taken: 1, stopped: None });
        assert!(matches!(attempt.failure, Some((Delivery::Unreachable(_), 12, _))), "{attempt:?}");
        assert_eq!(attempt.cursor, 11);
    }
}
