//! Connecting a service to PostgreSQL the same way in both services: a pool, and the
//! service's schema migrated at start.
//!
//! Migrations are embedded in the binary (no files to ship) and run under sqlx's advisory
//! lock, so several instances starting together migrate once and the others wait for it.
use std::borrow::Cow;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, SqlSafeStr};

/// One step of a service's schema: its version (1, 2, …), a description and its SQL.
pub struct SchemaStep {
    pub version: i64,
    pub description: &'static str,
    pub sql: &'static str,
}

/// How long a request waits for a free connection before it is answered 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The URL does not parse. The URL itself is not repeated: it may hold a password.
    #[error("the database URL is not a valid postgres:// URL: {0}")]
    Url(String),
    #[error("cannot reach the database: {0}")]
    Connect(sqlx::Error),
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(sqlx::migrate::MigrateError),
}

/// Whether `url` names PostgreSQL (`postgres://` or `postgresql://`).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// For a command line's `--database-url`: only PostgreSQL URLs, so that a typo does not fall
/// back to the embedded store.
pub fn parse_database_url(url: &str) -> Result<String, String> {
    if is_postgres_url(url) {
        Ok(url.to_owned())
    } else {
        Err("expected a postgres:// URL".into())
    }
}

/// Connects to `url` with up to `max_connections`, and applies `schema`'s steps that the
/// database does not have yet, recording them in the table `history` (one per service, so
/// the issuer and the verifier may share a database). A database whose applied steps
/// differ from `schema` (a step changed after release) is refused rather than guessed at.
pub async fn connect(
    url: &str,
    max_connections: u32,
    schema: &[SchemaStep],
    history: &'static str,
) -> Result<PgPool, PgError> {
    let options: PgConnectOptions = url
        .parse()
        .map_err(|e: sqlx::Error| PgError::Url(without_url(&e.to_string())))?;
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(PgError::Connect)?;
    let migrations = schema
        .iter()
        .map(|step| {
            Migration::new(
                step.version,
                Cow::Borrowed(step.description),
                MigrationType::Simple,
                step.sql.into_sql_str(),
                false,
            )
        })
        .collect();
    let mut migrator = Migrator::with_migrations(migrations);
    migrator.dangerous_set_table_name(history);
    migrator.run(&pool).await.map_err(PgError::Migrate)?;
    Ok(pool)
}

/// sqlx's URL errors may quote the URL; only the first clause is kept.
fn without_url(message: &str) -> String {
    message
        .split(['\'', '"', '`'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Whether `e` means the database could not be reached (down, restarting, no connection free
/// in time) rather than that a statement was wrong: such requests are answered 503.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Tls(_)
    )
}

/// Seconds as PostgreSQL's `bigint`; times past its range are clamped, not wrapped.
pub fn seconds(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}
