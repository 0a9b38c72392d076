//! Customer data by role, applied to everything the HTTP face sends staff: orders, order
//! pages, the kitchen snapshot, lifecycle answers and the live event stream (the rules are
//! [`crema_shared::privacy`]).

use crate::service::RequestContext;
use crema_shared::api::OrderDto;
use crema_shared::privacy::{redact_event_data, redact_order, Audience};

/// What the signed-in person may see (the least, when nobody is).
pub fn audience(ctx: &RequestContext) -> Audience {
    ctx.actor.as_ref().map_or(Audience::Kitchen, |a| Audience::of(a.role))
}

pub fn order(ctx: &RequestContext, mut order: OrderDto) -> OrderDto {
    redact_order(&mut order, audience(ctx));
    order
}

pub fn orders(ctx: &RequestContext, orders: &mut [OrderDto]) {
    let audience = audience(ctx);
    for order in orders {
        redact_order(order, audience);
    }
}

/// A stored JSON answer (an order), redacted. Only an answer that carries customer data the
/// reader may not see is re-encoded, so the till's hot path (no email) stays as it was.
pub fn answer_body(ctx: &RequestContext, body: String) -> String {
    let audience = audience(ctx);
    let needs = match audience {
        Audience::Full => false,
        Audience::Counter => !body.contains("\"customer_email\":null"),
        Audience::Kitchen => true,
    };
    if !needs {
        return body;
    }
    match serde_json::from_str::<serde_json::Value>(&body) {
        Ok(mut value) => {
            redact_event_data(&mut value, audience);
            serde_json::to_string(&value).unwrap_or(body)
        }
        Err(_) => body,
    }
}
