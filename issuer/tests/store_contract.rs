//! The issuer's two stores keep the same promises: sled (embedded) and PostgreSQL. Every
//! test runs on both; the PostgreSQL ones also run several instances (pools) on one
//! database, as instances behind a load balancer do.
use std::collections::HashSet;

use protocol::status_list::Status;
use regie_issuer::store::{
    CaseRow, CaseSessionRow, CorrectionRow, CredentialRecord, Login, LoginAttemptRow, OfferRecord,
    RefreshRecord, Store, StoreError, TokenRecord,
};

mod common;
use common::TestStore;

const BSN: &str = "999993653";
const NOW: u64 = 1_800_000_000;

fn offer(id: &str) -> OfferRecord {
    OfferRecord {
        id: id.into(),
        bsn: BSN.into(),
        credential_type: "uittreksel-brp".into(),
        tx_code: None,
        expires_at: NOW + 600,
        collected: false,
        offer_json: None,
    }
}

fn copy(id: &str, slot: regie_issuer::store::StatusSlot, grant: &str) -> CredentialRecord {
    CredentialRecord {
        id: id.into(),
        offer_id: "o1".into(),
        bsn: BSN.into(),
        credential_type: "uittreksel-brp".into(),
        status_idx: slot.idx,
        status_list: slot.list_id(),
        issued_at: NOW,
        expires_at: NOW + 86_400,
        revoked: false,
        grant: grant.into(),
    }
}

/// Instances of the store at once: several on PostgreSQL, the one on sled (which is one
/// process's).
async fn instances(store: &TestStore, first: &Store) -> Vec<Store> {
    let mut all = vec![first.clone()];
    if store.is_postgres() {
        for _ in 0..3 {
            all.push(store.open().await);
        }
    }
    all
}

#[tokio::test]
async fn positions_are_dense_and_unique_across_reopens_and_lists_roll_over() {
    for store in TestStore::both().await {
        let mut seen = Vec::new();
        for _ in 0..4 {
            // Each reopen is a restart: sled's own id generator would jump by millions here.
            let s = store.open_with_list_size(8).await;
            for slot in s.allocate_status_slots(3).await.unwrap() {
                seen.push((slot.list, slot.idx));
            }
            let slot = s.allocate_status_slot().await.unwrap();
            seen.push((slot.list, slot.idx));
        }
        // 16 positions, 7 usable per list of 8 (index 0 is the canary): lists 1, 2 and 3.
        let expected: Vec<(u64, u64)> = (0..16u64).map(|p| (p / 7 + 1, p % 7 + 1)).collect();
        assert_eq!(seen, expected, "{}", store.name);
        let s = store.open_with_list_size(8).await;
        assert_eq!(s.current_list().await.unwrap(), 3, "{}", store.name);
        assert!(s.status_list("3").await.unwrap().is_some());
        assert!(
            s.status_list("4").await.unwrap().is_none(),
            "no list before its time"
        );
        assert!(
            s.status_list("03").await.unwrap().is_none(),
            "one id per list"
        );
        assert!(s.status_list("0").await.unwrap().is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_allocations_never_share_a_position() {
    for store in TestStore::both().await {
        let first = store.open().await;
        let mut tasks = Vec::new();
        for (i, s) in instances(&store, &first).await.into_iter().enumerate() {
            for _ in 0..2 {
                let s = s.clone();
                tasks.push(tokio::spawn(async move {
                    let mut got = Vec::new();
                    for _ in 0..25 {
                        got.extend(s.allocate_status_slots(2).await.unwrap());
                    }
                    (i, got)
                }));
            }
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap().1.into_iter().map(|s| (s.list, s.idx)));
        }
        let unique: HashSet<_> = all.iter().copied().collect();
        assert_eq!(unique.len(), all.len(), "{}: a position twice", store.name);
        // Dense: exactly the first positions, no gaps.
        let n = all.len() as u64;
        assert!(all
            .iter()
            .all(|&(list, idx)| list == 1 && (1..=n).contains(&idx)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn single_use_values_are_taken_once_across_instances() {
    for store in TestStore::both().await {
        let first = store.open().await;
        first.put_offer(&offer("o1"), "code-1").await.unwrap();
        let token = TokenRecord {
            offer_id: "o1".into(),
            bsn: BSN.into(),
            credential_type: "uittreksel-brp".into(),
            expires_at: NOW + 60,
            grant: "o1".into(),
        };
        first.put_token("token-1", &token).await.unwrap();
        let refresh = RefreshRecord {
            bsn: BSN.into(),
            credential_type: "uittreksel-brp".into(),
            expires_at: NOW + 60,
            grant: "o1".into(),
        };
        first
            .put_refresh_token("refresh-1", &refresh)
            .await
            .unwrap();
        first.put_nonce("nonce-1", NOW + 60).await.unwrap();
        let attempt = LoginAttemptRow {
            expires_at: NOW + 600,
            data: "{}".into(),
        };
        first.put_login_attempt("state-1", &attempt).await.unwrap();
        let all = instances(&store, &first).await;
        let mut tasks = Vec::new();
        for k in 0..16 {
            let s = all[k % all.len()].clone();
            tasks.push(tokio::spawn(async move {
                [
                    s.take_code("code-1").await.unwrap().is_some(),
                    s.take_token("token-1").await.unwrap().is_some(),
                    s.take_refresh_token("refresh-1").await.unwrap().is_some(),
                    s.take_nonce("nonce-1").await.unwrap().is_some(),
                    s.take_login_attempt("state-1").await.unwrap().is_some(),
                ]
            }));
        }
        let mut wins = [0; 5];
        for task in tasks {
            for (w, won) in wins.iter_mut().zip(task.await.unwrap()) {
                *w += usize::from(won);
            }
        }
        assert_eq!(
            wins,
            [1, 1, 1, 1, 1],
            "{}: code, token, refresh, nonce, login attempt",
            store.name
        );
        assert!(first.take_code("never-made").await.unwrap().is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_revocations_through_instances_all_stay() {
    for store in TestStore::both().await {
        let first = store.open().await;
        let slots = first.allocate_status_slots(20).await.unwrap();
        let records: Vec<_> = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| copy(&format!("c{i}"), *slot, "o1"))
            .collect();
        first.record_issued(&records, "o1").await.unwrap();
        let all = instances(&store, &first).await;
        let mut tasks = Vec::new();
        // Every other copy, each through the next instance, all at once.
        for (k, record) in records.iter().enumerate().filter(|(k, _)| k % 2 == 0) {
            let (s, id) = (all[k % all.len()].clone(), record.id.clone());
            tasks.push(tokio::spawn(async move { s.revoke(&id).await.unwrap() }));
        }
        for task in tasks {
            assert!(task.await.unwrap().revoked);
        }
        for s in &all {
            let list = s.status_list("1").await.unwrap().unwrap();
            for (k, record) in records.iter().enumerate() {
                let expected = if k % 2 == 0 {
                    Status::Invalid
                } else {
                    Status::Valid
                };
                assert_eq!(
                    list.get(record.status_idx).unwrap(),
                    expected,
                    "{}",
                    store.name
                );
            }
        }
        let listed = first.credentials_of(BSN).await.unwrap();
        assert_eq!(listed.len(), 20);
        assert_eq!(listed.iter().filter(|c| c.revoked).count(), 10);
        assert!(matches!(
            first.revoke("no-such-copy").await,
            Err(StoreError::UnknownCredential)
        ));
    }
}

#[tokio::test]
async fn issuing_marks_the_offer_collected_and_a_lost_wallet_ends_its_renewals() {
    for store in TestStore::both().await {
        let s = store.open().await;
        s.put_offer(&offer("o1"), "code-1").await.unwrap();
        let slot = s.allocate_status_slot().await.unwrap();
        s.record_issued(&[copy("c1", slot, "grant-1")], "o1")
            .await
            .unwrap();
        assert!(
            s.offer("o1").await.unwrap().unwrap().collected,
            "{}",
            store.name
        );
        assert!(!s.grant_ended("grant-1").await.unwrap());
        s.revoke_and_end_renewal("c1").await.unwrap();
        assert!(s.grant_ended("grant-1").await.unwrap(), "{}", store.name);
        assert!(!s.grant_ended("grant-2").await.unwrap());
        // Reopened: all of it is kept.
        drop(s);
        let s = store.open().await;
        assert!(s.grant_ended("grant-1").await.unwrap());
        assert!(s.credentials_of(BSN).await.unwrap()[0].revoked);
        assert!(s.credentials_of("999990019").await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn cases_are_found_by_reference_person_token_and_open_session() {
    for store in TestStore::both().await {
        let s = store.open().await;
        let row = |case_ref, subject_bsn, token_key, created_at, json| CaseRow {
            case_ref,
            subject_bsn,
            token_key,
            created_at,
            json,
        };
        assert!(s
            .insert_case(&row("VH-1", BSN, "t1", NOW, r#"{"n":1}"#))
            .await
            .unwrap());
        assert!(
            !s.insert_case(&row("VH-1", BSN, "t9", NOW, r#"{"n":9}"#))
                .await
                .unwrap(),
            "{}: a taken reference is refused",
            store.name
        );
        assert!(s
            .insert_case(&row("VH-2", "999990019", "t2", NOW + 1, r#"{"n":2}"#))
            .await
            .unwrap());
        assert_eq!(s.case("VH-1").await.unwrap().as_deref(), Some(r#"{"n":1}"#));
        assert_eq!(
            s.case_by_token("t2").await.unwrap().as_deref(),
            Some(r#"{"n":2}"#)
        );
        assert!(s.case_by_token("t9").await.unwrap().is_none());
        assert_eq!(s.cases_about(BSN).await.unwrap(), [r#"{"n":1}"#]);
        assert_eq!(s.all_cases().await.unwrap().len(), 2);
        let open = |session_id| CaseSessionRow {
            session_id,
            settled: false,
        };
        s.update_case("VH-1", r#"{"n":11}"#, &[open("s1"), open("s2")])
            .await
            .unwrap();
        s.update_case("VH-2", r#"{"n":2}"#, &[open("s3")])
            .await
            .unwrap();
        assert_eq!(
            s.cases_with_open_sessions().await.unwrap(),
            ["VH-1", "VH-2"]
        );
        let settled = CaseSessionRow {
            session_id: "s3",
            settled: true,
        };
        s.update_case("VH-2", r#"{"n":22}"#, &[settled])
            .await
            .unwrap();
        assert_eq!(
            s.cases_with_open_sessions().await.unwrap(),
            ["VH-1"],
            "{}",
            store.name
        );
        assert_eq!(
            s.case("VH-2").await.unwrap().as_deref(),
            Some(r#"{"n":22}"#)
        );
    }
}

#[tokio::test]
async fn logins_corrections_and_life_events_are_kept() {
    for store in TestStore::both().await {
        let s = store.open().await;
        let login = Login {
            bsn: BSN.into(),
            expires_at: NOW + 60,
        };
        s.put_login("k1", &login).await.unwrap();
        assert_eq!(s.login("k1").await.unwrap().unwrap().bsn, BSN);
        s.remove_login("k1").await.unwrap();
        assert!(s.login("k1").await.unwrap().is_none(), "{}", store.name);
        s.put_clerk("clerk", NOW + 60).await.unwrap();
        assert_eq!(s.clerk_expiry("clerk").await.unwrap(), Some(NOW + 60));
        s.remove_clerk("clerk").await.unwrap();
        assert!(s.clerk_expiry("clerk").await.unwrap().is_none());

        for (id, bsn, at) in [("r1", BSN, NOW), ("r2", "999990019", NOW + 1)] {
            let json = format!(r#"{{"id":"{id}","bsn":"{bsn}"}}"#);
            let row = CorrectionRow {
                id,
                bsn,
                created_at: at,
                json: &json,
            };
            s.put_correction(&row).await.unwrap();
        }
        assert_eq!(s.corrections(None).await.unwrap().len(), 2);
        assert_eq!(
            s.corrections(Some(BSN)).await.unwrap(),
            [format!(r#"{{"id":"r1","bsn":"{BSN}"}}"#)],
            "{}",
            store.name
        );
        assert!(s.correction("r2").await.unwrap().is_some());
        assert!(s.correction("r3").await.unwrap().is_none());

        for n in 0..3 {
            s.append_life_event(&format!(r#"{{"n":{n}}}"#))
                .await
                .unwrap();
        }
        drop(s);
        // Oldest first, after a restart too.
        let s = store.open().await;
        assert_eq!(
            s.life_events().await.unwrap(),
            [r#"{"n":0}"#, r#"{"n":1}"#, r#"{"n":2}"#],
            "{}",
            store.name
        );
    }
}

#[tokio::test]
async fn instances_starting_together_migrate_the_schema_once() {
    let url = regie_ops::test_database::fresh().await;
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { Store::connect(&url).await.map(|_| ()) })
        })
        .collect();
    for start in starts {
        start.await.unwrap().unwrap();
    }
    // And the verifier's schema goes beside it in the same database.
    let store = Store::connect(&url).await.unwrap();
    store.put_nonce("n", NOW).await.unwrap();
    assert_eq!(store.take_nonce("n").await.unwrap(), Some(NOW));
}

#[tokio::test]
async fn an_unreachable_database_is_a_clear_error_without_the_password() {
    let url = "postgres://regie:s3cret-pw@127.0.0.1:1/regie";
    let Err(e) = Store::connect(url).await else {
        panic!("connected to nothing");
    };
    let text = e.to_string();
    assert!(e.is_unavailable(), "{text}");
    assert!(text.contains("cannot reach the database"), "{text}");
    assert!(!text.contains("s3cret-pw"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_case_is_changed_by_one_instance_at_a_time() {
    for store in TestStore::both().await {
        let first = store.open().await;
        let row = CaseRow {
            case_ref: "VH-1",
            subject_bsn: BSN,
            token_key: "t1",
            created_at: NOW,
            json: r#"{"n":0}"#,
        };
        assert!(first.insert_case(&row).await.unwrap());
        let all = instances(&store, &first).await;
        // 16 changes at once through every instance, each reading the case, taking its time
        // (as a change that asks the verifier does) and writing it back: none is lost.
        let mut tasks = Vec::new();
        for k in 0..16 {
            let s = all[k % all.len()].clone();
            tasks.push(tokio::spawn(async move {
                let _lock = s.lock_case("VH-1").await.unwrap();
                let json = s.case("VH-1").await.unwrap().unwrap();
                let n: serde_json::Value = serde_json::from_str(&json).unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                let next = format!(r#"{{"n":{}}}"#, n["n"].as_u64().unwrap() + 1);
                s.update_case("VH-1", &next, &[]).await.unwrap();
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            first.case("VH-1").await.unwrap().as_deref(),
            Some(r#"{"n":16}"#),
            "{}: a change was lost",
            store.name
        );
        // A lock whose holder went away (a request that ended early) is free again.
        let held = all[all.len() - 1].lock_case("VH-1").await.unwrap();
        drop(held);
        let again =
            tokio::time::timeout(std::time::Duration::from_secs(5), first.lock_case("VH-1")).await;
        assert!(again.is_ok(), "{}: the lock was not released", store.name);
    }
}
