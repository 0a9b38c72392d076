//! Placing an order: price it from the menu in force, number it, take its stock, write it
//! with its events and idempotent answer in one write, and hand the change to the reactions.

use super::sale::{Numbered, Sale};
use crate::service::context::Actor;
use crate::service::discounts;
use crate::service::error::JobResult;
use crate::service::idempotency::{Answer, IdempotencyKey};
use crate::service::menu::cache::PricedMenu;
use crate::service::menu::stock;
use crate::service::reactions;
use crate::service::staff::auth::Source;
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::db::Dialect;
use crate::store::idempotency::KeyIndex;
use crate::store::jobs::NewJob;
use crate::store::placement::{self, OnTail, Tail};
use crate::store::{audit, outbox, Done};
use crate::store::{JobError, StoreError};
use chrono::{DateTime, Utc};
use crema_shared::api::PlaceOrderRequest;
use crema_shared::discount::Discounting;
use crema_shared::placing::{price_order, price_order_with, PricedOrder};
use crema_shared::ValidationErrors;
use std::sync::Arc;
use uuid::Uuid;

/// Places an order: prices it from the menu in force, numbers it, writes it with its
/// `order.placed` (and `payment.captured`) events, all in one write.
///
/// On SQLite the write is one statement group when it can be (see [`place_on_tail`]) and undoes
/// its own writes when it fails, so the writer needs no savepoint round trip for it.
#[tracing::instrument(name = "orders.place", skip_all)]
pub async fn place(
    state: &AppState,
    ctx: &RequestContext,
    request: &PlaceOrderRequest,
    key: Option<&IdempotencyKey>,
    source: Source,
) -> Result<Answer, ServiceError> {
    if let Some(id) = request.id {
        if id.get_version_num() != 7 {
            return Err(ValidationErrors::single("id", "must be a UUIDv7").into());
        }
    }
    // A manager's PIN is checked before the write, under the sign-in limits of its source.
    let approver = match &request.approval_pin {
        Some(_) if request.discounts.is_empty() => {
            let message = "is only for a discount that needs a manager's approval";
            return Err(ValidationErrors::single("approval_pin", message).into());
        }
        Some(pin) => Some(discounts::approver(state, ctx, pin, source).await?),
        None => None,
    };
    let writer = state.store.writer();
    let placed = match state.store.dialect() {
        Dialect::Sqlite => {
            // On the direct connection when it can be; the checked way (on sqlx's) otherwise.
            // Priced here, off the writer's serial path, when the menu is in memory.
            let early = price_early(state, request);
            let shared = Arc::new((state.clone(), ctx.clone(), request.clone(), key.cloned(), approver, early));
            let direct = shared.clone();
            writer
                .write_direct(
                    move |conn| {
                        let (state, ctx, request, key, approver, early) = &*direct;
                        let placing = Placing::new(state, ctx, request, key.as_ref(), approver.as_ref());
                        place_direct(conn, &placing, early.as_ref())
                    },
                    move |conn| {
                        Box::pin(async move {
                            let (state, ctx, request, key, approver, _) = &*shared;
                            place_job(conn, state, ctx, request, key.as_ref(), approver.as_ref()).await
                        })
                    },
                )
                .await?
        }
        Dialect::Postgres => {
            let (job_state, ctx, request, key) = (state.clone(), ctx.clone(), request.clone(), key.cloned());
            writer
                .write(move |conn| {
                    Box::pin(async move {
                        place_job(conn, &job_state, &ctx, &request, key.as_ref(), approver.as_ref()).await
                    })
                })
                .await?
        }
    };
    // Logged here, not in the writer: its path is the serial one.
    if let Some(sale) = &placed.sale {
        sale.log();
    }
    if !placed.answer.replayed {
        state.metrics.orders_placed.inc();
    }
    if let Some(due) = placed.first_job_due {
        state.jobs_wakeup.queued(due, state.clock.now());
    }
    Ok(placed.answer)
}

/// What a placement's write answers: the answer, whether it queued jobs, and the sale it
/// wrote (none for a replayed answer), for the log line.
struct Placed {
    answer: Answer,
    /// When the first job it queued is due (none queued: `None`).
    first_job_due: Option<DateTime<Utc>>,
    sale: Option<super::sale::SaleLine>,
}

impl Placed {
    fn new(sale: Sale, jobs: &[NewJob]) -> Placed {
        Placed { sale: Some(sale.line()), answer: sale.answer, first_job_due: NewJob::first_due(jobs) }
    }

    fn replayed(answer: Answer) -> Placed {
        Placed { answer, first_job_due: None, sale: None }
    }
}

async fn place_job(
    conn: &mut Db<'_>,
    state: &AppState,
    ctx: &RequestContext,
    request: &PlaceOrderRequest,
    key: Option<&IdempotencyKey>,
    approver: Option<&Actor>,
) -> JobResult<Placed> {
    let placing = Placing::new(state, ctx, request, key, approver);
    if !matches!(conn, Db::Sqlite(_)) {
        return Ok(place_checked(conn, &placing).await?.0);
    }
    if let Some(done) = place_on_tail(conn, &placing).await? {
        return Ok(done);
    }
    // The checked way, in a savepoint of its own: the writer opened none for this job.
    placement::savepoint(conn).await?;
    match place_checked(conn, &placing).await {
        Ok((done, tail)) => {
            placement::release(conn).await?;
            state.store.set_placement_tail(Some(tail));
            Ok(done)
        }
        Err(error) => {
            placement::roll_back(conn).await?;
            Err(error)
        }
    }
}

/// The placement in one statement group, numbered and linked from what the writer's last
/// placement left ([`placement::Tail`]), which the statement verifies before it writes.
/// `None` when it cannot be placed this way (see [`plan_on_tail`], or the memory was stale):
/// the checked way then decides, in the order the rules are checked there (a replayed key
/// before a refusal).
async fn place_on_tail(
    conn: &mut Db<'_>,
    placing: &Placing<'_>,
) -> Result<Option<Done<Placed>>, JobError<ServiceError>> {
    let Some(tail) = tail_for(placing) else { return Ok(None) };
    let menu = placing.state.menu.at_version(conn, tail.menu_version).await?;
    let Some(plan) = plan_on_tail(placing, &menu, tail, None) else { return Ok(None) };
    let written = placement::write_on_tail(conn, plan.rows(placing.key, placing.state.store.keys())).await?;
    Ok(plan.finish(placing.state, written))
}

/// [`place_on_tail`] on the writer's direct connection (`store::writer::direct`): the same
/// plan and rows, without a crossing to sqlx's worker thread. `None` also when the menu in
/// force is not in memory (the checked way reads it). The order priced before the writer
/// (`early`) is taken when it was priced on that very menu.
fn place_direct(
    conn: &rusqlite::Connection,
    placing: &Placing<'_>,
    early: Option<&PricedEarly>,
) -> Result<Option<Done<Placed>>, StoreError> {
    let Some(tail) = tail_for(placing) else { return Ok(None) };
    let Some(menu) = placing.state.menu.cached_at(tail.menu_version) else { return Ok(None) };
    let early = early.filter(|e| Arc::ptr_eq(&e.menu, &menu)).map(|e| &e.priced);
    let Some(plan) = plan_on_tail(placing, &menu, tail, early) else { return Ok(None) };
    let written = placement::direct::write_on_tail(conn, plan.rows(placing.key, placing.state.store.keys()))?;
    Ok(plan.finish(placing.state, written))
}

/// An order priced before it reaches the writer, and the menu it was priced on (the one in
/// memory then). Pricing is a pure function of the two, so the writer takes it as it is when
/// that same menu is still the one in force, and prices again otherwise.
struct PricedEarly {
    menu: Arc<PricedMenu>,
    priced: PricedOrder,
}

/// [`PricedEarly`] for a placement that may go on the remembered tail (no discounts, whose
/// reasons are read inside the write) when a menu is in memory and the order prices.
fn price_early(state: &AppState, request: &PlaceOrderRequest) -> Option<PricedEarly> {
    if !request.discounts.is_empty() {
        return None;
    }
    let menu = state.menu.cached()?;
    let priced = price_order(&menu.catalog, menu.tax, request).ok()?;
    Some(PricedEarly { menu, priced })
}

/// What the writer remembers of its last placement, when this order can build on it: none
/// for a reaction that writes, discounts (their reasons are read), or a new day.
fn tail_for(placing: &Placing<'_>) -> Option<Tail> {
    let Placing { state, request, ref business_date, .. } = *placing;
    if reactions::write_on_placement(state) || !request.discounts.is_empty() {
        return None;
    }
    state.store.placement_tail().filter(|t| &t.business_date == business_date)
}

/// A placement on the remembered tail, priced, numbered and linked, ready to write.
struct OnTailPlan {
    tail: Tail,
    sale: Sale,
    jobs: Vec<NewJob>,
    audited: audit::LinkedRow,
}

/// Prices (unless `early` already did, on `menu`) and numbers the order from `tail` without
/// the database; `None` for anything the checked way must decide (a refusal, counted stock,
/// more than the sale's audit row).
fn plan_on_tail(
    placing: &Placing<'_>,
    menu: &PricedMenu,
    tail: Tail,
    early: Option<&PricedOrder>,
) -> Option<OnTailPlan> {
    let Placing { state, ctx, request, key, id, now, ref business_date, .. } = *placing;
    let fresh;
    let priced = match early {
        Some(priced) => priced,
        None => {
            fresh = price_order(&menu.catalog, menu.tax, request).ok()?;
            &fresh
        }
    };
    if stock::counts_any(&menu.catalog, &priced.lines) {
        return None;
    }
    let numbered = Numbered { id, now, business_date: business_date.to_string(), ticket_number: tail.last_ticket + 1 };
    let sale = Sale::new(state, ctx, key, menu, priced, numbered, None).ok()?;
    let effects = reactions::plan(state, &sale.change(ctx, priced.payment.as_ref(), wants_receipt(request)));
    let [entry] = &effects.audit[..] else { return None };
    let audited = audit::link_after(tail.audit_head.clone(), entry);
    Some(OnTailPlan { tail, sale, jobs: effects.jobs, audited })
}

impl OnTailPlan {
    /// Its rows, as the store writes them.
    fn rows<'a>(&'a self, key: Option<&'a IdempotencyKey>, keys: &'a KeyIndex) -> placement::OnTailRows<'a> {
        placement::OnTailRows {
            tail: &self.tail,
            order: &self.sale.order,
            events: &self.sale.events,
            idempotency: self.sale.record(key, keys),
            jobs: &self.jobs,
            audit: &self.audited,
        }
    }

    /// After the write: remembers the new tail (or forgets a stale one) and logs the sale.
    fn finish(self, state: &AppState, written: OnTail) -> Option<Done<Placed>> {
        let OnTail::Written(last) = written else {
            state.store.set_placement_tail(None);
            return None;
        };
        state.store.set_placement_tail(Some(Tail {
            last_ticket: self.sale.order.ticket_number,
            audit_head: Some(self.audited.as_head()),
            ..self.tail
        }));
        Some(Done::new(Placed::new(self.sale, &self.jobs), last))
    }
}

/// The placement as the rules describe it: check (menu version, id, idempotency key, ticket
/// counter, audit head), price, take stock, write, react. Also answers what it leaves for the
/// next placement.
async fn place_checked(
    conn: &mut Db<'_>,
    placing: &Placing<'_>,
) -> Result<(Done<Placed>, Tail), JobError<ServiceError>> {
    let Placing { state, ctx, request, key, id, now, ref business_date, approver } = *placing;
    let business_date = business_date.clone();
    let idempotency = key.map(|k| (k.scope.as_str(), k.key.as_str()));
    let check = placement::check(conn, state.store.keys(), id, &business_date, idempotency).await?;
    let mut tail = Tail {
        menu_version: check.menu_version,
        business_date: business_date.clone(),
        last_ticket: check.next_ticket_number - 1,
        audit_head: check.audit_head.clone(),
    };
    if let Some(key) = key {
        if let Some(answer) = key.replay(check.saved)? {
            return Ok((Done::new(Placed::replayed(answer), None), tail));
        }
    }
    let menu = state.menu.at_version(conn, check.menu_version).await?;
    let reasons = if request.discounts.is_empty() { Vec::new() } else { discounts::reasons(conn).await? };
    let discounting = Discounting { reasons: &reasons, role: ctx.actor.as_ref().map(|a| a.role) };
    let priced = price_order_with(&menu.catalog, menu.tax, request, discounting)?;
    if priced.needs_approval() && approver.is_none() {
        let beyond: Vec<&str> =
            priced.discounts.iter().filter(|d| d.needs_approval).map(|d| d.reason.as_str()).collect();
        let message = format!("{} is beyond what you may give alone: a manager's PIN is needed", beyond.join(", "));
        return Err(ServiceError::Validation(ValidationErrors::single("approval_pin", message)).into());
    }
    if check.order_exists {
        return Err(ServiceError::Conflict(format!("an order with id {id} already exists")).into());
    }
    let takes = stock::check(conn, &menu.catalog, &priced.lines).await?;
    let numbered = Numbered { id, now, business_date, ticket_number: check.next_ticket_number };
    let sale = Sale::new(state, ctx, key, &menu, &priced, numbered, approver)?;
    let order = &sale.order;
    // What the sale causes (audit row, card authorization, ticket-age alert) is written in the
    // placement's own round trip; the audit row is linked to the chain head the check read.
    let change = sale.change(ctx, priced.payment.as_ref(), wants_receipt(request));
    let effects = reactions::plan(state, &change);
    let (first, more) = match effects.audit.split_first() {
        Some((first, more)) => (Some(audit::link_after(check.audit_head.clone(), first)), more),
        None => (None, &[][..]),
    };
    let record = sale.record(key, state.store.keys());
    let mut last = placement::write(conn, order, true, &sale.events, record, &effects.jobs, first.as_ref()).await?;
    tail.last_ticket = order.ticket_number;
    tail.audit_head = first.as_ref().map(|row| row.as_head()).or(tail.audit_head);
    for entry in more.iter().chain(sale.approval_audit(ctx).as_ref()) {
        audit::append(conn, entry).await?;
        tail.audit_head = None; // not known without reading it: the next placement checks
    }
    let sold_out = stock::reserve(conn, ctx, &menu.catalog, order.id, &takes).await?;
    if !sold_out.is_empty() {
        last = outbox::append(conn, &sold_out).await?.or(last);
    }
    let written = reactions::write(conn, state, &change).await?;
    if !written.is_empty() {
        last = outbox::append(conn, &written).await?.or(last);
    }
    Ok((Done::new(Placed::new(sale, &effects.jobs), last), tail))
}

/// One placement's request and circumstances, as both ways of placing take them.
struct Placing<'a> {
    state: &'a AppState,
    ctx: &'a RequestContext,
    request: &'a PlaceOrderRequest,
    key: Option<&'a IdempotencyKey>,
    /// The manager whose PIN came with the order, checked.
    approver: Option<&'a Actor>,
    id: Uuid,
    now: DateTime<Utc>,
    business_date: String,
}

impl<'a> Placing<'a> {
    /// The placement of `request` now, with its own id (or a new one).
    fn new(
        state: &'a AppState,
        ctx: &'a RequestContext,
        request: &'a PlaceOrderRequest,
        key: Option<&'a IdempotencyKey>,
        approver: Option<&'a Actor>,
    ) -> Placing<'a> {
        let now = state.clock.now();
        Placing {
            state,
            ctx,
            request,
            key,
            approver,
            id: request.id.unwrap_or_else(Uuid::now_v7),
            now,
            business_date: state.day.date_of(now),
        }
    }
}

/// Whether the till wants the receipt printed when it pays with the order (yes, unless it said no).
fn wants_receipt(request: &PlaceOrderRequest) -> bool {
    request.payment.as_ref().and_then(|p| p.print_receipt).unwrap_or(true)
}
