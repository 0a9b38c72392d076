//! `/metrics` in the Prometheus text format: what an operator watches — answers by status
//! class, the head of the event log, PIN checks and the sign-in alert, open board streams,
//! each sink's backlog and breaker, and jobs by state.

use crate::service::ServiceError;
use crate::state::AppState;
use crate::store::jobs;
use crate::store::sinks;

pub async fn snapshot(state: &AppState) -> Result<String, ServiceError> {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line("# HELP crema_http_responses_total Answers sent, by status class.".into());
    line("# TYPE crema_http_responses_total counter".into());
    for (class, count) in state.requests.snapshot() {
        line(format!("crema_http_responses_total{{class=\"{class}\"}} {count}"));
    }
    let head = state.hub.latest();
    line("# HELP crema_outbox_sequence The last event written to the log.".into());
    line("# TYPE crema_outbox_sequence gauge".into());
    line(format!("crema_outbox_sequence {head}"));

    line("# HELP crema_pin_checks_total PIN verifications run (argon2id).".into());
    line("# TYPE crema_pin_checks_total counter".into());
    line(format!("crema_pin_checks_total {}", state.auth.pins.checks()));
    line(
        "# HELP crema_signin_alert 1 while wrong PINs across the shop are over the budget (every source slowed)."
            .into(),
    );
    line("# TYPE crema_signin_alert gauge".into());
    line(format!("crema_signin_alert {}", u8::from(state.auth.under_alert())));
    line("# HELP crema_board_streams Pickup-board streams open.".into());
    line("# TYPE crema_board_streams gauge".into());
    line(format!("crema_board_streams {}", state.board.watchers()));

    let mut conn = state.store.reader().acquire().await?;
    line("# HELP crema_sink_backlog_events Events after a sink's cursor.".into());
    line("# TYPE crema_sink_backlog_events gauge".into());
    let all = sinks::list(&mut conn).await?;
    for sink in &all {
        line(format!(
            "crema_sink_backlog_events{{sink=\"{}\",kind=\"{}\"}} {}",
            label(&sink.name),
            sink.target.kind(),
            (head - sink.cursor).max(0)
        ));
    }
    line("# HELP crema_sink_consecutive_failures Failed attempts in a row (5 opens the breaker).".into());
    line("# TYPE crema_sink_consecutive_failures gauge".into());
    for sink in &all {
        line(format!(
            "crema_sink_consecutive_failures{{sink=\"{}\"}} {}",
            label(&sink.name),
            sink.consecutive_failures
        ));
    }
    line("# HELP crema_jobs Durable jobs by state (succeeded ones until pruned).".into());
    line("# TYPE crema_jobs gauge".into());
    for (job_state, count) in jobs::count_by_state(&mut conn).await? {
        line(format!("crema_jobs{{state=\"{}\"}} {count}", job_state.as_str()));
    }
    Ok(out)
}

/// A label value with quotes and backslashes escaped.
fn label(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', " ")
}
