//! Stock in the order flow: checking and reserving at placement, releasing on cancellation,
//! and the `item.sold_out` / `item.back_in_stock` events when a count crosses zero. Crossing
//! zero also bumps the menu version, so every screen's menu (and the priced-menu cache)
//! refreshes.

use crate::service::reactions::{Change, OrderChange};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::outbox::NewEvent;
use crate::store::{settings, stock, time, StoreError};
use crema_shared::events::types;
use crema_shared::lifecycle::OrderEvent;
use crema_shared::menu::Catalog;
use crema_shared::placing::PricedLine;
use crema_shared::stock::{demand, shortfalls, take_what_is_left, StockKind};
use futures::future::BoxFuture;
use serde_json::json;
use uuid::Uuid;

/// What an order will take from counted stock, checked against the counts now.
pub async fn check(
    conn: &mut Db<'_>,
    catalog: &Catalog,
    lines: &[PricedLine],
) -> Result<Vec<(StockKind, Uuid, u32, u32)>, ServiceError> {
    let wanted = demand(lines);
    let counted: Vec<(StockKind, Uuid)> = wanted.keys().copied().filter(|key| counted_in(catalog, *key)).collect();
    if counted.is_empty() {
        return Ok(Vec::new());
    }
    let left = stock::counts(conn, &counted).await?;
    if let Some(short) = shortfalls(&wanted, &left).first() {
        let name = name_of(catalog, (short.kind, short.id));
        return Err(ServiceError::Conflict(format!("not enough {name}: {} left, {} wanted", short.left, short.wanted)));
    }
    Ok(left.iter().filter_map(|(key, have)| wanted.get(key).map(|want| (key.0, key.1, *want, *have))).collect())
}

/// Whether any of `lines` takes from counted stock (then [`check`] reads the counts).
pub fn counts_any(catalog: &Catalog, lines: &[PricedLine]) -> bool {
    demand(lines).keys().any(|key| counted_in(catalog, *key))
}

/// Reserves what [`check`] found for `order_id`; returns the events for counts that hit zero.
pub async fn reserve(
    conn: &mut Db<'_>,
    ctx: &RequestContext,
    catalog: &Catalog,
    order_id: Uuid,
    takes: &[(StockKind, Uuid, u32, u32)],
) -> Result<Vec<NewEvent>, StoreError> {
    if takes.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<(StockKind, Uuid, u32)> = takes.iter().map(|(k, id, want, _)| (*k, *id, *want)).collect();
    stock::reserve(conn, order_id, &list).await?;
    let sold_out: Vec<_> = takes.iter().filter(|(_, _, want, have)| want == have).collect();
    if sold_out.is_empty() {
        return Ok(Vec::new());
    }
    settings::bump_menu_version(conn).await?;
    Ok(sold_out.iter().map(|(kind, id, _, _)| event(ctx, types::ITEM_SOLD_OUT, catalog, *kind, *id, 0)).collect())
}

/// Takes the stock of a sale that already happened (pushed by a terminal that was offline):
/// what is left is taken, a shortfall leaves the count at zero and raises `stock.conflict`
/// for a manager instead of refusing a paid order. Returns the events.
pub async fn take_sold(
    conn: &mut Db<'_>,
    ctx: &RequestContext,
    catalog: &Catalog,
    order: &crate::store::orders::OrderRecord,
) -> Result<Vec<NewEvent>, StoreError> {
    let mut wanted = std::collections::BTreeMap::new();
    for line in &order.lines {
        *wanted.entry((StockKind::Item, line.item_id)).or_insert(0u32) += line.quantity;
        for option in &line.options {
            *wanted.entry((StockKind::Option, option.option_id)).or_insert(0u32) += line.quantity;
        }
    }
    let counted: Vec<(StockKind, Uuid)> = wanted.keys().copied().filter(|key| counted_in(catalog, *key)).collect();
    if counted.is_empty() {
        return Ok(Vec::new());
    }
    let left = stock::counts(conn, &counted).await?;
    let (takes, short) = take_what_is_left(&wanted, &left);
    let mut events = reserve(conn, ctx, catalog, order.id, &takes).await?;
    for s in short {
        let data = json!({
            "kind": s.kind.as_str(), "id": s.id, "name": name_of(catalog, (s.kind, s.id)),
            "wanted": s.wanted, "left": s.left, "order_id": order.id,
        });
        events.push(ctx.event(types::STOCK_CONFLICT, Some(s.id.to_string()), time::now(), data));
    }
    Ok(events)
}

/// The reaction: a cancelled order gives its stock back, a voided line its own.
pub fn on_order_change<'c>(
    conn: &'c mut Db<'_>,
    state: &'c AppState,
    change: &'c OrderChange<'c>,
) -> BoxFuture<'c, Result<Vec<NewEvent>, StoreError>> {
    Box::pin(async move {
        let Change::Moved { events } = change.change else { return Ok(Vec::new()) };
        let cancelled = events.iter().any(|e| matches!(e, OrderEvent::Cancelled { .. }));
        let voided: Vec<Uuid> = events
            .iter()
            .filter_map(|e| match e {
                OrderEvent::LineVoided { line_id, .. } => Some(*line_id),
                _ => None,
            })
            .collect();
        if !cancelled && voided.is_empty() {
            return Ok(Vec::new());
        }
        let menu = state.menu.current(conn).await?;
        if cancelled {
            return release(conn, change.ctx, &menu.catalog, change.order.id).await;
        }
        let mut wanted = Vec::new();
        for line in change.order.lines.iter().filter(|l| voided.contains(&l.id)) {
            wanted.push((StockKind::Item, line.item_id, line.quantity));
            wanted.extend(line.options.iter().map(|o| (StockKind::Option, o.option_id, line.quantity)));
        }
        let released = stock::release_some(conn, change.order.id, &wanted).await?;
        back_in_stock(conn, change.ctx, &menu.catalog, released).await
    })
}

/// Gives back what `order_id` reserved; returns the events for counts back above zero.
pub async fn release(
    conn: &mut Db<'_>,
    ctx: &RequestContext,
    catalog: &Catalog,
    order_id: Uuid,
) -> Result<Vec<NewEvent>, StoreError> {
    let released = stock::release(conn, order_id).await?;
    back_in_stock(conn, ctx, catalog, released).await
}

/// The events for counts `released` brought back above zero (the menu moves with them).
async fn back_in_stock(
    conn: &mut Db<'_>,
    ctx: &RequestContext,
    catalog: &Catalog,
    released: Vec<(StockKind, Uuid, u32)>,
) -> Result<Vec<NewEvent>, StoreError> {
    let mut events = Vec::new();
    for (kind, id, after) in released {
        let was_zero = match kind {
            StockKind::Item => catalog.item(id).is_some_and(|i| i.stock == Some(0)),
            StockKind::Option => catalog.option(id).is_some_and(|o| o.stock == Some(0)),
        };
        if was_zero && after > 0 {
            events.push(event(ctx, types::ITEM_BACK_IN_STOCK, catalog, kind, id, after));
        }
    }
    if !events.is_empty() {
        settings::bump_menu_version(conn).await?;
    }
    Ok(events)
}

/// The event for a count crossing zero (either way).
pub fn event(
    ctx: &RequestContext,
    event_type: &'static str,
    catalog: &Catalog,
    kind: StockKind,
    id: Uuid,
    stock: u32,
) -> NewEvent {
    let data = json!({ "kind": kind.as_str(), "id": id, "name": name_of(catalog, (kind, id)), "stock": stock });
    ctx.event(event_type, Some(id.to_string()), time::now(), data)
}

fn counted_in(catalog: &Catalog, (kind, id): (StockKind, Uuid)) -> bool {
    match kind {
        StockKind::Item => catalog.item(id).is_some_and(|i| i.stock.is_some()),
        StockKind::Option => catalog.option(id).is_some_and(|o| o.stock.is_some()),
    }
}

fn name_of(catalog: &Catalog, (kind, id): (StockKind, Uuid)) -> String {
    match kind {
        StockKind::Item => catalog.item(id).map(|i| i.name.clone()),
        StockKind::Option => catalog.option(id).map(|o| o.name.clone()),
    }
    .unwrap_or_else(|| id.to_string())
}
