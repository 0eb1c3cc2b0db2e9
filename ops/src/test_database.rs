//! A fresh, empty PostgreSQL database for each test, in the throwaway cluster that
//! `scripts/pg-cluster.sh` starts (the README's test command starts one for the whole run).
//!
//! Only built with the `test-database` feature, which only the services' tests enable.
use sqlx::{Connection, PgConnection};

/// The variable naming the throwaway cluster's admin database.
pub const ADMIN_URL_VAR: &str = "REGIE_TEST_POSTGRES";

/// Creates a new database and returns its URL. Fails with what to do when no cluster was
/// started: a PostgreSQL test never passes without PostgreSQL.
pub async fn fresh() -> String {
    let admin = std::env::var(ADMIN_URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{ADMIN_URL_VAR} is not set: PostgreSQL tests need a cluster; run ./scripts/test.sh, \
             or `eval \"$(scripts/pg-cluster.sh start /tmp/regie-pg)\"` first"
        )
    });
    let name = format!("regie_test_{}", unique_suffix());
    let mut connection = PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test cluster ({ADMIN_URL_VAR}): {e}"));
    // The name is ours (letters, digits, underscores), not input.
    let create = format!("CREATE DATABASE {name} TEMPLATE template0");
    sqlx::raw_sql(sqlx::AssertSqlSafe(create))
        .execute(&mut connection)
        .await
        .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
    connection.close().await.ok();
    with_database(&admin, &name)
}

/// `admin` with its database name replaced by `name` (the query, e.g. `host=` for a socket
/// directory, is kept).
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut url = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// Process id, time and a counter: unique across the test processes nextest runs at once.
fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_and_the_socket_kept() {
        assert_eq!(
            with_database("postgres://postgres@%2Ftmp%2Fpg/postgres", "t1"),
            "postgres://postgres@%2Ftmp%2Fpg/t1"
        );
        assert_eq!(
            with_database("postgres://postgres@/postgres?host=/tmp/pg", "t1"),
            "postgres://postgres@/t1?host=/tmp/pg"
        );
        assert_eq!(
            with_database("postgres://u@localhost:5432", "t1"),
            "postgres://u@localhost:5432/t1"
        );
    }
}
