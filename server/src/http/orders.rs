//! Order routes: place, read, list, and the lifecycle transitions.

use super::client::SourceHint;
use super::extract::{ApiJson, ApiPath, ApiQuery, IdempotencyKeyHeader, IfMatch};
use super::query;
use super::ApiError;
use crate::service::idempotency::{self, Answer, IdempotencyKey};
use crate::service::{self, RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::orders::ListFilter;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use crema_shared::api::{
    BoardDto, CancelRequest, OrderDto, OrderPage, PaymentRequest, PlaceOrderRequest, Problem, RefundRequest,
    ResolveRefundRequest, TipRequest, VoidLineRequest,
};
use crema_shared::lifecycle::OrderCommand;
use crema_shared::status::OrderStatus;
use crema_shared::validation::bounded_text;
use crema_shared::ValidationErrors;
use serde::Deserialize;
use uuid::Uuid;

pub const MAX_PAGE: i64 = 200;
pub const MAX_REASON_CHARS: usize = 200;

/// Places an order, priced by the server from the menu.
///
/// With `Idempotency-Key`, a retry of the same body returns the first answer (marked
/// `Idempotent-Replayed: true`) and a different body is a 422. Without it, a client-made `id`
/// plays the same role.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = PlaceOrderRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, body = OrderDto, description = "Placed (or the replayed first answer)"),
        (status = 400, body = Problem), (status = 409, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem, description = "Too many wrong manager PINs from here (`approval_pin`)"),
        (status = 503, body = Problem, description = "Every PIN checker busy; retry after `Retry-After`"),
    ))]
pub async fn place_order(
    State(state): State<AppState>,
    ctx: RequestContext,
    source: SourceHint,
    IdempotencyKeyHeader(key): IdempotencyKeyHeader,
    body: ApiJson<PlaceOrderRequest>,
) -> Result<Response, ApiError> {
    // The manager's PIN is checked under the sign-in limits of where it was typed, and is
    // never part of what is hashed and kept for the retry.
    let (source, canonical) = match body.value.approval_pin {
        Some(_) => {
            (source.resolve(&state).await, serde_json::to_vec(&body.value.without_approval_pin()).unwrap_or_default())
        }
        None => (source.resolve_without_terminal(), body.canonical),
    };
    let (key, implicit) = idempotency::for_create("orders", key, body.value.id, &canonical);
    match service::orders::place(&state, &ctx, &body.value, key.as_ref(), source).await {
        Err(ServiceError::IdempotencyMismatch) if implicit => {
            Err(ApiError::Conflict("an order with this id already exists with different content".into()))
        }
        result => Ok(answer(&ctx, result?)),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only orders in this status.
    status: Option<String>,
    /// Only orders created at or after this time (RFC 3339).
    since: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
    /// Orders to skip (from `next_offset`).
    offset: Option<i64>,
}

/// Orders, newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(ListQuery),
    responses((status = 200, body = OrderPage), (status = 400, body = Problem)))]
pub async fn list_orders(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<axum::Json<OrderPage>, ApiError> {
    let mut errors = ValidationErrors::new();
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => {
            let parsed = OrderStatus::parse(s);
            if parsed.is_none() {
                let names: Vec<&str> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
                errors.push("status", format!("must be one of {}", names.join(", ")));
            }
            parsed
        }
    };
    let since = query::time(&mut errors, "since", q.since.as_deref());
    let (limit, offset) = query::page(&mut errors, q.limit, q.offset, 50, MAX_PAGE);
    query::finish(errors)?;
    let filter = ListFilter { status, since, limit, offset };
    let mut page = service::orders::list(&state, filter).await?;
    super::privacy::orders(&ctx, &mut page.orders);
    Ok(axum::Json(page))
}

/// The pickup board's data: today's open tickets by number and first name. No sign-in.
#[utoipa::path(get, path = "/api/v1/board", tag = "orders", responses((status = 200, body = BoardDto)))]
pub async fn board(State(state): State<AppState>) -> Result<axum::Json<BoardDto>, ApiError> {
    Ok(axum::Json(service::orders::board(&state).await?))
}

/// One order, with its status history; `ETag` is its version.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn get_order(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let order = super::privacy::order(&ctx, service::orders::get(&state, id).await?);
    Ok(([(header::ETAG, super::etag::etag(order.version))], axum::Json(order)).into_response())
}

/// Barista accepts a placed order.
///
/// `If-Match: <version>` makes it conditional (409 when stale); an illegal transition is a
/// 409 naming the current status.
#[utoipa::path(post, path = "/api/v1/orders/{id}/accept", tag = "orders",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected order version")),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
) -> Result<Response, ApiError> {
    run(&state, &ctx, id, OrderCommand::Accept, if_match, None).await
}

/// The customer picked up a ready order.
///
/// `If-Match: <version>` makes it conditional (409 when stale); an illegal transition is a
/// 409 naming the current status.
#[utoipa::path(post, path = "/api/v1/orders/{id}/complete", tag = "orders",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected order version")),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn complete(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
) -> Result<Response, ApiError> {
    run(&state, &ctx, id, OrderCommand::Complete, if_match, None).await
}

/// Cancels an order before it is ready; a paid one is refunded at the till.
///
/// `If-Match: <version>` makes it conditional (409 when stale); an illegal transition is a
/// 409 naming the current status.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", request_body = CancelRequest,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected order version")),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
    body: ApiJson<CancelRequest>,
) -> Result<Response, ApiError> {
    let reason = bounded_text(&body.value.reason, MAX_REASON_CHARS).map_err(|m| ApiError::field("reason", m))?;
    run(&state, &ctx, id, OrderCommand::Cancel { reason }, if_match, None).await
}

/// Barista starts making a line.
///
/// `If-Match: <version>` makes it conditional (409 when stale); an illegal transition is a
/// 409 naming the current status.
#[utoipa::path(post, path = "/api/v1/orders/{id}/lines/{line_id}/start", tag = "orders",
    params(("id" = Uuid, Path), ("line_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected order version")),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn start_line(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath((id, line_id)): ApiPath<(Uuid, Uuid)>,
    IfMatch(if_match): IfMatch,
) -> Result<Response, ApiError> {
    run(&state, &ctx, id, OrderCommand::StartLine { line_id }, if_match, None).await
}

/// Barista finished a line; the last one makes the order ready.
///
/// `If-Match: <version>` makes it conditional (409 when stale); an illegal transition is a
/// 409 naming the current status.
#[utoipa::path(post, path = "/api/v1/orders/{id}/lines/{line_id}/done", tag = "orders",
    params(("id" = Uuid, Path), ("line_id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected order version")),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn finish_line(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath((id, line_id)): ApiPath<(Uuid, Uuid)>,
    IfMatch(if_match): IfMatch,
) -> Result<Response, ApiError> {
    run(&state, &ctx, id, OrderCommand::FinishLine { line_id }, if_match, None).await
}

/// Takes cash for an unpaid order: the answer carries `change_due_cents`.
#[utoipa::path(post, path = "/api/v1/orders/{id}/payment", tag = "orders", request_body = PaymentRequest,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected order version"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem), (status = 409, body = Problem, description = "Already paid or cancelled"), (status = 422, body = Problem)))]
pub async fn pay(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
    IdempotencyKeyHeader(key): IdempotencyKeyHeader,
    body: ApiJson<PaymentRequest>,
) -> Result<Response, ApiError> {
    let command = crema_shared::paying::later_payment(&body.value)?;
    let key = key.map(|k| IdempotencyKey::new(format!("orders.payment.{id}"), k, &body.canonical));
    let receipt = body.value.print_receipt.unwrap_or(true);
    let answer = service::orders::transition_paying(&state, &ctx, id, command, if_match, key.as_ref(), receipt).await?;
    Ok(self::answer(&ctx, answer))
}

/// A gateway card's tip, changed before the card is captured (when the order is finished):
/// at most the shop's `tip_adjust_limit_bps` of the order before the tip (422 `tip_cents`).
/// The capture then takes the new total. 409 once captured, or for an order not paid by a
/// gateway card.
#[utoipa::path(post, path = "/api/v1/orders/{id}/tip", tag = "orders", request_body = TipRequest,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected order version"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn adjust_tip(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
    IdempotencyKeyHeader(key): IdempotencyKeyHeader,
    body: ApiJson<TipRequest>,
) -> Result<Response, ApiError> {
    let key = key.map(|k| IdempotencyKey::new(format!("orders.tip.{id}"), k, &body.canonical));
    let answer = service::orders::adjust_tip(&state, &ctx, id, &body.value, if_match, key.as_ref()).await?;
    Ok(self::answer(&ctx, answer))
}

/// Takes one line off an order not yet paid in full (a tab, a wrong key), with a `reason`;
/// the order is priced again without it. A cashier needs a manager's PIN (`approval_pin`,
/// 422 without). 409 once the order is paid (refund the line instead), ready, or for its last
/// line (cancel the order instead).
#[utoipa::path(post, path = "/api/v1/orders/{id}/lines/{line_id}/void", tag = "orders", request_body = VoidLineRequest,
    params(("id" = Uuid, Path), ("line_id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn void_line(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath((id, line_id)): ApiPath<(Uuid, Uuid)>,
    source: SourceHint,
    body: ApiJson<VoidLineRequest>,
) -> Result<Response, ApiError> {
    let source = source.for_approval(&state, body.value.approval_pin.is_some()).await;
    let ask =
        service::orders::VoidAsk { reason: body.value.reason.clone(), approval_pin: body.value.approval_pin.clone() };
    let answer = service::orders::void(&state, &ctx, id, line_id, &ask, source).await?;
    Ok(self::answer(&ctx, answer))
}

/// Money given back: cash at once over the counter, a card through the gateway (202; the
/// order shows the refund when it is done). An amount, or lines (their share of the order);
/// with a reason. A cashier needs a manager's PIN (`approval_pin`). Partial refunds add up to
/// the total.
#[utoipa::path(post, path = "/api/v1/orders/{id}/refunds", tag = "orders", request_body = RefundRequest,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto, description = "Cash refunded"), (status = 202, body = OrderDto, description = "Card refund started"),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn refund(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    source: SourceHint,
    body: ApiJson<RefundRequest>,
) -> Result<Response, ApiError> {
    let source = source.for_approval(&state, body.value.approval_pin.is_some()).await;
    let ask = service::payments::RefundAsk::from(&body.value);
    let (_, answer) = service::payments::refund(&state, &ctx, id, &ask, source).await?;
    Ok(self::answer(&ctx, answer))
}

/// A manager resolves a card refund whose job died: `paid: true` records it on the order
/// (the gateway did give the money back), `false` frees the amount for a new refund. Until
/// then it counts against what can be refunded. `refund_id` is the refund job's id.
#[utoipa::path(post, path = "/api/v1/orders/{id}/refunds/{refund_id}/resolve", tag = "orders",
    request_body = ResolveRefundRequest, params(("id" = Uuid, Path), ("refund_id" = Uuid, Path)),
    responses((status = 200, body = OrderDto), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not a failed refund, or resolved already"), (status = 422, body = Problem)))]
pub async fn resolve_refund(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath((id, refund_id)): ApiPath<(Uuid, Uuid)>,
    body: ApiJson<ResolveRefundRequest>,
) -> Result<Response, ApiError> {
    let order = service::payments::resolve::resolve(&state, &ctx, id, refund_id, &body.value).await?;
    Ok(axum::Json(super::privacy::order(&ctx, order)).into_response())
}

async fn run(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    command: OrderCommand,
    if_match: Option<i64>,
    key: Option<&IdempotencyKey>,
) -> Result<Response, ApiError> {
    Ok(answer(ctx, service::orders::transition(state, ctx, id, command, if_match, key).await?))
}

/// A JSON answer from a use case (possibly replayed) as an HTTP response, with the customer
/// data the caller may see.
fn answer(ctx: &RequestContext, answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, super::privacy::answer_body(ctx, answer.body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if answer.replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}
