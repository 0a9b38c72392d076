//! `crema.v1` requests as the services take them, with every malformed field named by its
//! REST path (`lines[0].item_id`, `payment.method`) so both faces report the same fields.
//! Only the shape is checked here; what a request means (prices, stock, transitions) is the
//! services' and the domain's to judge.

use super::pb::crema::v1 as pb;
use crate::service::idempotency::valid_key;
use crema_shared::api::{ApprovalPin, DiscountRequest, LineRequest, PaymentRequest, PlaceOrderRequest};
use crema_shared::status::{OrderStatus, PaymentMethod};
use crema_shared::ValidationErrors;
use uuid::Uuid;

/// A required UUID field.
pub fn uuid(errors: &mut ValidationErrors, field: &str, raw: &str) -> Option<Uuid> {
    if raw.is_empty() {
        errors.push(field, "is required");
        return None;
    }
    let parsed = Uuid::parse_str(raw).ok();
    if parsed.is_none() {
        errors.push(field, "must be a UUID");
    }
    parsed
}

/// A client's idempotency key: empty for none.
pub fn request_id(errors: &mut ValidationErrors, raw: &str) -> Option<String> {
    if raw.is_empty() {
        return None;
    }
    if !valid_key(raw) {
        errors.push("request_id", "must be 1 to 255 visible ASCII characters");
        return None;
    }
    Some(raw.to_string())
}

/// A payment method: cash or card.
pub fn payment_method(errors: &mut ValidationErrors, field: &str, raw: i32) -> Option<PaymentMethod> {
    match pb::PaymentMethod::try_from(raw) {
        Ok(pb::PaymentMethod::Cash) => Some(PaymentMethod::Cash),
        Ok(pb::PaymentMethod::Card) => Some(PaymentMethod::Card),
        _ => {
            errors.push(field, "must be cash or card");
            None
        }
    }
}

/// An order status filter: unspecified means any.
pub fn status_filter(errors: &mut ValidationErrors, raw: i32) -> Option<OrderStatus> {
    let status = match pb::OrderStatus::try_from(raw) {
        Ok(pb::OrderStatus::Unspecified) => return None,
        Ok(pb::OrderStatus::Placed) => OrderStatus::Placed,
        Ok(pb::OrderStatus::Accepted) => OrderStatus::Accepted,
        Ok(pb::OrderStatus::Preparing) => OrderStatus::Preparing,
        Ok(pb::OrderStatus::Ready) => OrderStatus::Ready,
        Ok(pb::OrderStatus::Completed) => OrderStatus::Completed,
        Ok(pb::OrderStatus::Cancelled) => OrderStatus::Cancelled,
        Err(_) => {
            errors.push("status", "is not an order status");
            return None;
        }
    };
    Some(status)
}

/// A new order as REST's `POST /api/v1/orders` body, and its idempotency key.
pub fn place_request(request: pb::CreateOrderRequest) -> Result<(PlaceOrderRequest, Option<String>), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let key = request_id(&mut errors, &request.request_id);
    let id = request.id.as_deref().and_then(|raw| uuid(&mut errors, "id", raw));
    let lines = request
        .lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| LineRequest {
            item_id: uuid(&mut errors, &format!("lines[{i}].item_id"), &line.item_id).unwrap_or_default(),
            quantity: line.quantity,
            option_ids: line
                .option_ids
                .iter()
                .enumerate()
                .map(|(j, raw)| uuid(&mut errors, &format!("lines[{i}].option_ids[{j}]"), raw).unwrap_or_default())
                .collect(),
            note: line.note,
        })
        .collect();
    let mut payment_of = |path: &str, p: pb::PaymentRequest| PaymentRequest {
        method: payment_method(&mut errors, &format!("{path}.method"), p.method).unwrap_or(PaymentMethod::Cash),
        tendered_cents: p.tendered_cents,
        approval_code: p.approval_code,
        print_receipt: p.print_receipt,
        tip_cents: p.tip_cents,
        tip_percent_bps: p.tip_percent_bps,
        amount_cents: p.amount_cents,
        part_cents: None,
    };
    let payment = request.payment.map(|p| payment_of("payment", p));
    let split = request.split.into_iter().enumerate().map(|(i, p)| payment_of(&format!("split[{i}]"), p)).collect();
    let discounts = request
        .discounts
        .into_iter()
        .enumerate()
        .map(|(i, d)| DiscountRequest {
            reason_id: uuid(&mut errors, &format!("discounts[{i}].reason_id"), &d.reason_id).unwrap_or_default(),
            line: d.line.map(|l| l as usize),
            percent_bps: d.percent_bps,
            amount_cents: d.amount_cents,
        })
        .collect();
    let place = PlaceOrderRequest {
        id,
        customer_name: request.customer_name,
        customer_email: request.customer_email,
        lines,
        payment,
        split,
        discounts,
        approval_pin: request.approval_pin.map(ApprovalPin),
    };
    errors.into_result((place, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(errors: ValidationErrors) -> Vec<String> {
        errors.into_errors().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn malformed_ids_are_named_by_their_rest_path() {
        let request = pb::CreateOrderRequest {
            request_id: "retry me".into(), // a space is not visible ASCII
            id: Some("nope".into()),
            customer_name: "Ana".into(),
            lines: vec![
                pb::LineRequest { item_id: Uuid::now_v7().to_string(), quantity: 1, ..Default::default() },
                pb::LineRequest {
                    item_id: "x".into(),
                    quantity: 1,
                    option_ids: vec![Uuid::now_v7().to_string(), "y".into()],
                    note: None,
                },
            ],
            payment: Some(pb::PaymentRequest { method: 0, ..Default::default() }),
            ..Default::default()
        };
        let errors = place_request(request).expect_err("refused");
        assert_eq!(paths(errors), ["request_id", "id", "lines[1].item_id", "lines[1].option_ids[1]", "payment.method"]);
    }

    #[test]
    fn a_well_formed_request_keeps_every_field() {
        let item = Uuid::now_v7();
        let request = pb::CreateOrderRequest {
            request_id: "k-1".into(),
            customer_name: "Ana".into(),
            customer_email: Some("ana@example.com".into()),
            lines: vec![pb::LineRequest {
                item_id: item.to_string(),
                quantity: 2,
                note: Some("hot".into()),
                ..Default::default()
            }],
            payment: Some(pb::PaymentRequest {
                method: pb::PaymentMethod::Cash as i32,
                tendered_cents: Some(1000),
                approval_code: None,
                print_receipt: None,
                tip_cents: None,
                tip_percent_bps: None,
                amount_cents: None,
            }),
            ..Default::default()
        };
        let (place, key) = place_request(request).expect("well formed");
        assert_eq!(key.as_deref(), Some("k-1"));
        assert_eq!(place.lines[0].item_id, item);
        assert_eq!(place.lines[0].quantity, 2);
        assert_eq!(place.payment.map(|p| (p.method, p.tendered_cents)), Some((PaymentMethod::Cash, Some(1000))));
        assert_eq!(place.customer_email.as_deref(), Some("ana@example.com"));
    }

    #[test]
    fn an_unknown_status_filter_is_refused_and_unspecified_means_any() {
        let mut errors = ValidationErrors::new();
        assert_eq!(status_filter(&mut errors, 0), None);
        assert_eq!(status_filter(&mut errors, pb::OrderStatus::Ready as i32), Some(OrderStatus::Ready));
        assert!(errors.is_empty());
        assert_eq!(status_filter(&mut errors, 42), None);
        assert_eq!(paths(errors), ["status"]);
    }
}
