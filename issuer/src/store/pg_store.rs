//! The issuer's state in PostgreSQL: for several issuer instances on one database behind a
//! load balancer. A single-use value is taken with `DELETE … RETURNING`, so of two
//! instances taking it at once only one gets a row; status positions come from one counter
//! row incremented in one statement, so no position is handed out twice; a revocation
//! changes the record and the list's bit in one transaction under the list row's lock, so
//! concurrent revocations through different instances cannot undo each other and a list
//! never goes back.
use async_trait::async_trait;
use protocol::status_list::{Status, StatusList};
use regie_ops::postgres::seconds;
use sqlx::{PgPool, Row};

use super::interface::CredentialStore;
use super::pg_schema::{HISTORY, SCHEMA};
use super::records::{CredentialRecord, OfferRecord, RefreshRecord, TokenRecord};
use super::{StatusSlot, StoreError};

/// Connections per instance: requests wait for a free one up to five seconds (then 503).
const MAX_CONNECTIONS: u32 = 16;

/// The issuer's store in PostgreSQL.
pub struct PgStore {
    pub(super) pool: PgPool,
    list_size: u64,
}

pub(super) fn to_text<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|_| StoreError::Corrupt)
}

pub(super) fn from_text<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|_| StoreError::Corrupt)
}

/// A `bigint` read back as seconds or a position; a negative one is damage.
pub(super) fn unsigned(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt)
}

/// The `data` column of an optional row, decoded.
fn data_of<T: serde::de::DeserializeOwned>(
    row: Option<sqlx::postgres::PgRow>,
) -> Result<Option<T>, StoreError> {
    row.map(|row| from_text(row.try_get("data")?)).transpose()
}

impl PgStore {
    /// Connects to `url` and brings the schema up to date (several instances starting at
    /// once migrate it once).
    pub async fn connect(url: &str, list_size: u64) -> Result<PgStore, StoreError> {
        let pool = regie_ops::postgres::connect(url, MAX_CONNECTIONS, SCHEMA, HISTORY)
            .await
            .map_err(StoreError::Connect)?;
        Ok(PgStore {
            pool,
            list_size: list_size.max(2),
        })
    }

    /// The list a record's `status_list` names.
    fn list_number(record: &CredentialRecord) -> Result<i64, StoreError> {
        record
            .status_list
            .parse::<i64>()
            .map_err(|_| StoreError::Corrupt)
    }
}

#[async_trait]
impl CredentialStore for PgStore {
    async fn put_offer(&self, offer: &OfferRecord, code: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO issuer_offers (id, expires_at, data) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET expires_at = $2, data = $3",
        )
        .bind(&offer.id)
        .bind(seconds(offer.expires_at))
        .bind(to_text(offer)?)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO issuer_codes (code, offer_id) VALUES ($1, $2)
             ON CONFLICT (code) DO UPDATE SET offer_id = $2",
        )
        .bind(code)
        .bind(&offer.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn offer(&self, id: &str) -> Result<Option<OfferRecord>, StoreError> {
        let row = sqlx::query("SELECT data FROM issuer_offers WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        data_of(row)
    }

    async fn take_code(&self, code: &str) -> Result<Option<OfferRecord>, StoreError> {
        let row = sqlx::query("DELETE FROM issuer_codes WHERE code = $1 RETURNING offer_id")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let offer_id: String = row.try_get("offer_id")?;
        self.offer(&offer_id).await
    }

    async fn put_token(&self, token: &str, record: &TokenRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO issuer_tokens (token, expires_at, data) VALUES ($1, $2, $3)
             ON CONFLICT (token) DO UPDATE SET expires_at = $2, data = $3",
        )
        .bind(token)
        .bind(seconds(record.expires_at))
        .bind(to_text(record)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn take_token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        let row = sqlx::query("DELETE FROM issuer_tokens WHERE token = $1 RETURNING data")
            .bind(token)
            .fetch_optional(&self.pool)
            .await?;
        data_of(row)
    }

    async fn put_refresh_token(
        &self,
        token: &str,
        record: &RefreshRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO issuer_refresh_tokens (token, expires_at, data) VALUES ($1, $2, $3)
             ON CONFLICT (token) DO UPDATE SET expires_at = $2, data = $3",
        )
        .bind(token)
        .bind(seconds(record.expires_at))
        .bind(to_text(record)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn take_refresh_token(&self, token: &str) -> Result<Option<RefreshRecord>, StoreError> {
        let row = sqlx::query("DELETE FROM issuer_refresh_tokens WHERE token = $1 RETURNING data")
            .bind(token)
            .fetch_optional(&self.pool)
            .await?;
        data_of(row)
    }

    async fn put_nonce(&self, nonce: &str, expires_at: u64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO issuer_nonces (nonce, expires_at) VALUES ($1, $2)
             ON CONFLICT (nonce) DO UPDATE SET expires_at = $2",
        )
        .bind(nonce)
        .bind(seconds(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn take_nonce(&self, nonce: &str) -> Result<Option<u64>, StoreError> {
        let row = sqlx::query("DELETE FROM issuer_nonces WHERE nonce = $1 RETURNING expires_at")
            .bind(nonce)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| unsigned(row.try_get("expires_at")?))
            .transpose()
    }

    async fn allocate_status_slots(&self, count: u64) -> Result<Vec<StatusSlot>, StoreError> {
        let per_list = self.list_size - 1;
        // As on sled: list ids stay below 2^32.
        let limit = per_list
            .saturating_mul(u64::from(u32::MAX))
            .saturating_sub(1);
        let count_db = i64::try_from(count).map_err(|_| StoreError::StatusListFull)?;
        // One statement: the row lock makes concurrent allocations on any instance queue
        // up, each getting its own range.
        let row = sqlx::query(
            "UPDATE issuer_status_counter SET next = next + $1
             WHERE next + $1 <= $2 RETURNING next",
        )
        .bind(count_db)
        .bind(seconds(limit))
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::StatusListFull)?;
        let end = unsigned(row.try_get("next")?)?;
        Ok((end - count..end)
            .map(|position| StatusSlot::at(position, per_list))
            .collect())
    }

    async fn current_list(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT next FROM issuer_status_counter")
            .fetch_one(&self.pool)
            .await?;
        let next = unsigned(row.try_get("next")?)?;
        Ok(next.saturating_sub(1) / (self.list_size - 1) + 1)
    }

    async fn stored_status_list(&self, list: u64) -> Result<Option<StatusList>, StoreError> {
        let row = sqlx::query("SELECT bits FROM issuer_status_lists WHERE list = $1")
            .bind(seconds(list))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            StatusList::from_bytes(1, row.try_get("bits")?).map_err(|_| StoreError::Corrupt)
        })
        .transpose()
    }

    fn list_size(&self) -> u64 {
        self.list_size
    }

    async fn put_credential(&self, record: &CredentialRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO issuer_credentials (id, bsn, data) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET bsn = $2, data = $3",
        )
        .bind(&record.id)
        .bind(&record.bsn)
        .bind(to_text(record)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn record_issued(
        &self,
        records: &[CredentialRecord],
        offer_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for record in records {
            sqlx::query("INSERT INTO issuer_credentials (id, bsn, data) VALUES ($1, $2, $3)")
                .bind(&record.id)
                .bind(&record.bsn)
                .bind(to_text(record)?)
                .execute(&mut *tx)
                .await?;
        }
        let row = sqlx::query("SELECT data FROM issuer_offers WHERE id = $1 FOR UPDATE")
            .bind(offer_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(mut offer) = data_of::<OfferRecord>(row)? {
            offer.collected = true;
            sqlx::query("UPDATE issuer_offers SET data = $2 WHERE id = $1")
                .bind(offer_id)
                .bind(to_text(&offer)?)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn credentials_of(&self, bsn: &str) -> Result<Vec<CredentialRecord>, StoreError> {
        let rows = sqlx::query("SELECT data FROM issuer_credentials WHERE bsn = $1 ORDER BY id")
            .bind(bsn)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|row| from_text(row.try_get("data")?))
            .collect()
    }

    async fn write_revocation(&self, id: &str) -> Result<CredentialRecord, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("SELECT data FROM issuer_credentials WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let mut record: CredentialRecord = data_of(row)?.ok_or(StoreError::UnknownCredential)?;
        record.revoked = true;
        sqlx::query("UPDATE issuer_credentials SET data = $2 WHERE id = $1")
            .bind(id)
            .bind(to_text(&record)?)
            .execute(&mut *tx)
            .await?;
        let list = Self::list_number(&record)?;
        let empty = StatusList::new(1, self.list_size).map_err(|_| StoreError::Corrupt)?;
        sqlx::query(
            "INSERT INTO issuer_status_lists (list, bits) VALUES ($1, $2)
             ON CONFLICT (list) DO NOTHING",
        )
        .bind(list)
        .bind(empty.as_bytes())
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query("SELECT bits FROM issuer_status_lists WHERE list = $1 FOR UPDATE")
            .bind(list)
            .fetch_one(&mut *tx)
            .await?;
        let mut bits =
            StatusList::from_bytes(1, row.try_get("bits")?).map_err(|_| StoreError::Corrupt)?;
        if record.status_idx < bits.len() {
            let _ = bits.set(record.status_idx, Status::Invalid);
            sqlx::query("UPDATE issuer_status_lists SET bits = $2 WHERE list = $1")
                .bind(list)
                .bind(bits.as_bytes())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(record)
    }

    async fn end_grant(&self, grant: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO issuer_ended_grants (grant_id) VALUES ($1) ON CONFLICT DO NOTHING",
        )
        .bind(grant)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn grant_ended(&self, grant: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 AS ended FROM issuer_ended_grants WHERE grant_id = $1")
            .bind(grant)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    async fn purge_expired(&self, now: u64) -> Result<u64, StoreError> {
        let now_db = seconds(now);
        // An offer stays an hour after it expired (see `OFFER_KEPT_AFTER_EXPIRY`).
        let kept = seconds(now).saturating_sub(seconds(super::OFFER_KEPT_AFTER_EXPIRY));
        let mut tx = self.pool.begin().await?;
        let mut removed = 0;
        for (sql, bound) in [
            ("DELETE FROM issuer_offers WHERE expires_at <= $1", kept),
            ("DELETE FROM issuer_tokens WHERE expires_at <= $1", now_db),
            (
                "DELETE FROM issuer_refresh_tokens WHERE expires_at <= $1",
                now_db,
            ),
            ("DELETE FROM issuer_nonces WHERE expires_at <= $1", now_db),
        ] {
            removed += sqlx::query(sql)
                .bind(bound)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        // The codes of removed offers (and of none): they could only lead nowhere.
        removed += sqlx::query(
            "DELETE FROM issuer_codes c
             WHERE NOT EXISTS (SELECT 1 FROM issuer_offers o WHERE o.id = c.offer_id)",
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(removed)
    }

    async fn check_ready(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Every write is committed (and so durable) before it returns.
    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
