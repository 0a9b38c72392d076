//! `/metrics` in the Prometheus text format: what an operator watches — answers by status
//! class, the head of the event log, each sink's backlog and breaker, and jobs by state.

use super::ServiceError;
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
