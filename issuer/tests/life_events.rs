//! A recorded move outlives a restart: the fixture person source is in memory, so the
//! issuer keeps each move in its store (real sled files) and applies them again at start.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use protocol::jose::SigningKey;
use regie_issuer::life_events::{record_move, replay};
use regie_issuer::person::{Address, Bsn, FixtureSource, PartialDate, Residence};
use regie_issuer::service::{Clock, Issuer};
use regie_issuer::store::Store;

const SUZANNE: &str = "999993653";

struct Fixed;
impl Clock for Fixed {
    fn now(&self) -> u64 {
        1_795_478_400
    }
}

fn issuer_on(dir: &std::path::Path) -> Issuer {
    Issuer {
        public_url: "http://127.0.0.1:1".into(),
        key: SigningKey::generate(),
        store: Store::open(dir).unwrap(),
        persons: Arc::new(FixtureSource::embedded().unwrap()),
        admin_token: String::new(),
        batch_size: 1,
        clock: Arc::new(Fixed),
    }
}

fn schakelstraat() -> Address {
    Address {
        street: "Schakelstraat".into(),
        house_number: Some(14),
        house_letter: None,
        house_number_addition: Some("H".into()),
        postal_code: Some("1014AW".into()),
        locality: Some("Amsterdam".into()),
    }
}

async fn street_of(issuer: &Issuer) -> String {
    let person = issuer
        .persons
        .get(&Bsn::parse(SUZANNE).unwrap())
        .await
        .unwrap()
        .unwrap();
    match person.residence.unwrap().residence {
        Residence::Address(a) => a.street,
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn a_recorded_move_is_applied_again_after_a_restart_and_only_once() {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "regie-life-events-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let bsn = Bsn::parse(SUZANNE).unwrap();
    let date = PartialDate::parse_iso("2026-12-10").unwrap();
    {
        let issuer = issuer_on(&dir);
        assert_eq!(street_of(&issuer).await, "Boterdiep");
        record_move(&issuer, &bsn, schakelstraat(), "Amsterdam", date)
            .await
            .unwrap();
        // A retry of the same move (after a crash before its revocations) records nothing new.
        record_move(&issuer, &bsn, schakelstraat(), "Amsterdam", date)
            .await
            .unwrap();
        assert_eq!(street_of(&issuer).await, "Schakelstraat");
    }
    let restarted = issuer_on(&dir);
    assert_eq!(street_of(&restarted).await, "Boterdiep", "fresh fixtures");
    assert_eq!(replay(&restarted).await.unwrap(), 1);
    assert_eq!(street_of(&restarted).await, "Schakelstraat");
    let person = restarted.persons.get(&bsn).await.unwrap().unwrap();
    assert_eq!(person.municipality.as_deref(), Some("Amsterdam"));
    assert_eq!(person.residence.unwrap().from, date);
    drop(restarted);
    let _ = std::fs::remove_dir_all(&dir);
}
