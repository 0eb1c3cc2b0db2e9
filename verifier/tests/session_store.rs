//! The one session store interface, held to the same promises by both stores: sled in a data
//! directory and PostgreSQL. A session is found by either identifier, an open session is
//! closed by exactly one of many racing answers (in PostgreSQL also when they come through
//! different instances' connections), a closed one never changes, and the clean-up removes
//! only what is past its time.
mod common;

use common::{fresh_database, TempDir};
use regie_verifier::sessions::{
    PgSessions, Session, SessionError, SessionStatus, SessionStore, Sessions, SledSessions,
};
use serde_json::json;

const NOW: u64 = 1_900_000_000;

fn session(id: &str, expires_at: u64) -> Session {
    Session {
        id: id.into(),
        request_ref: format!("ref-{id}"),
        party_id: "woonstichting".into(),
        purpose: "Huurwoning".into(),
        dcql_query: json!({"credentials": []}),
        transaction_data: vec![],
        nonce: format!("nonce-{id}"),
        created_at: NOW - 10,
        expires_at,
        status: SessionStatus::Pending,
        reason: None,
        claims: None,
        presentations: None,
        answered_at: None,
        request_object: None,
        refused_answers: 0,
        viewer_digest: None,
    }
}

/// Two handles on one store: for sled the same store twice (one process holds its files),
/// for PostgreSQL two pools, as two instances have.
async fn stores(postgres: bool, dir: &TempDir) -> (Sessions, Sessions) {
    if postgres {
        let url = fresh_database().await;
        let a = PgSessions::connect(&url).await.unwrap();
        let b = PgSessions::connect(&url).await.unwrap();
        (Box::new(a), Box::new(b))
    } else {
        let store = SledSessions::open(&dir.0.join("sessions")).unwrap();
        (Box::new(store.clone()), Box::new(store))
    }
}

async fn found_by_either_identifier(postgres: bool) {
    let dir = TempDir::new("store");
    let (a, b) = stores(postgres, &dir).await;
    let mut s = session("s1", NOW + 600);
    s.claims = Some(json!({"woon": {"family_name": "Moulin", "addresses": [{"a": 1}, {"b": 2}]}}));
    a.insert(&s).await.unwrap();
    assert_eq!(
        b.get("s1").await.unwrap(),
        s,
        "stored as given, claims in order"
    );
    assert_eq!(b.get_by_ref("ref-s1").await.unwrap(), s);
    for missing in [
        b.get("s2").await,
        b.get_by_ref("s1").await,
        b.get_by_ref("").await,
    ] {
        assert!(matches!(missing, Err(SessionError::Unknown)), "{missing:?}");
    }
    // A second session with the same wallet-facing reference is refused, not merged.
    let mut clash = session("s3", NOW + 600);
    clash.request_ref = "ref-s1".into();
    if postgres {
        assert!(a.insert(&clash).await.is_err());
        assert!(matches!(a.get("s3").await, Err(SessionError::Unknown)));
    }
    b.check_ready().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn sled_finds_a_session_by_either_identifier() {
    found_by_either_identifier(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_finds_a_session_by_either_identifier() {
    found_by_either_identifier(true).await;
}

async fn one_of_many_racing_answers_wins(postgres: bool) {
    let dir = TempDir::new("store");
    let (a, b) = stores(postgres, &dir).await;
    let a: std::sync::Arc<Sessions> = std::sync::Arc::new(a);
    let b: std::sync::Arc<Sessions> = std::sync::Arc::new(b);
    a.insert(&session("race", NOW + 600)).await.unwrap();
    let mut answers = Vec::new();
    for n in 0..16u32 {
        let store = if n % 2 == 0 { a.clone() } else { b.clone() };
        answers.push(tokio::spawn(async move {
            store
                .update_open("race", NOW, &|s| {
                    s.status = SessionStatus::Done;
                    s.claims = Some(json!({"answer": n}));
                })
                .await
        }));
    }
    let mut won = Vec::new();
    for answer in answers {
        match answer.await.unwrap() {
            Ok(s) => won.push(s),
            Err(SessionError::Closed) => {}
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one answer closes the session");
    let stored = b.get("race").await.unwrap();
    assert_eq!(
        stored.claims, won[0].claims,
        "the winner's answer is what is kept"
    );

    // Finished stays finished; expired cannot be answered either.
    let late = a
        .update_open("race", NOW, &|s| s.status = SessionStatus::Failed)
        .await;
    assert!(matches!(late, Err(SessionError::Closed)), "{late:?}");
    a.insert(&session("old", NOW)).await.unwrap();
    let expired = b
        .update_open("old", NOW, &|s| s.status = SessionStatus::Done)
        .await;
    assert!(matches!(expired, Err(SessionError::Closed)), "{expired:?}");
    assert_eq!(a.get("old").await.unwrap().status, SessionStatus::Pending);
}

#[tokio::test(flavor = "multi_thread")]
async fn sled_lets_one_of_many_racing_answers_win() {
    one_of_many_racing_answers_wins(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_lets_one_of_many_racing_answers_win_across_instances() {
    one_of_many_racing_answers_wins(true).await;
}

async fn counted_and_removed_by_time(postgres: bool) {
    let dir = TempDir::new("store");
    let (a, b) = stores(postgres, &dir).await;
    a.insert(&session("open", NOW + 600)).await.unwrap();
    a.insert(&session("ran-out", NOW - 1)).await.unwrap();
    a.insert(&session("long-gone", NOW - 5000)).await.unwrap();
    a.insert(&session("answered", NOW + 600)).await.unwrap();
    a.update_open("answered", NOW, &|s| s.status = SessionStatus::Done)
        .await
        .unwrap();
    let counts = b.count_by_state(NOW).await.unwrap();
    assert_eq!(counts.get("pending"), Some(&1));
    assert_eq!(
        counts.get("expired"),
        Some(&2),
        "open past its time counts as expired"
    );
    assert_eq!(counts.get("done"), Some(&1));

    // Kept for an hour after its time: only the session that ended over an hour ago goes.
    assert_eq!(b.purge(NOW, 3600).await.unwrap(), 1);
    assert!(matches!(
        a.get("long-gone").await,
        Err(SessionError::Unknown)
    ));
    assert!(matches!(
        a.get_by_ref("ref-long-gone").await,
        Err(SessionError::Unknown)
    ));
    assert_eq!(a.get("ran-out").await.unwrap().id, "ran-out");
    assert_eq!(b.purge(NOW, 3600).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn sled_counts_sessions_and_removes_them_by_time() {
    counted_and_removed_by_time(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_counts_sessions_and_removes_them_by_time() {
    counted_and_removed_by_time(true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn instances_starting_together_migrate_the_schema_once() {
    let url = fresh_database().await;
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { PgSessions::connect(&url).await })
        })
        .collect();
    let mut stores = Vec::new();
    for start in starts {
        stores.push(start.await.unwrap().expect("every instance starts"));
    }
    stores[0].insert(&session("one", NOW + 600)).await.unwrap();
    assert_eq!(stores[3].get("one").await.unwrap().id, "one");
    // A restart finds the schema in place and the session still there.
    drop(stores);
    let again = PgSessions::connect(&url).await.unwrap();
    assert_eq!(again.get_by_ref("ref-one").await.unwrap().id, "one");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_database_is_a_clear_error_without_the_password() {
    let dir = TempDir::new("nodb");
    let url = format!(
        "postgres://regie:geheim-wachtwoord@{}/regie",
        dir.0.display().to_string().replace('/', "%2F")
    );
    let e = PgSessions::connect(&url)
        .await
        .err()
        .expect("no database there");
    let message = e.to_string();
    assert!(message.contains("cannot reach the database"), "{message}");
    assert!(!message.contains("geheim"), "{message}");
}
