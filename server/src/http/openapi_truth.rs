//! What the generated document cannot say by itself, added so it tells the truth:
//!
//! - **Errors** are `application/problem+json`, and every operation lists the ones it can
//!   answer (400 for a malformed request, 401/403 from the access table, 413/415/422 for a
//!   body), with `default` for the rest (404, 405, 409, 412, 429, 503...).
//! - **Event streams** are described the OpenAPI 3.2 way: `text/event-stream` with an
//!   `itemSchema` for each event, whose `data` is JSON (`contentMediaType`) with its schema
//!   (`contentSchema`), so a standard validator checks what the stream sends.
//! - **Request limits** the server enforces (string lengths, numeric ranges, array sizes,
//!   formats), taken from the same constants the validation uses, so a client generated from
//!   the document refuses what the server would.

use super::access::{self, Access};
use crate::service::staff::{self, terminals};
use crema_shared::{customer, menu_edit, placing, settings, tax};
use serde_json::{json, Map, Value};

/// The version of the OpenAPI specification the document follows (for `itemSchema`).
pub const OPENAPI_VERSION: &str = "3.2.0";

/// The streams and the schema of each event's `data`, with the SSE `event` name if any.
const STREAMS: &[(&str, &str, Option<&str>)] =
    &[("/api/v1/events", "CloudEvent", None), ("/api/v1/board/stream", "BoardDto", Some("board"))];

/// Applies everything above to the generated document.
pub fn tell_the_truth(doc: &mut Value) {
    doc["openapi"] = json!(OPENAPI_VERSION);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, operation) in item.iter_mut() {
            let Ok(method) = method.to_uppercase().parse::<axum::http::Method>() else { continue };
            document_errors(&method, path, operation);
        }
        if let Some((_, schema, event)) = STREAMS.iter().find(|(p, _, _)| p == path) {
            if let Some(get) = item.get_mut("get") {
                describe_stream(get, schema, *event);
            }
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (schema, property, limits) in request_limits() {
            let Some(target) = schemas.get_mut(schema).and_then(|s| s.pointer_mut(&format!("/properties/{property}")))
            else {
                continue;
            };
            apply(target, &limits);
        }
    }
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
    })
}

/// Problem answers as `application/problem+json`, and the ones every operation can give.
fn document_errors(method: &axum::http::Method, path: &str, operation: &mut Value) {
    let has_body = operation.get("requestBody").is_some();
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
            if is_error {
                if let Some(json) = content.remove("application/json") {
                    content.insert("application/problem+json".into(), json);
                }
            }
        }
    }
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_string()).or_insert_with(|| problem(description));
    };
    add("400", "The request is malformed: a path or query parameter, a header or the body's JSON");
    match access::rule(method, path) {
        Some(Access::Public) | None => {}
        Some(Access::SignedIn) => add("401", "No session, or it has ended"),
        Some(Access::Terminal) => add("401", "No terminal credential, or the terminal is not paired here or revoked"),
        Some(Access::Scraper) => {
            add("401", "Off loopback without the scrape token, or a wrong one");
            add("403", "Off loopback, and no scrape token is configured");
        }
        Some(Access::Needs(_)) => {
            add("401", "No session, or it has ended");
            add("403", "The session's role may not do this");
        }
    }
    if has_body {
        add("413", "The body is larger than the server takes");
        add("415", "The body is not JSON");
        add("422", "A field breaks a rule; `errors` names each field");
    }
    add("default", "Any other error, as problem details (404, 405, 409, 412, 429, 503...)");
}

/// `text/event-stream` with each event's `data` as JSON of its schema.
fn describe_stream(operation: &mut Value, schema: &str, event: Option<&str>) {
    let mut properties = Map::new();
    properties.insert(
        "data".into(),
        json!({
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": { "$ref": format!("#/components/schemas/{schema}") },
        }),
    );
    properties.insert("id".into(), json!({ "type": "string", "description": "The event's sequence" }));
    properties.insert("retry".into(), json!({ "type": "integer", "minimum": 0 }));
    properties.insert(
        "event".into(),
        match event {
            Some(name) => json!({ "type": "string", "const": name }),
            None => json!({ "type": "string" }),
        },
    );
    let item = json!({ "type": "object", "required": ["data"], "properties": properties });
    if let Some(ok) = operation.pointer_mut("/responses/200") {
        let description = ok.get("description").cloned().unwrap_or_else(|| json!("The stream"));
        *ok = json!({
            "description": description,
            "content": { "text/event-stream": { "itemSchema": item } },
        });
    }
}

/// `(schema, property, limits)` for the request bodies, from the validation's own constants.
fn request_limits() -> Vec<(&'static str, &'static str, Value)> {
    let text = |max: usize| json!({ "minLength": 1, "maxLength": max, "pattern": "\\S" });
    let cents = |min: i64, max: i64| json!({ "minimum": min, "maximum": max });
    let position = json!({ "minimum": -1_000_000, "maximum": 1_000_000 });
    let name = text(menu_edit::MAX_MENU_NAME_CHARS);
    vec![
        ("PlaceOrderRequest", "customer_name", text(customer::MAX_NAME_CHARS)),
        ("PlaceOrderRequest", "customer_email", json!({ "maxLength": 254, "format": "email" })),
        ("PlaceOrderRequest", "lines", json!({ "minItems": 1, "maxItems": placing::MAX_LINES })),
        ("PlaceOrderRequest", "id", json!({ "format": "uuid" })),
        ("LineRequest", "quantity", json!({ "minimum": 1, "maximum": customer::MAX_QUANTITY })),
        ("LineRequest", "note", json!({ "maxLength": customer::MAX_NOTE_CHARS })),
        ("PaymentRequest", "tendered_cents", cents(0, placing::MAX_TENDER_CENTS)),
        ("RefundRequest", "amount_cents", cents(1, placing::MAX_TENDER_CENTS)),
        ("CancelRequest", "reason", text(super::orders::MAX_REASON_CHARS)),
        ("CategoryInput", "name", name.clone()),
        ("CategoryInput", "position", position.clone()),
        ("ItemInput", "name", name.clone()),
        ("ItemInput", "price_cents", cents(0, menu_edit::MAX_PRICE_CENTS)),
        ("ItemInput", "prep_seconds", cents(0, menu_edit::MAX_PREP_SECONDS)),
        ("ItemInput", "position", position.clone()),
        ("ItemInput", "modifier_group_ids", json!({ "maxItems": menu_edit::MAX_GROUPS_PER_ITEM })),
        ("ModifierGroupInput", "name", name.clone()),
        ("ModifierGroupInput", "min", cents(0, menu_edit::MAX_GROUP_CHOICES)),
        ("ModifierGroupInput", "max", cents(1, menu_edit::MAX_GROUP_CHOICES)),
        ("ModifierGroupInput", "position", position.clone()),
        ("OptionInput", "name", name),
        ("OptionInput", "price_delta_cents", cents(-menu_edit::MAX_DELTA_CENTS, menu_edit::MAX_DELTA_CENTS)),
        ("OptionInput", "position", position),
        ("StockInput", "stock", cents(0, super::menu::MAX_STOCK)),
        ("NewStaffRequest", "name", text(staff::MAX_STAFF_NAME_CHARS)),
        ("NewStaffRequest", "pin", json!({ "pattern": "^[0-9]{4,8}$" })),
        ("NewStaffRequest", "email", json!({ "maxLength": 254, "format": "email" })),
        ("StaffPatch", "name", text(staff::MAX_STAFF_NAME_CHARS)),
        ("StaffPatch", "email", json!({ "maxLength": 254 })),
        ("NewTerminalRequest", "name", text(terminals::MAX_NAME_CHARS)),
        ("TerminalPatch", "name", text(terminals::MAX_NAME_CHARS)),
        ("PinRequest", "pin", json!({ "pattern": "^[0-9]{4,8}$" })),
        ("SettingsInput", "shop_name", text(settings::MAX_SHOP_NAME_CHARS)),
        ("SettingsInput", "currency", json!({ "pattern": "^[A-Z]{3}$" })),
        ("SettingsInput", "tax_rate_bps", cents(0, i64::from(tax::MAX_TAX_RATE_BPS))),
        ("SettingsInput", "tax_mode", json!({ "enum": ["exclusive", "inclusive", null] })),
        (
            "SettingsInput",
            "ticket_warn_seconds",
            cents(i64::from(settings::MIN_TICKET_WARN_SECONDS), i64::from(settings::MAX_TICKET_LATE_SECONDS)),
        ),
        (
            "SettingsInput",
            "ticket_late_seconds",
            cents(i64::from(settings::MIN_TICKET_WARN_SECONDS), i64::from(settings::MAX_TICKET_LATE_SECONDS)),
        ),
        ("NewSinkRequest", "name", text(60)),
        ("NewSinkRequest", "kind", json!({ "enum": ["webhook", "kafka", null] })),
        ("NewSinkRequest", "url", json!({ "format": "uri", "pattern": "^https?://" })),
        ("NewSinkRequest", "secret", json!({ "pattern": "^whsec_" })),
        ("NewSinkRequest", "event_types", json!({ "maxItems": 50 })),
        ("NewSinkRequest", "start_after", json!({ "minimum": 0 })),
        ("SinkPatch", "name", text(60)),
        ("SinkPatch", "url", json!({ "format": "uri", "pattern": "^https?://" })),
        ("SinkPatch", "secret", json!({ "pattern": "^whsec_" })),
        ("SinkPatch", "event_types", json!({ "maxItems": 50 })),
        ("ReplayRequest", "from_sequence", json!({ "minimum": 1 })),
        ("ReplayRequest", "to_sequence", json!({ "minimum": 1 })),
    ]
}

/// Merges `limits` into a property schema (into the non-null branch of a nullable one).
fn apply(target: &mut Value, limits: &Value) {
    let Some(limits) = limits.as_object() else { return };
    // utoipa writes `Option<T>` as `"type": ["T", "null"]`, or as a oneOf with null.
    if let Some(branches) = target.get_mut("oneOf").and_then(Value::as_array_mut) {
        for branch in branches.iter_mut().filter(|b| b.get("type") != Some(&json!("null"))) {
            merge(branch, limits);
        }
        return;
    }
    merge(target, limits);
}

fn merge(target: &mut Value, limits: &Map<String, Value>) {
    if let Some(target) = target.as_object_mut() {
        for (key, value) in limits {
            target.insert(key.clone(), value.clone());
        }
    }
}
