//! Each print job's attempt at its printer (see `service/receipts/print.rs`): written before
//! the first byte goes out, so a job run again after a crash or a broken connection knows the
//! printer may already have printed and does not print a second time.

use super::db::{exec, fetch_value, At, Db, Id};
use super::StoreError;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Where a job's attempt got to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Printout {
    /// The printer answered and bytes were about to go out (or went, unrecorded).
    Sending,
    /// Every byte went out.
    Printed,
    /// A later run found it `Sending`: it may or may not be on paper.
    Uncertain,
}

impl Printout {
    fn parse(s: &str) -> Option<Printout> {
        match s {
            "sending" => Some(Printout::Sending),
            "printed" => Some(Printout::Printed),
            "uncertain" => Some(Printout::Uncertain),
            _ => None,
        }
    }
}

/// The attempt of job `job_id`, if it ever reached a printer.
pub async fn find(db: &mut Db<'_>, job_id: Uuid) -> Result<Option<Printout>, StoreError> {
    let state: Option<String> = fetch_value!(
        db,
        sqlx::query_scalar("SELECT state FROM printouts WHERE job_id = $1").bind(Id(job_id)),
        fetch_optional
    )?;
    state.map(|s| Printout::parse(&s).ok_or_else(|| StoreError::corrupt("printout state"))).transpose()
}

/// Records that job `job_id` is about to send `order_id`'s receipt to `printer`. Fails if
/// the job already has an attempt (the caller looked first, inside the same write).
pub async fn begin(
    conn: &mut Db<'_>,
    job_id: Uuid,
    order_id: Uuid,
    printer: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "INSERT INTO printouts (job_id, order_id, printer, state, started_at) VALUES ($1, $2, $3, 'sending', $4)",
        )
        .bind(Id(job_id))
        .bind(Id(order_id))
        .bind(printer)
        .bind(At(at))
    )?;
    Ok(())
}

/// Records how job `job_id`'s attempt ended.
pub async fn finish(conn: &mut Db<'_>, job_id: Uuid, outcome: Printout, at: DateTime<Utc>) -> Result<(), StoreError> {
    let state = match outcome {
        Printout::Sending => "sending",
        Printout::Printed => "printed",
        Printout::Uncertain => "uncertain",
    };
    exec!(
        conn,
        sqlx::query("UPDATE printouts SET state = $1, finished_at = $2 WHERE job_id = $3 AND state = 'sending'")
            .bind(state)
            .bind(At(at))
            .bind(Id(job_id))
    )?;
    Ok(())
}
