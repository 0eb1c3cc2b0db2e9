//! Sessions in PostgreSQL: for several verifier instances on one database behind a load
//! balancer. A session created through one instance is fetched, answered and read through
//! any other; a change of an open session takes the row's lock (`FOR UPDATE`), so two
//! answers arriving at two instances cannot both win.
//!
//! The session is kept as the same JSON text the sled store keeps (`text`, not `jsonb`, which
//! would reorder the verified claims); its identifiers, state and expiry are columns as well,
//! for the lookups, the metrics and the clean-up.
use std::collections::BTreeMap;

use sqlx::{PgPool, Row};

use super::{Session, SessionError, SessionStatus, SessionStore};
use regie_ops::postgres::{seconds, SchemaStep};

/// The verifier's schema, step by step. A released step is never changed: a new one is added.
const SCHEMA: &[SchemaStep] = &[SchemaStep {
    version: 1,
    description: "sessions",
    sql: "CREATE TABLE verifier_sessions (
              id          text PRIMARY KEY,
              request_ref text NOT NULL UNIQUE,
              status      text NOT NULL,
              expires_at  bigint NOT NULL,
              data        text NOT NULL
          );
          CREATE INDEX verifier_sessions_expires_at ON verifier_sessions (expires_at);",
}];

/// Connections per instance: requests wait for a free one up to five seconds (then 503).
const MAX_CONNECTIONS: u32 = 16;

/// The session store in PostgreSQL.
pub struct PgSessions {
    pool: PgPool,
}

impl PgSessions {
    /// Connects to `url` and brings the schema up to date (several instances starting at
    /// once migrate it once).
    pub async fn connect(url: &str) -> Result<PgSessions, SessionError> {
        let pool =
            regie_ops::postgres::connect(url, MAX_CONNECTIONS, SCHEMA, "verifier_schema_history")
                .await
                .map_err(SessionError::Connect)?;
        Ok(PgSessions { pool })
    }
}

fn to_text(session: &Session) -> Result<String, SessionError> {
    serde_json::to_string(session).map_err(|_| SessionError::Damaged)
}

fn from_text(text: &str) -> Result<Session, SessionError> {
    serde_json::from_str(text).map_err(|_| SessionError::Damaged)
}

#[async_trait::async_trait]
impl SessionStore for PgSessions {
    async fn insert(&self, session: &Session) -> Result<(), SessionError> {
        sqlx::query(
            "INSERT INTO verifier_sessions (id, request_ref, status, expires_at, data)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.id)
        .bind(&session.request_ref)
        .bind(session.status.code())
        .bind(seconds(session.expires_at))
        .bind(to_text(session)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Session, SessionError> {
        let row = sqlx::query("SELECT data FROM verifier_sessions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(SessionError::Unknown)?;
        from_text(row.try_get("data")?)
    }

    async fn get_by_ref(&self, request_ref: &str) -> Result<Session, SessionError> {
        if request_ref.is_empty() {
            return Err(SessionError::Unknown);
        }
        let row = sqlx::query("SELECT data FROM verifier_sessions WHERE request_ref = $1")
            .bind(request_ref)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(SessionError::Unknown)?;
        from_text(row.try_get("data")?)
    }

    async fn update_open(
        &self,
        id: &str,
        now: u64,
        change: &(dyn for<'s> Fn(&'s mut Session) + Send + Sync),
    ) -> Result<Session, SessionError> {
        let mut tx = self.pool.begin().await?;
        // The row stays locked until the commit: another instance's change of this session
        // waits here and then sees this one's result.
        let row = sqlx::query("SELECT data FROM verifier_sessions WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(SessionError::Unknown)?;
        let mut session = from_text(row.try_get("data")?)?;
        if !session.status_at(now).open() {
            return Err(SessionError::Closed);
        }
        change(&mut session);
        sqlx::query(
            "UPDATE verifier_sessions SET status = $2, expires_at = $3, data = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(session.status.code())
        .bind(seconds(session.expires_at))
        .bind(to_text(&session)?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(session)
    }

    async fn count_by_state(&self, now: u64) -> Result<BTreeMap<&'static str, u64>, SessionError> {
        // An open session past its time counts as expired, as `Session::status_at` says.
        let rows = sqlx::query(
            "SELECT CASE WHEN status IN ('pending', 'retrieved') AND expires_at <= $1
                         THEN 'expired' ELSE status END AS state,
                    count(*) AS n
             FROM verifier_sessions GROUP BY 1",
        )
        .bind(seconds(now))
        .fetch_all(&self.pool)
        .await?;
        let mut counts = BTreeMap::new();
        for row in rows {
            let state: String = row.try_get("state")?;
            let n: i64 = row.try_get("n")?;
            let code = state_code(&state).ok_or(SessionError::Damaged)?;
            counts.insert(code, u64::try_from(n).unwrap_or(0));
        }
        Ok(counts)
    }

    async fn purge(&self, now: u64, keep: u64) -> Result<u64, SessionError> {
        let done = sqlx::query("DELETE FROM verifier_sessions WHERE expires_at <= $1")
            .bind(seconds(now.saturating_sub(keep)))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn check_ready(&self) -> Result<(), SessionError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// The state code as the API writes it, for a code read back from the database.
fn state_code(code: &str) -> Option<&'static str> {
    SessionStatus::ALL
        .into_iter()
        .map(SessionStatus::code)
        .find(|known| *known == code)
}
