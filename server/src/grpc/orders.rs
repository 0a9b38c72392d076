//! `crema.v1.OrderService`: the unary calls (the streams are in [`super::watch`],
//! [`super::batch`] and [`super::track`]). Each parses, calls the same use case as the REST
//! route, and maps the answer; customer data is redacted for the caller's role as on REST.

use super::pb::crema::v1::{self as pb, order_service_server::OrderService};
use super::{context, messages, parse, status};
use crate::http::{orders::MAX_PAGE, orders::MAX_REASON_CHARS, privacy, query};
use crate::service::idempotency::{self, Answer, IdempotencyKey};
use crate::service::payments::RefundAsk;
use crate::service::staff::auth::Source;
use crate::service::{self, RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::orders::ListFilter;
use chrono::{DateTime, Utc};
use crema_shared::api::{OrderDto, PaymentRequest};
use crema_shared::lifecycle::OrderCommand;
use crema_shared::validation::bounded_text;
use crema_shared::{Money, ValidationErrors};
use futures::stream::BoxStream;
use tonic::{Request, Response, Status, Streaming};
use uuid::Uuid;

pub struct Orders {
    pub state: AppState,
}

/// Places one order (`CreateOrder`, and each order of `CreateOrders`): the order as the
/// caller may see it, and whether this answers a retry.
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    source: Source,
    request: pb::CreateOrderRequest,
) -> Result<(pb::Order, bool), Status> {
    let (place, client_key) = parse::place_request(request).map_err(status::fields)?;
    // The manager's PIN is never part of what is hashed and kept for the retry.
    let canonical = serde_json::to_vec(&place.without_approval_pin()).map_err(status::internal)?;
    let (key, implicit) = idempotency::for_create("orders.grpc", client_key, place.id, &canonical);
    match service::orders::place(state, ctx, &place, key.as_ref(), source).await {
        Err(ServiceError::IdempotencyMismatch) if implicit => {
            Err(Status::already_exists("an order with this id already exists with different content"))
        }
        Err(e) => Err(status::service(e)),
        Ok(answer) => {
            let replayed = answer.replayed;
            Ok((order_of(ctx, answer)?, replayed))
        }
    }
}

/// A use case's JSON answer (an order), redacted for the caller, as protobuf.
fn order_of(ctx: &RequestContext, answer: Answer) -> Result<pb::Order, Status> {
    let body = privacy::answer_body(ctx, answer.body);
    let order: OrderDto = serde_json::from_str(&body).map_err(status::internal)?;
    Ok(messages::order(order))
}

fn order_id(raw: &str) -> Result<Uuid, Status> {
    let mut errors = ValidationErrors::new();
    let id = parse::uuid(&mut errors, "order_id", raw);
    id.ok_or_else(|| status::fields(errors))
}

impl Orders {
    async fn run(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        command: OrderCommand,
        expected_version: Option<i64>,
        key: Option<&IdempotencyKey>,
    ) -> Result<Response<pb::Order>, Status> {
        let answer = service::orders::transition(&self.state, ctx, id, command, expected_version, key)
            .await
            .map_err(status::service)?;
        Ok(Response::new(order_of(ctx, answer)?))
    }

    /// A line transition: both ids parsed, every malformed one named.
    async fn line(
        &self,
        ctx: &RequestContext,
        (order, line, expected): (&str, &str, Option<i64>),
        command: fn(Uuid) -> OrderCommand,
    ) -> Result<Response<pb::Order>, Status> {
        let mut errors = ValidationErrors::new();
        let order = parse::uuid(&mut errors, "order_id", order);
        let line = parse::uuid(&mut errors, "line_id", line);
        let (Some(order), Some(line)) = (order, line) else { return Err(status::fields(errors)) };
        self.run(ctx, order, command(line), expected, None).await
    }
}

#[tonic::async_trait]
impl OrderService for Orders {
    async fn create_order(
        &self,
        request: Request<pb::CreateOrderRequest>,
    ) -> Result<Response<pb::CreateOrderResponse>, Status> {
        let (ctx, source) = (context(&request), super::source(&request));
        let (order, replayed) = create(&self.state, &ctx, source, request.into_inner()).await?;
        Ok(Response::new(pb::CreateOrderResponse { order: Some(order), replayed }))
    }

    async fn get_order(&self, request: Request<pb::GetOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let ctx = context(&request);
        let id = order_id(&request.get_ref().order_id)?;
        let order = service::orders::get(&self.state, id).await.map_err(status::service)?;
        Ok(Response::new(messages::order(privacy::order(&ctx, order))))
    }

    async fn list_orders(
        &self,
        request: Request<pb::ListOrdersRequest>,
    ) -> Result<Response<pb::ListOrdersResponse>, Status> {
        let ctx = context(&request);
        let q = request.into_inner();
        let mut errors = ValidationErrors::new();
        let status = parse::status_filter(&mut errors, q.status);
        let since = q.since.and_then(|t| {
            let at = u32::try_from(t.nanos).ok().and_then(|nanos| DateTime::<Utc>::from_timestamp(t.seconds, nanos));
            if at.is_none() {
                errors.push("since", "is not a valid time");
            }
            at
        });
        let (limit, offset) = query::page(&mut errors, q.limit, q.offset, 50, MAX_PAGE);
        if !errors.is_empty() {
            return Err(status::fields(errors));
        }
        let filter = ListFilter { status, since, limit, offset };
        let mut page = service::orders::list(&self.state, filter).await.map_err(status::service)?;
        privacy::orders(&ctx, &mut page.orders);
        Ok(Response::new(pb::ListOrdersResponse {
            orders: page.orders.into_iter().map(messages::order).collect(),
            next_offset: page.next_offset,
        }))
    }

    async fn cancel_order(&self, request: Request<pb::CancelOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let ctx = context(&request);
        let r = request.into_inner();
        let mut errors = ValidationErrors::new();
        let id = parse::uuid(&mut errors, "order_id", &r.order_id);
        let reason = errors.check("reason", bounded_text(&r.reason, MAX_REASON_CHARS));
        let (Some(id), Some(reason)) = (id, reason) else { return Err(status::fields(errors)) };
        self.run(&ctx, id, OrderCommand::Cancel { reason }, r.expected_version, None).await
    }

    async fn accept_order(&self, request: Request<pb::AcceptOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let ctx = context(&request);
        let id = order_id(&request.get_ref().order_id)?;
        self.run(&ctx, id, OrderCommand::Accept, request.get_ref().expected_version, None).await
    }

    async fn start_line(&self, request: Request<pb::StartLineRequest>) -> Result<Response<pb::Order>, Status> {
        let ctx = context(&request);
        let r = request.get_ref();
        self.line(&ctx, (&r.order_id, &r.line_id, r.expected_version), |line_id| OrderCommand::StartLine { line_id })
            .await
    }

    async fn finish_line(&self, request: Request<pb::FinishLineRequest>) -> Result<Response<pb::Order>, Status> {
        let ctx = context(&request);
        let r = request.get_ref();
        self.line(&ctx, (&r.order_id, &r.line_id, r.expected_version), |line_id| OrderCommand::FinishLine { line_id })
            .await
    }

    async fn complete_order(&self, request: Request<pb::CompleteOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let ctx = context(&request);
        let id = order_id(&request.get_ref().order_id)?;
        self.run(&ctx, id, OrderCommand::Complete, request.get_ref().expected_version, None).await
    }

    async fn pay_order(&self, request: Request<pb::PayOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let ctx = context(&request);
        let r = request.into_inner();
        let mut errors = ValidationErrors::new();
        let id = parse::uuid(&mut errors, "order_id", &r.order_id);
        let key = parse::request_id(&mut errors, &r.request_id);
        let method = parse::payment_method(&mut errors, "method", r.method);
        let payment = method.map(|method| PaymentRequest {
            method,
            tendered_cents: r.tendered_cents,
            approval_code: r.approval_code,
            print_receipt: r.print_receipt,
            tip_cents: r.tip_cents,
            tip_percent_bps: r.tip_percent_bps,
            amount_cents: None,
            part_cents: r.part_cents,
        });
        let command = match payment.as_ref().map(crema_shared::paying::later_payment) {
            Some(Ok(command)) => Some(command),
            Some(Err(refused)) => {
                errors.extend(refused);
                None
            }
            None => None,
        };
        let (Some(id), Some(command), Some(payment)) = (id, command, payment) else {
            return Err(status::fields(errors));
        };
        let canonical = serde_json::to_vec(&payment).map_err(status::internal)?;
        let key = key.map(|k| IdempotencyKey::new(format!("orders.payment.grpc.{id}"), k, &canonical));
        let receipt = r.print_receipt.unwrap_or(true);
        let answer = service::orders::transition_paying(
            &self.state,
            &ctx,
            id,
            command,
            r.expected_version,
            key.as_ref(),
            receipt,
        )
        .await
        .map_err(status::service)?;
        Ok(Response::new(order_of(&ctx, answer)?))
    }

    async fn refund_order(
        &self,
        request: Request<pb::RefundOrderRequest>,
    ) -> Result<Response<pb::RefundOrderResponse>, Status> {
        let (ctx, source) = (context(&request), super::source(&request));
        let id = order_id(&request.get_ref().order_id)?;
        let r = request.into_inner();
        let mut errors = ValidationErrors::new();
        let line_ids = r
            .line_ids
            .iter()
            .enumerate()
            .filter_map(|(i, raw)| parse::uuid(&mut errors, &format!("line_ids[{i}]"), raw))
            .collect();
        errors.into_result(()).map_err(status::fields)?;
        let ask = RefundAsk {
            amount: (r.amount_cents != 0 || r.line_ids.is_empty()).then(|| Money::from_minor(r.amount_cents)),
            line_ids,
            reason: r.reason,
            approval_pin: None,
        };
        let (_, answer) =
            service::payments::refund(&self.state, &ctx, id, &ask, source).await.map_err(status::service)?;
        let pending = answer.status == 202;
        Ok(Response::new(pb::RefundOrderResponse { order: Some(order_of(&ctx, answer)?), pending }))
    }

    type WatchOrderStream = BoxStream<'static, Result<pb::OrderUpdate, Status>>;

    async fn watch_order(
        &self,
        request: Request<pb::WatchOrderRequest>,
    ) -> Result<Response<Self::WatchOrderStream>, Status> {
        super::watch::order(&self.state, request).await.map(Response::new)
    }

    type WatchEventsStream = BoxStream<'static, Result<super::pb::io::cloudevents::v1::CloudEvent, Status>>;

    async fn watch_events(
        &self,
        request: Request<pb::WatchEventsRequest>,
    ) -> Result<Response<Self::WatchEventsStream>, Status> {
        super::watch::events(&self.state, request).await.map(Response::new)
    }

    async fn create_orders(
        &self,
        request: Request<Streaming<pb::CreateOrderRequest>>,
    ) -> Result<Response<pb::CreateOrdersResponse>, Status> {
        super::batch::create_orders(&self.state, request).await.map(Response::new)
    }

    type TrackOrdersStream = BoxStream<'static, Result<pb::TrackOrdersResponse, Status>>;

    async fn track_orders(
        &self,
        request: Request<Streaming<pb::TrackOrdersRequest>>,
    ) -> Result<Response<Self::TrackOrdersStream>, Status> {
        super::track::track_orders(&self.state, request).await.map(Response::new)
    }
}
