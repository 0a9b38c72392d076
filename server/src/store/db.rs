//! One store, two databases: the handle every store function takes, and the values that are
//! kept differently by each.
//!
//! Crema runs on an embedded SQLite file (the default) or on PostgreSQL (a chain, several
//! instances). Store functions keep their domain signatures and take a [`Db`]: a connection
//! to either. Most SQL is written once, in the subset both accept (`$1` placeholders,
//! `ON CONFLICT`, `RETURNING`, `IS NOT DISTINCT FROM`); where the dialects differ, the
//! function says both side by side (see [`on_db!`]). sqlx's `Any` driver is not used: it
//! cannot carry uuids, timestamps or JSON.
//!
//! SQLite keeps ids and times as text (RFC 3339 UTC with microseconds, so text order is time
//! order); PostgreSQL as `uuid` and `timestamptz`. [`Id`] and [`At`] bind and read them as
//! each database wants, so one bind list serves both; [`Fields`] reads a row of either.

use super::StoreError;
use chrono::{DateTime, Utc};
use sqlx::error::BoxDynError;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArgumentBuffer, PgRow, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteRow, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, PgConnection, Postgres, Row, Sqlite, SqliteConnection, Type};
use std::ops::{Deref, DerefMut};
use uuid::Uuid;

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection borrowed from the writer (inside its transaction) or taken from a pool.
pub enum Handle<'c, C, DB: sqlx::Database> {
    Borrowed(&'c mut C),
    Pooled(PoolConnection<DB>),
}

impl<C, DB> Deref for Handle<'_, C, DB>
where
    DB: sqlx::Database<Connection = C>,
{
    type Target = C;
    fn deref(&self) -> &C {
        match self {
            Handle::Borrowed(c) => c,
            Handle::Pooled(p) => p,
        }
    }
}

impl<C, DB> DerefMut for Handle<'_, C, DB>
where
    DB: sqlx::Database<Connection = C>,
{
    fn deref_mut(&mut self) -> &mut C {
        match self {
            Handle::Borrowed(c) => c,
            Handle::Pooled(p) => p,
        }
    }
}

/// A connection to whichever database the store runs on.
pub enum Db<'c> {
    Sqlite(Handle<'c, SqliteConnection, Sqlite>),
    Postgres(Handle<'c, PgConnection, Postgres>),
}

impl<'c> Db<'c> {
    pub fn sqlite(conn: &'c mut SqliteConnection) -> Self {
        Db::Sqlite(Handle::Borrowed(conn))
    }

    pub fn postgres(conn: &'c mut PgConnection) -> Self {
        Db::Postgres(Handle::Borrowed(conn))
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }
}

impl std::fmt::Debug for Db<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.dialect())
    }
}

/// Runs the same code against whichever connection `$db` (a `&mut Db`) holds: `$c` is a
/// `&mut SqliteConnection` in one arm and a `&mut PgConnection` in the other, so one query
/// text and one bind list are compiled for both. `sqlite: … , postgres: …` gives each its own.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            $crate::store::db::Db::Sqlite(handle) => {
                let $c: &mut sqlx::SqliteConnection = &mut **handle;
                $body
            }
            $crate::store::db::Db::Postgres(handle) => {
                let $c: &mut sqlx::PgConnection = &mut **handle;
                $body
            }
        }
    };
    ($db:expr, $c:ident, sqlite: $sqlite:expr, postgres: $postgres:expr) => {
        match $db {
            $crate::store::db::Db::Sqlite(handle) => {
                let $c: &mut sqlx::SqliteConnection = &mut **handle;
                $sqlite
            }
            $crate::store::db::Db::Postgres(handle) => {
                let $c: &mut sqlx::PgConnection = &mut **handle;
                $postgres
            }
        }
    };
}
pub use on_db;

/// An id as each database keeps it: text in SQLite, `uuid` in PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Id(pub Uuid);

/// A time as each database keeps it: RFC 3339 text in SQLite, `timestamptz` in PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At(pub DateTime<Utc>);

impl Type<Sqlite> for Id {
    fn type_info() -> SqliteTypeInfo {
        <str as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <str as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for Id {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<sqlx::encode::IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(self.0.to_string(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Id {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(Id(Uuid::parse_str(text).map_err(|e| format!("not a UUID: {text:?}: {e}"))?))
    }
}

impl Type<Postgres> for Id {
    fn type_info() -> PgTypeInfo {
        <Uuid as Type<Postgres>>::type_info()
    }
}

impl<'q> Encode<'q, Postgres> for Id {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<sqlx::encode::IsNull, BoxDynError> {
        <Uuid as Encode<'q, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Id {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Id(<Uuid as Decode<Postgres>>::decode(value)?))
    }
}

impl sqlx::postgres::PgHasArrayType for Id {
    fn array_type_info() -> PgTypeInfo {
        <Uuid as sqlx::postgres::PgHasArrayType>::array_type_info()
    }
}

impl Type<Sqlite> for At {
    fn type_info() -> SqliteTypeInfo {
        <str as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <str as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for At {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<sqlx::encode::IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(super::time::to_text(self.0), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for At {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(At(super::time::from_text(text)?))
    }
}

impl Type<Postgres> for At {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }
}

impl<'q> Encode<'q, Postgres> for At {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<sqlx::encode::IsNull, BoxDynError> {
        <DateTime<Utc> as Encode<'q, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for At {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(At(<DateTime<Utc> as Decode<Postgres>>::decode(value)?))
    }
}

/// A set of ids bound as one value: a JSON array for SQLite's `json_each($n)`, a `uuid[]` for
/// PostgreSQL's `= ANY($n)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdList(pub Vec<Uuid>);

impl Type<Sqlite> for IdList {
    fn type_info() -> SqliteTypeInfo {
        <str as Type<Sqlite>>::type_info()
    }
}

impl<'q> Encode<'q, Sqlite> for IdList {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<sqlx::encode::IsNull, BoxDynError> {
        let ids: Vec<String> = self.0.iter().map(Uuid::to_string).collect();
        <String as Encode<'q, Sqlite>>::encode(serde_json::to_string(&ids)?, buf)
    }
}

impl Type<Postgres> for IdList {
    fn type_info() -> PgTypeInfo {
        <Vec<Uuid> as Type<Postgres>>::type_info()
    }
}

impl<'q> Encode<'q, Postgres> for IdList {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<sqlx::encode::IsNull, BoxDynError> {
        <Vec<Uuid> as Encode<'q, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

/// A value both databases can decode.
pub trait Column: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> {}
impl<T> Column for T where T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> {}

/// A row read from either database.
pub enum Record {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl From<SqliteRow> for Record {
    fn from(row: SqliteRow) -> Self {
        Record::Sqlite(row)
    }
}

impl From<PgRow> for Record {
    fn from(row: PgRow) -> Self {
        Record::Postgres(row)
    }
}

impl Record {
    /// A column by name, as `T`.
    pub fn try_get<T: Column, I: AsRef<str>>(&self, name: I) -> Result<T, sqlx::Error> {
        match self {
            Record::Sqlite(row) => row.try_get(name.as_ref()),
            Record::Postgres(row) => row.try_get(name.as_ref()),
        }
    }

    pub fn uuid(&self, name: &str) -> Result<Uuid, StoreError> {
        Ok(self.try_get::<Id, _>(name).map_err(|e| StoreError::corrupt(format!("{name}: {e}")))?.0)
    }

    pub fn opt_uuid(&self, name: &str) -> Result<Option<Uuid>, StoreError> {
        Ok(self.try_get::<Option<Id>, _>(name).map_err(|e| StoreError::corrupt(format!("{name}: {e}")))?.map(|id| id.0))
    }

    pub fn time(&self, name: &str) -> Result<DateTime<Utc>, StoreError> {
        Ok(self.try_get::<At, _>(name).map_err(|e| StoreError::corrupt(format!("{name}: {e}")))?.0)
    }

    pub fn opt_time(&self, name: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.try_get::<Option<At>, _>(name).map_err(|e| StoreError::corrupt(format!("{name}: {e}")))?.map(|at| at.0))
    }

    /// A time column as SQLite keeps it (its stored text; PostgreSQL's value written the same
    /// way), for what hashes the stored form.
    pub fn time_text(&self, name: &str) -> Result<String, StoreError> {
        match self {
            Record::Sqlite(row) => Ok(row.try_get(name)?),
            Record::Postgres(_) => Ok(super::time::to_text(self.time(name)?)),
        }
    }

    /// An id column as SQLite keeps it (see [`Record::time_text`]).
    pub fn uuid_text(&self, name: &str) -> Result<Option<String>, StoreError> {
        match self {
            Record::Sqlite(row) => Ok(row.try_get(name)?),
            Record::Postgres(_) => Ok(self.opt_uuid(name)?.map(|id| id.to_string())),
        }
    }

    /// A JSON document (text in SQLite, `jsonb` in PostgreSQL).
    pub fn json<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, StoreError> {
        let sqlx::types::Json(value) = self
            .try_get::<sqlx::types::Json<serde_json::Value>, _>(name)
            .map_err(|e| StoreError::corrupt(format!("{name}: {e}")))?;
        serde_json::from_value(value).map_err(|e| StoreError::corrupt(format!("{name}: {e}")))
    }
}

/// `sqlx::query(…)…` run on `$db` (a `&mut Db`) for the rows it touched.
#[macro_export]
macro_rules! exec {
    ($db:expr, $query:expr) => {
        $crate::store::db::on_db!(&mut *$db, c => $query.execute(&mut *c).await.map(|done| done.rows_affected()))
    };
}
pub use exec;

/// `sqlx::query(…)…` run on `$db` for every row, as [`Record`]s.
#[macro_export]
macro_rules! fetch_all {
    ($db:expr, $query:expr) => {
        $crate::store::db::on_db!(&mut *$db, c => $query
            .fetch_all(&mut *c)
            .await
            .map(|rows| rows.into_iter().map($crate::store::db::Record::from).collect::<Vec<_>>()))
    };
}
pub use fetch_all;

/// `sqlx::query(…)…` run on `$db` for at most one row.
#[macro_export]
macro_rules! fetch_optional {
    ($db:expr, $query:expr) => {
        $crate::store::db::on_db!(&mut *$db, c => $query
            .fetch_optional(&mut *c)
            .await
            .map(|row| row.map($crate::store::db::Record::from)))
    };
}
pub use fetch_optional;

/// `sqlx::query(…)…` run on `$db` for exactly one row.
#[macro_export]
macro_rules! fetch_one {
    ($db:expr, $query:expr) => {
        $crate::store::db::on_db!(&mut *$db, c => $query.fetch_one(&mut *c).await.map($crate::store::db::Record::from))
    };
}
pub use fetch_one;

/// `sqlx::query_scalar(…)…` or `sqlx::query_as(…)…` run on `$db` with `$method`
/// (`fetch_one`, `fetch_optional`, `fetch_all`): the values are the same type on both.
#[macro_export]
macro_rules! fetch_value {
    ($db:expr, $query:expr, $method:ident) => {
        $crate::store::db::on_db!(&mut *$db, c => $query.$method(&mut *c).await)
    };
}
pub use fetch_value;
