//! `kill -9` of the real `regie-verifier serve` while many sessions are answered at once,
//! then a restart on the same data directory (issue 14, faults): no session is lost after
//! it was answered (its verified answer still reads through the API), none is answered
//! twice (the same answer, or a fresh one, for an answered session is refused after the
//! restart), and a request's nonce cannot be used for another session. Sessions created
//! before the kill are all still there. The issuer runs in this process (it is not what is
//! killed); the verifier is the real binary with a real sled directory.
mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::load::{
    create_session, post_answer, post_form, prepare_answer, presentation, read_session, Answer,
    PERSONS,
};
use common::process::{free_port, Service, PROCESS_ADMIN};
use common::vci_client::collect;
use common::*;
use protocol::jose::SigningKey;
use protocol::oid4vp::AuthorizationResponse;
use regie_issuer::person::FixtureSource;
use regie_issuer::routes::router;
use regie_issuer::service::{Issuer, SystemClock};

/// Sessions answered at the same time.
const CONCURRENT: usize = 16;
/// Answers acknowledged before the kill.
const ANSWERED_BEFORE_KILL: usize = 60;

type Credential = ((String, SigningKey), &'static str);

/// The issuer in this process, on a real port: (URL, key).
async fn start_issuer(dir: &std::path::Path) -> (String, SigningKey) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let key = SigningKey::generate().with_kid("test-issuer");
    let issuer = Arc::new(Issuer {
        public_url: url.clone(),
        key: key.clone(),
        store: regie_issuer::store::Store::open(&dir.join("issuer")).unwrap(),
        persons: Arc::new(FixtureSource::embedded().unwrap()),
        admin_token: PROCESS_ADMIN.into(),
        batch_size: 3,
        clock: Arc::new(SystemClock),
    });
    tokio::spawn(async move { axum::serve(listener, router(issuer)).await.unwrap() });
    (url, key)
}

/// What the load saw: sessions created, and those whose answer was acknowledged (200).
#[derive(Default)]
struct Seen {
    created: Vec<String>,
    answered: HashMap<String, (Answer, usize)>,
}

/// Kills the verifier the moment the `at`-th answer is acknowledged, from the task that
/// received the acknowledgement: right after a response, where a missing flush would lose
/// the answer.
struct Killer {
    verifier: Mutex<Service>,
    at: usize,
    acknowledged: AtomicUsize,
}

impl Killer {
    fn acknowledged(&self) {
        if self.acknowledged.fetch_add(1, Ordering::SeqCst) + 1 == self.at {
            self.verifier.lock().unwrap().kill();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_sessions_survive_kill_9_and_cannot_be_answered_again() {
    let dir = TempDir::new("kill");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let (issuer_url, issuer_key) = start_issuer(&dir.0).await;
    let mut pool: Vec<Credential> = Vec::new();
    for (bsn, family) in PERSONS {
        let got = collect(&http, &issuer_url, PROCESS_ADMIN, bsn, "woonhistorie", 3)
            .await
            .unwrap();
        for (sd_jwt, key, _) in got.credentials {
            pool.push(((sd_jwt, key), family));
        }
    }
    let pool = Arc::new(pool);
    let trust_list = dir.0.join("trust-list.jwt");
    std::fs::write(&trust_list, trust_list_for(&issuer_url, &issuer_key)).unwrap();
    let mut verifier = Service::verifier(
        std::path::Path::new(env!("CARGO_BIN_EXE_regie-verifier")),
        &repo_root(),
        &dir.0.join("verifier"),
        &trust_list,
        free_port(),
    );
    verifier.start(Duration::from_secs(30)).await.unwrap();
    let url = verifier.url.clone();
    let killer = Arc::new(Killer {
        verifier: Mutex::new(verifier),
        at: ANSWERED_BEFORE_KILL,
        acknowledged: AtomicUsize::new(0),
    });

    // The load: every task runs sessions back to back until the verifier is gone.
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut tasks = Vec::new();
    for t in 0..CONCURRENT {
        let (http, url, pool, seen) = (http.clone(), url.clone(), pool.clone(), seen.clone());
        let killer = killer.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = t;
            loop {
                let which = i % pool.len();
                i += CONCURRENT;
                let Ok((id, link)) = create_session(&http, &url).await else {
                    break;
                };
                seen.lock().unwrap().created.push(id.clone());
                let Ok(answer) = prepare_answer(&http, &link, &pool[which].0).await else {
                    break;
                };
                match post_answer(&http, &answer).await {
                    Ok(200) => {
                        seen.lock().unwrap().answered.insert(id, (answer, which));
                        killer.acknowledged();
                    }
                    _ => break,
                }
            }
        }));
    }
    // The tasks end when the verifier is gone: the kill comes after a number of
    // acknowledged answers, not after a fixed time.
    let waited = tokio::time::timeout(Duration::from_secs(40), async {
        for task in tasks {
            task.await.unwrap();
        }
    })
    .await;
    assert!(
        waited.is_ok(),
        "the load did not reach the kill:\n{}",
        killer.verifier.lock().unwrap().log()
    );
    let mut verifier = Arc::try_unwrap(killer)
        .ok()
        .expect("the tasks are done")
        .verifier
        .into_inner()
        .unwrap();
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert!(seen.answered.len() >= ANSWERED_BEFORE_KILL);

    verifier.start(Duration::from_secs(30)).await.unwrap();

    // Every session created before the kill is still there; every acknowledged answer
    // still reads, verified, with the answerer's name.
    for id in &seen.created {
        let session = read_session(&http, &url, id)
            .await
            .unwrap_or_else(|e| panic!("session created before the kill is lost: {e}"));
        if let Some((_, which)) = seen.answered.get(id) {
            assert_eq!(session["status"], "done", "answered session {id}");
            assert_eq!(session["claims"]["woon"]["family_name"], pool[*which].1);
        }
    }

    // No session is answered twice: neither the same answer again nor a fresh one.
    let mut answered = seen.answered.iter();
    for (id, (answer, which)) in answered.by_ref().take(20) {
        assert_eq!(post_answer(&http, answer).await.unwrap(), 400, "replayed");
        let fresh = AuthorizationResponse::presentations(
            &[(
                "woon".to_owned(),
                presentation(&pool[*which].0, &answer.client_id, &answer.nonce),
            )],
            answer.state.as_deref(),
        )
        .to_form();
        assert_eq!(
            post_form(&http, &answer.response_uri, fresh).await.unwrap(),
            400,
            "a second answer for an answered session"
        );
        let session = read_session(&http, &url, id).await.unwrap();
        assert_eq!(session["status"], "done");
        assert_eq!(
            session["refused_answers"], 0,
            "a closed session counts nothing"
        );
    }

    // A nonce from before the kill opens no other session: an answer bound to it, sent to
    // a new session with that session's own state, is refused and leaves it open.
    let (old, which) = &seen.answered.values().next().unwrap();
    let (new_id, link) = create_session(&http, &url).await.unwrap();
    let new_answer = prepare_answer(&http, &link, &pool[*which].0).await.unwrap();
    assert_ne!(new_answer.nonce, old.nonce);
    let replayed_nonce = AuthorizationResponse::presentations(
        &[(
            "woon".to_owned(),
            presentation(&pool[*which].0, &old.client_id, &old.nonce),
        )],
        new_answer.state.as_deref(),
    )
    .to_form();
    assert_eq!(
        post_form(&http, &new_answer.response_uri, replayed_nonce)
            .await
            .unwrap(),
        400,
        "an old nonce"
    );
    let session = read_session(&http, &url, &new_id).await.unwrap();
    assert_eq!(session["status"], "retrieved", "refused, still open");
    assert_eq!(session["refused_answers"], 1);
    // The right answer still works.
    assert_eq!(post_answer(&http, &new_answer).await.unwrap(), 200);
    println!(
        "{} sessions created, {} answers acknowledged before the kill",
        seen.created.len(),
        seen.answered.len()
    );
    verifier.kill();
}
