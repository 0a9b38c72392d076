//! An outbox event in the CloudEvents protobuf format (`io.cloudevents.v1.CloudEvent`): the
//! same envelope as the SSE stream's JSON (built by [`cloud_event`]), with the optional and
//! extension attributes in `attributes` and the JSON data, redacted for the reader's role,
//! in `text_data`.

use super::messages::timestamp;
use super::pb::io::cloudevents::v1::cloud_event::{cloud_event_attribute_value::Attr, CloudEventAttributeValue, Data};
use super::pb::io::cloudevents::v1::CloudEvent;
use crate::service::cloudevents::cloud_event;
use crate::store::outbox::StoredEvent;
use crema_shared::privacy::{redact_event_data, Audience};
use std::collections::HashMap;

pub fn to_proto(source: &str, audience: Audience, event: StoredEvent) -> CloudEvent {
    let mut json = cloud_event(source, event);
    redact_event_data(&mut json.data, audience);
    let mut attributes = HashMap::new();
    attributes.insert("time".to_string(), value(Attr::CeTimestamp(timestamp(json.time))));
    attributes.insert("datacontenttype".to_string(), text(json.datacontenttype));
    attributes.insert("sequence".to_string(), text(json.sequence));
    let optional = [
        ("subject", json.subject),
        ("traceparent", json.traceparent),
        ("requestid", json.requestid),
        ("staffid", json.staffid),
    ];
    for (name, attribute) in optional {
        if let Some(attribute) = attribute {
            attributes.insert(name.to_string(), text(attribute));
        }
    }
    CloudEvent {
        id: json.id,
        source: json.source,
        spec_version: json.specversion,
        r#type: json.event_type,
        attributes,
        data: Some(Data::TextData(json.data.to_string())),
    }
}

fn text(s: String) -> CloudEventAttributeValue {
    value(Attr::CeString(s))
}

fn value(attr: Attr) -> CloudEventAttributeValue {
    CloudEventAttributeValue { attr: Some(attr) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn carries_the_envelope_and_redacts_the_data_for_the_kitchen() {
        let event = StoredEvent {
            sequence: 42,
            id: "0193a0c0-0000-7000-8000-000000000001".into(),
            event_type: "order.placed".into(),
            subject: Some("order-1".into()),
            time: Utc::now(),
            data: serde_json::json!({"customer_name": "Ana Lima", "order": {"customer_name": "Ana Lima", "customer_email": "ana@example.com"}}),
            traceparent: None,
            request_id: Some("req-1".into()),
            staff_id: None,
        };
        let proto = to_proto("crema/shop/hub", Audience::Kitchen, event);
        assert_eq!((proto.spec_version.as_str(), proto.r#type.as_str()), ("1.0", "order.placed"));
        let attr = |name: &str| proto.attributes.get(name).and_then(|v| v.attr.clone());
        assert_eq!(attr("sequence"), Some(Attr::CeString("42".into())));
        assert_eq!(attr("subject"), Some(Attr::CeString("order-1".into())));
        assert_eq!(attr("requestid"), Some(Attr::CeString("req-1".into())));
        assert!(attr("traceparent").is_none());
        assert!(matches!(attr("time"), Some(Attr::CeTimestamp(_))));
        let Some(Data::TextData(data)) = proto.data else { panic!("JSON data expected") };
        assert!(!data.contains("ana@example.com") && !data.contains("Lima"), "{data}");
    }
}
