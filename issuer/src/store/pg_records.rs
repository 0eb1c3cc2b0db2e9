//! Consent cases, the portal's logins and correction requests, and life events in
//! PostgreSQL.
use async_trait::async_trait;
use regie_ops::postgres::seconds;
use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Row};

use super::interface::{CaseLock, CaseRecords, LifeEventRecords, PortalRecords};
use super::pg_store::{from_text, to_text, unsigned, PgStore};
use super::records::{CaseRow, CaseSessionRow, CorrectionRow, Login, LoginAttemptRow};
use super::StoreError;

/// The `data` column of every row.
fn texts(rows: Vec<sqlx::postgres::PgRow>) -> Result<Vec<String>, StoreError> {
    rows.into_iter()
        .map(|row| Ok(row.try_get("data")?))
        .collect()
}

fn text(row: Option<sqlx::postgres::PgRow>) -> Result<Option<String>, StoreError> {
    row.map(|row| Ok(row.try_get("data")?)).transpose()
}

/// A connection holding a case's advisory lock. The lock is the session's, so the
/// connection is closed rather than returned to the pool: closing releases it, also when the
/// request ends early.
struct HeldLock(Option<PoolConnection<Postgres>>);

impl Drop for HeldLock {
    fn drop(&mut self) {
        if let Some(connection) = self.0.take() {
            drop(connection.detach());
        }
    }
}

#[async_trait]
impl CaseRecords for PgStore {
    async fn lock_case(&self, case_ref: &str) -> Result<CaseLock, StoreError> {
        let mut connection = self.pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock(hashtextextended('issuer_case:' || $1, 0))")
            .bind(case_ref)
            .execute(&mut *connection)
            .await?;
        Ok(CaseLock::new(HeldLock(Some(connection))))
    }

    async fn insert_case(&self, case: &CaseRow<'_>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO issuer_cases (case_ref, subject_bsn, token_key, created_at, data)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(case.case_ref)
        .bind(case.subject_bsn)
        .bind(case.token_key)
        .bind(seconds(case.created_at))
        .bind(case.json)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn update_case(
        &self,
        case_ref: &str,
        json: &str,
        sessions: &[CaseSessionRow<'_>],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE issuer_cases SET data = $2 WHERE case_ref = $1")
            .bind(case_ref)
            .bind(json)
            .execute(&mut *tx)
            .await?;
        for session in sessions {
            let statement = if session.settled {
                sqlx::query("DELETE FROM issuer_case_open_sessions WHERE session_id = $1")
                    .bind(session.session_id)
            } else {
                sqlx::query(
                    "INSERT INTO issuer_case_open_sessions (session_id, case_ref) VALUES ($1, $2)
                     ON CONFLICT (session_id) DO UPDATE SET case_ref = $2",
                )
                .bind(session.session_id)
                .bind(case_ref)
            };
            statement.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn case(&self, case_ref: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT data FROM issuer_cases WHERE case_ref = $1")
            .bind(case_ref)
            .fetch_optional(&self.pool)
            .await?;
        text(row)
    }

    async fn case_by_token(&self, token_key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT data FROM issuer_cases WHERE token_key = $1")
            .bind(token_key)
            .fetch_optional(&self.pool)
            .await?;
        text(row)
    }

    async fn cases_about(&self, bsn: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT data FROM issuer_cases WHERE subject_bsn = $1")
            .bind(bsn)
            .fetch_all(&self.pool)
            .await?;
        texts(rows)
    }

    async fn all_cases(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT data FROM issuer_cases")
            .fetch_all(&self.pool)
            .await?;
        texts(rows)
    }

    async fn cases_with_open_sessions(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT case_ref FROM issuer_case_open_sessions ORDER BY case_ref",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Ok(row.try_get("case_ref")?))
            .collect()
    }
}

#[async_trait]
impl PortalRecords for PgStore {
    async fn put_login(&self, key: &str, login: &Login) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO issuer_logins (key, expires_at, data) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET expires_at = $2, data = $3",
        )
        .bind(key)
        .bind(seconds(login.expires_at))
        .bind(to_text(login)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn login(&self, key: &str) -> Result<Option<Login>, StoreError> {
        let row = sqlx::query("SELECT data FROM issuer_logins WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        text(row)?.map(|json| from_text(&json)).transpose()
    }

    async fn remove_login(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM issuer_logins WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn put_clerk(&self, key: &str, expires_at: u64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO issuer_clerk_logins (key, expires_at) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET expires_at = $2",
        )
        .bind(key)
        .bind(seconds(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn clerk_expiry(&self, key: &str) -> Result<Option<u64>, StoreError> {
        let row = sqlx::query("SELECT expires_at FROM issuer_clerk_logins WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| unsigned(row.try_get("expires_at")?))
            .transpose()
    }

    async fn remove_clerk(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM issuer_clerk_logins WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn put_login_attempt(&self, key: &str, row: &LoginAttemptRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO issuer_login_attempts (key, expires_at, data) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET expires_at = $2, data = $3",
        )
        .bind(key)
        .bind(seconds(row.expires_at))
        .bind(&row.data)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn take_login_attempt(&self, key: &str) -> Result<Option<LoginAttemptRow>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM issuer_login_attempts WHERE key = $1 RETURNING expires_at, data",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(LoginAttemptRow {
                expires_at: unsigned(row.try_get("expires_at")?)?,
                data: row.try_get("data")?,
            })
        })
        .transpose()
    }

    async fn purge_logins(&self, now: u64) -> Result<u64, StoreError> {
        let mut removed = 0;
        for sql in [
            "DELETE FROM issuer_logins WHERE expires_at <= $1",
            "DELETE FROM issuer_clerk_logins WHERE expires_at <= $1",
            "DELETE FROM issuer_login_attempts WHERE expires_at <= $1",
        ] {
            removed += sqlx::query(sql)
                .bind(seconds(now))
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        Ok(removed)
    }

    async fn put_correction(&self, correction: &CorrectionRow<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO issuer_corrections (id, bsn, created_at, data) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET data = $4",
        )
        .bind(correction.id)
        .bind(correction.bsn)
        .bind(seconds(correction.created_at))
        .bind(correction.json)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn correction(&self, id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT data FROM issuer_corrections WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        text(row)
    }

    async fn corrections(&self, bsn: Option<&str>) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT data FROM issuer_corrections WHERE $1::text IS NULL OR bsn = $1")
                .bind(bsn)
                .fetch_all(&self.pool)
                .await?;
        texts(rows)
    }
}

#[async_trait]
impl LifeEventRecords for PgStore {
    async fn append_life_event(&self, json: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO issuer_life_events (data) VALUES ($1)")
            .bind(json)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn life_events(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT data FROM issuer_life_events ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        texts(rows)
    }
}
