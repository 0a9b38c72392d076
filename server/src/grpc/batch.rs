//! `CreateOrders`: a client stream of orders, each placed on its own exactly as `CreateOrder`
//! would place it (so one bad order refuses only itself, and a retried batch with the same
//! `request_id`s places nothing twice). Up to [`IN_FLIGHT`] placements run at once, so a batch
//! shares the writer's group commits; the answer lists every outcome in the order sent.

use super::orders::create;
use super::pb::crema::v1 as pb;
use super::{context, status};
use crate::state::AppState;
use futures::StreamExt;
use tonic::{Request, Status, Streaming};

/// Orders placed at once from one batch.
const IN_FLIGHT: usize = 32;
/// Orders per batch. The next one is answered "not placed" and the stream is read no
/// further (so a batch costs bounded memory).
pub const MAX_BATCH: usize = 1000;

pub async fn create_orders(
    state: &AppState,
    request: Request<Streaming<pb::CreateOrderRequest>>,
) -> Result<pb::CreateOrdersResponse, Status> {
    let (ctx, source) = (context(&request), super::source(&request));
    let outcomes: Vec<Result<pb::CreateOrderOutcome, Status>> = request
        .into_inner()
        .enumerate()
        .take(MAX_BATCH + 1)
        .map(|(index, message)| {
            let (state, ctx) = (state.clone(), ctx.clone());
            async move {
                // A broken stream fails the call; the orders placed so far stay placed, and a
                // retry with the same request_ids answers them again.
                let order = message?;
                let request_id = order.request_id.clone();
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                let (result, replayed) = if index as usize >= MAX_BATCH {
                    let refused = Status::resource_exhausted(format!(
                        "not placed, nor any order after it: a batch holds at most {MAX_BATCH} orders; send the rest in another"
                    ));
                    (pb::create_order_outcome::Result::Failure(status::failure(&refused)), false)
                } else {
                    match create(&state, &ctx, source, order).await {
                        Ok((order, replayed)) => (pb::create_order_outcome::Result::Order(order), replayed),
                        Err(refused) => (pb::create_order_outcome::Result::Failure(status::failure(&refused)), false),
                    }
                };
                Ok(pb::CreateOrderOutcome { index, request_id, result: Some(result), replayed })
            }
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    let outcomes = outcomes.into_iter().collect::<Result<Vec<_>, Status>>()?;
    let placed =
        outcomes.iter().filter(|o| matches!(o.result, Some(pb::create_order_outcome::Result::Order(_)))).count();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    tracing::info!(placed, failed = outcomes.len() - placed, "order batch placed");
    Ok(pb::CreateOrdersResponse { placed: count(placed), failed: count(outcomes.len() - placed), outcomes })
}
