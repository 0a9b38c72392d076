//! Receipts: the customer's paper (or page) for an order, and printing it.
//!
//! One layout ([`crema_shared::receipt`]) is drawn two ways: as the receipt page
//! (`GET /api/v1/orders/{id}/receipt`, [`page`]) and as ESC/POS bytes for the shop's receipt
//! printer ([`print`]). A paid order's receipt prints by itself — the reaction below queues a
//! durable print job in the payment's own transaction — unless the till said not to.

pub mod kitchen;
pub mod mail;
pub mod page;
pub mod print;

use crate::service::reactions::{Change, Effects, OrderChange};
use crate::service::{orders, RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::jobs::NewJob;
use crate::store::{audit, jobs, settings, Done, StoreError};
use crema_shared::api::OrderDto;
use crema_shared::close::CloseReport;
use crema_shared::kitchen_ticket::KitchenPrinter;
use crema_shared::lifecycle::OrderEvent;
use crema_shared::placing::Tender;
use crema_shared::printer::PrinterAddress;
use crema_shared::receipt::{receipt_lines, PrintLine, ReceiptShop};
use crema_shared::status::PaymentStatus;
use std::sync::RwLock;
use uuid::Uuid;

/// Where this server prints receipts: `CREMA_RECEIPT_PRINTER` when the operator set it (the
/// printer beside this box — on a synced terminal, the till's own), else the printer a manager
/// set in the shop's settings, which every instance follows as it changes.
/// It also follows the names of the kitchen's stations with a printer, for the reaction that
/// queues their tickets (it cannot read the database).
#[derive(Debug, Default)]
pub struct ReceiptPrinter {
    configured: Option<PrinterAddress>,
    managed: RwLock<Option<PrinterAddress>>,
    stations: RwLock<Vec<String>>,
}

impl ReceiptPrinter {
    pub fn new(configured: Option<PrinterAddress>) -> Self {
        ReceiptPrinter { configured, managed: RwLock::new(None), stations: RwLock::new(Vec::new()) }
    }

    /// The kitchen stations that have a printer.
    pub fn stations(&self) -> Vec<String> {
        self.stations.read().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn set_stations(&self, printers: &[KitchenPrinter]) {
        if let Ok(mut slot) = self.stations.write() {
            *slot = printers.iter().map(|p| p.station.clone()).collect();
        }
    }

    /// The printer receipts go to now, if any.
    pub fn in_use(&self) -> Option<PrinterAddress> {
        self.configured.clone().or_else(|| self.managed.read().ok().and_then(|m| m.clone()))
    }

    /// What the shop's settings say (read at start and after every settings change).
    pub fn set_managed(&self, printer: Option<PrinterAddress>) {
        if let Ok(mut slot) = self.managed.write() {
            *slot = printer;
        }
    }
}

/// The receipt of `order` as printed lines, with the shop's name, header, footer and tax.
pub async fn lines(state: &AppState, order: &OrderDto) -> Result<Vec<PrintLine>, ServiceError> {
    let shop = settings::load(&mut state.store.read().await?)
        .await?
        .ok_or_else(|| StoreError::corrupt("no shop settings row"))?
        .shop;
    let receipt =
        ReceiptShop { name: &shop.name, header: &shop.receipt.header, footer: &shop.receipt.footer, tax: shop.tax };
    Ok(receipt_lines(order, &receipt, order.created_at.with_timezone(&state.day.utc_offset)))
}

/// Prints `id`'s receipt again on request (a customer asks for one, or the paper jammed):
/// a new print job, audited. Returns the job's id.
#[tracing::instrument(name = "receipts.print", skip_all, fields(order_id = %id))]
pub async fn print_again(state: &AppState, ctx: &RequestContext, id: Uuid) -> Result<Uuid, ServiceError> {
    orders::get(state, id).await?;
    let job = print::job(id, state.clock.now());
    queue(state, ctx, job, "receipt.print_requested", id.to_string()).await
}

/// Prints an X or Z report on the receipt printer (a print job like a receipt's, never printed
/// twice by a retry), audited. Returns the job's id.
#[tracing::instrument(name = "reports.print", skip_all, fields(kind = %report.kind))]
pub async fn print_report(state: &AppState, ctx: &RequestContext, report: CloseReport) -> Result<Uuid, ServiceError> {
    let subject = format!("{} {}", report.kind, report.business_date);
    let job = print::report_job(report, state.clock.now());
    queue(state, ctx, job, "report.print_requested", subject).await
}

/// Queues a print `job` someone asked for on the printer in use (409 without one), audited as
/// `action` about `subject`, and wakes the job runner.
async fn queue(
    state: &AppState,
    ctx: &RequestContext,
    job: NewJob,
    action: &'static str,
    subject: String,
) -> Result<Uuid, ServiceError> {
    let Some(printer) = state.receipt_printer.in_use() else {
        return Err(ServiceError::Conflict(
            "no receipt printer is set: a manager sets one in the settings (or the server's CREMA_RECEIPT_PRINTER)"
                .into(),
        ));
    };
    let ctx = ctx.clone();
    let job_id = job.id;
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                jobs::enqueue(conn, &job).await?;
                let detail = serde_json::json!({ "job_id": job.id, "printer": printer.to_string() });
                audit::append(conn, &ctx.audit(action, Some(subject), detail)).await?;
                Ok::<_, crate::store::JobError<ServiceError>>(Done::new((), None))
            })
        })
        .await?;
    state.jobs_wakeup.notify_one();
    Ok(job_id)
}

/// The reaction: when money is taken for an order, its receipt is queued for the printer if
/// the till did not say "no receipt" (once per order, or per part of a tab; reprints are asked
/// for), and emailed when the customer left an address and the shop has a mail server (once
/// per order, when it is paid in full).
pub fn on_order_change(state: &AppState, change: &OrderChange<'_>, effects: &mut Effects) {
    if !took_money(change) {
        return;
    }
    let order_id = change.order.id;
    if change.receipt && state.receipt_printer.in_use().is_some() {
        // Each part of a tab prints its own receipt (the parts so far and what is due), once.
        let once = match change.order.tenders.len() {
            0 => format!("{}:{order_id}", print::KIND),
            parts => format!("{}:{order_id}:{parts}", print::KIND),
        };
        effects.jobs.push(print::job(order_id, change.at).once(once));
    }
    // The emailed receipt waits for the last part of a tab.
    let whole = change.order.payment_status != PaymentStatus::PartlyPaid;
    if whole && state.mailer.is_some() && change.order.customer_email.is_some() && state.sync.is_none() {
        effects.jobs.push(mail::job(order_id, change.at));
    }
}

/// Whether `change` is the moment money was taken: paid at the till with the order, paid
/// later, or a gateway card authorized.
fn took_money(change: &OrderChange<'_>) -> bool {
    match change.change {
        Change::Placed { tender } => {
            matches!(tender, Some(Tender::Cash(_) | Tender::CardTerminal { .. } | Tender::Split(_)))
        }
        Change::Moved { events } => events
            .iter()
            .any(|e| matches!(e, OrderEvent::PaymentCaptured { .. } | OrderEvent::PaymentAuthorized { .. })),
    }
}

/// How often an instance re-reads the receipt printer another instance's manager may have set.
pub const PRINTER_CHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// Follows the shop's settings for as long as the server runs, so a printer a manager sets
/// (on this instance or another on the same database) is the one this instance prints on:
/// one small read every [`PRINTER_CHECK`], whatever the load.
pub async fn follow_settings(state: AppState) {
    let mut closing = state.hub.closing();
    let mut check = tokio::time::interval(PRINTER_CHECK);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = check.tick() => {}
            _ = closing.wait_for(|closed| *closed) => return,
        }
        let read = async {
            let mut db = state.store.read().await?;
            Ok::<_, StoreError>((settings::receipt_printer(&mut db).await?, settings::kitchen_printers(&mut db).await?))
        };
        match read.await {
            Ok((printer, stations)) => {
                state.receipt_printer.set_managed(printer);
                state.receipt_printer.set_stations(&stations);
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the shop's printers from the settings"),
        }
    }
}
