//! `/metrics`: the counters and histograms the code keeps ([`crate::metrics`]), with the
//! gauges that describe stored state read fresh at each scrape — open and late tickets, the
//! head of the event log, each sink's backlog, lag and breaker, jobs by state and dead jobs
//! by kind, open streams and the sign-in alert.

use crate::metrics::{KindLabels, SinkLabels, StateLabels, StatusLabels};
use crate::service::ServiceError;
use crate::state::AppState;
use crate::store::{jobs, orders, outbox, settings, sinks, StoreError};
use crema_shared::settings::DEFAULT_TICKET_LATE_SECONDS;

/// The OpenMetrics text of everything, as of now.
pub async fn snapshot(state: &AppState) -> Result<String, ServiceError> {
    let m = &state.metrics;
    let head = state.hub.latest();
    m.outbox_sequence.set(head);
    m.signin_alert.set(i64::from(state.auth.under_alert()));
    m.board_streams.set(i64::try_from(state.board.watchers()).unwrap_or(i64::MAX));

    let now = state.clock.now();
    let mut conn = state.store.read().await?;
    let late_after =
        settings::load(&mut conn).await?.map_or(DEFAULT_TICKET_LATE_SECONDS, |s| s.shop.ticket_late_seconds);
    let late_before = now - chrono::Duration::seconds(i64::from(late_after));
    let (open, late) = orders::count_open(&mut conn, &state.day.date_of(now), late_before).await?;
    m.open_tickets.clear();
    for status in ["placed", "accepted", "preparing", "ready"] {
        let n = open.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
        m.open_tickets.get_or_create(&StatusLabels { status }).set(n);
    }
    m.late_tickets.set(late);

    m.sink_backlog.clear();
    m.sink_lag.clear();
    m.sink_failures.clear();
    for sink in sinks::list(&mut conn).await? {
        let labels = SinkLabels { sink: sink.name.clone(), kind: sink.target.kind() };
        m.sink_backlog.get_or_create(&labels).set((head - sink.cursor).max(0));
        let oldest = outbox::time_after(&mut conn, sink.cursor).await?;
        let lag = oldest.map_or(0.0, |at| (now - at).num_milliseconds().max(0) as f64 / 1000.0);
        m.sink_lag.get_or_create(&labels).set(lag);
        m.sink_failures.get_or_create(&labels).set(i64::from(sink.consecutive_failures));
    }

    for (job_state, count) in jobs::count_by_state(&mut conn).await? {
        m.jobs.get_or_create(&StateLabels { state: job_state.as_str() }).set(count);
    }
    m.dead_jobs.clear();
    for (kind, count) in jobs::dead_by_kind(&mut conn).await? {
        m.dead_jobs.get_or_create(&KindLabels { kind }).set(count);
    }
    m.render().map_err(|e| ServiceError::Store(StoreError::internal(format!("cannot render the metrics: {e}"))))
}
