//! Reading orders back: one with its history, a filtered page, the pickup board.

use crate::service::ServiceError;
use crate::state::AppState;
use crate::store::orders::{self, ListFilter};
use crema_shared::api::{BoardDto, BoardTicket, OrderDto, OrderPage};
use crema_shared::status::OrderStatus;
use uuid::Uuid;

use super::view::order_dto;

/// One order with its status history.
#[tracing::instrument(name = "orders.get", skip_all, fields(order_id = %id))]
pub async fn get(state: &AppState, id: Uuid) -> Result<OrderDto, ServiceError> {
    let mut conn = state.store.read().await?;
    let order = orders::get(&mut conn, id).await?.ok_or(ServiceError::NotFound("order"))?;
    let history = orders::history(&mut conn, id).await?;
    Ok(order_dto(&order, Some(&history)))
}

/// Orders newest first, filtered and paged.
#[tracing::instrument(name = "orders.list", skip_all)]
pub async fn list(state: &AppState, filter: ListFilter) -> Result<OrderPage, ServiceError> {
    let mut conn = state.store.read().await?;
    let probe = ListFilter { limit: crate::service::paging::probe(filter.limit), ..filter.clone() };
    let (found, more) = crate::service::paging::page(orders::list(&mut conn, &probe).await?, filter.limit);
    Ok(OrderPage {
        orders: found.iter().map(|o| order_dto(o, None)).collect(),
        next_offset: more.then_some(filter.offset + filter.limit),
    })
}

/// The pickup board: today's open tickets, first names only.
/// Tickets a pickup board shows per column ("Preparing": the oldest; "Ready": the newest).
pub const BOARD_TICKETS_PER_COLUMN: i64 = 40;

pub async fn board(state: &AppState) -> Result<BoardDto, ServiceError> {
    let mut conn = state.store.read().await?;
    let today = state.day.date_of(state.clock.now());
    let mut board = BoardDto { preparing: Vec::new(), ready: Vec::new() };
    for row in orders::board(&mut conn, &today, BOARD_TICKETS_PER_COLUMN).await? {
        let name = row.customer_name.split_whitespace().next().unwrap_or_default().to_string();
        let ticket = BoardTicket {
            ticket_number: row.ticket_number,
            ticket: crema_shared::terminal::ticket(&row.ticket_prefix, row.ticket_number),
            name,
        };
        if row.status == OrderStatus::Ready {
            board.ready.push(ticket);
        } else {
            board.preparing.push(ticket);
        }
    }
    Ok(board)
}
