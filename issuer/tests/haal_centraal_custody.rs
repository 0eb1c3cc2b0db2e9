//! The Haal Centraal client maps `gezag`: it asks for the field, reads every relation type
//! (API v1 and v2 names) deliberately, and looks the minors' names and birth dates up in
//! their own records, asking for nothing else of them.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use regie_issuer::person::*;
use serde_json::{json, Value};

const PARENT: &str = "999994542";
const OTHER: &str = "999993112";
/// Minors: in the parent's custody...
const BOTH: &str = "999995807";
const ALONE: &str = "999995832";
const WITH_THIRD: &str = "999993653";
const GUARDED: &str = "999990019";
/// ...the BRP has no record of this one...
const UNKNOWN: &str = "111222333";
/// ...and these are not in the parent's custody.
const NOBODY: &str = "999996320";
const OTHERS_WARD: &str = "999994669";

type Log = Arc<Mutex<Vec<Value>>>;

fn r(bsn: &str) -> Value {
    json!({"burgerservicenummer": bsn})
}

fn parent_record() -> Value {
    json!({
        "burgerservicenummer": PARENT,
        "naam": {"voornamen": "Gerrit", "voorvoegsel": "den", "geslachtsnaam": "Braber"},
        "geboorte": {"datum": {"type": "Datum", "datum": "1975-01-01"}},
        "gezag": [
            {"type": "GezamenlijkOuderlijkGezag", "ouders": [r(PARENT), r(OTHER)],
             "minderjarige": r(BOTH)},
            {"type": "EenhoofdigOuderlijkGezag", "ouder": r(PARENT), "minderjarige": r(ALONE)},
            {"type": "GezamenlijkGezag", "ouder": r(OTHER),
             "derde": {"type": "BekendeDerde", "burgerservicenummer": PARENT},
             "minderjarige": r(WITH_THIRD)},
            {"type": "Voogdij", "derden": [r(PARENT)], "minderjarige": r(GUARDED)},
            {"type": "EenhoofdigOuderlijkGezag", "ouder": r(PARENT), "minderjarige": r(UNKNOWN)},
            {"type": "TijdelijkGeenGezag", "minderjarige": r(NOBODY)},
            {"type": "GezagNietTeBepalen", "minderjarige": r(NOBODY),
             "toelichting": "gezag kan niet worden bepaald"},
            {"type": "Voogdij", "derden": [r(OTHER)], "minderjarige": r(OTHERS_WARD)}
        ]
    })
}

fn minor_record(bsn: &str, given: &str, born: &str) -> Value {
    json!({"burgerservicenummer": bsn,
        "naam": {"voornamen": given, "geslachtsnaam": "Kind"},
        "geboorte": {"datum": {"type": "Datum", "datum": born}}})
}

async fn personen(State(log): State<Log>, Json(q): Json<Value>) -> Json<Value> {
    log.lock().unwrap().push(q.clone());
    let asked: Vec<&str> = q["burgerservicenummer"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let records = [
        parent_record(),
        minor_record(BOTH, "Zoey", "2018-11-14"),
        minor_record(ALONE, "Alexander", "2009-05-29"),
        minor_record(WITH_THIRD, "Sam", "2015-02-03"),
        json!({"burgerservicenummer": GUARDED, "naam": {"voornamen": "Noa", "geslachtsnaam": "Kind"},
            "geboorte": {"datum": {"type": "JaarMaandDatum", "jaar": 2016, "maand": 7}}}),
    ];
    let found: Vec<Value> = records
        .into_iter()
        .filter(|p| {
            p["burgerservicenummer"]
                .as_str()
                .is_some_and(|b| asked.contains(&b))
        })
        .collect();
    Json(json!({"type": q["type"], "personen": found}))
}

async fn brp(log: Log) -> String {
    let router = Router::new()
        .route("/personen", post(personen))
        .route(
            "/verblijfplaatshistorie",
            post(|| async { Json(json!({"verblijfplaatsen": []})) }),
        )
        .with_state(log);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

#[tokio::test]
async fn gezag_maps_to_the_minors_in_custody_with_their_names() {
    let log: Log = Arc::default();
    let base = brp(log.clone()).await;
    let http = HaalCentraalSource::new(&base, None, Duration::from_secs(5)).unwrap();
    let person = http
        .get(&Bsn::parse(PARENT).unwrap())
        .await
        .unwrap()
        .unwrap();
    let wards: Vec<(&str, CustodyKind)> = person
        .custody
        .iter()
        .map(|w| (w.bsn.as_str(), w.kind))
        .collect();
    assert_eq!(
        wards,
        [
            (BOTH, CustodyKind::BothParents),
            (ALONE, CustodyKind::OneParent),
            (WITH_THIRD, CustodyKind::ParentAndThirdParty),
            (GUARDED, CustodyKind::Guardianship),
            (UNKNOWN, CustodyKind::OneParent),
        ],
        "no custody, undetermined custody and another's ward are not listed"
    );
    assert!(person.custodians.is_empty(), "the parent is nobody's ward");
    let zoey = &person.custody[0];
    assert_eq!(zoey.name.as_ref().unwrap().given_names, "Zoey");
    assert_eq!(zoey.birth_date, Some(PartialDate::Full(2018, 11, 14)));
    assert_eq!(
        person.custody[3].birth_date,
        Some(PartialDate::YearMonth(2016, 7))
    );
    // The BRP has no record of this minor: the BSN stays, without name or birth date.
    assert_eq!(person.custody[4].name, None);
    assert_eq!(person.custody[4].birth_date, None);

    let queries = log.lock().unwrap().clone();
    assert_eq!(queries.len(), 2, "{queries:?}");
    assert!(strings(&queries[0]["fields"]).contains(&"gezag"));
    assert_eq!(strings(&queries[0]["burgerservicenummer"]), [PARENT]);
    // Of the minors only names and birth dates, in one request.
    assert_eq!(
        strings(&queries[1]["burgerservicenummer"]),
        [BOTH, ALONE, WITH_THIRD, GUARDED, UNKNOWN]
    );
    let fields = strings(&queries[1]["fields"]);
    assert!(fields.contains(&"naam.voornamen") && fields.contains(&"geboorte.datum"));
    for unwanted in ["gezag", "verblijfplaats", "nationaliteiten", "geslacht"] {
        assert!(!fields.contains(&unwanted), "{unwanted}");
    }
}

#[tokio::test]
async fn a_minors_own_record_names_their_custodians() {
    let log: Log = Arc::default();
    let router = Router::new()
        .route(
            "/personen",
            post(|| async {
                Json(json!({"personen": [{
                    "burgerservicenummer": BOTH,
                    "naam": {"voornamen": "Zoey", "geslachtsnaam": "Braber"},
                    "gezag": [{"type": "TweehoofdigOuderlijkGezag",
                        "ouders": [r(OTHER), r(PARENT)], "minderjarige": r(BOTH)}]
                }]}))
            }),
        )
        .route(
            "/verblijfplaatshistorie",
            post(|| async { Json(json!({"verblijfplaatsen": []})) }),
        )
        .with_state(log);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let http =
        HaalCentraalSource::new(&format!("http://{addr}"), None, Duration::from_secs(5)).unwrap();
    let zoey = http.get(&Bsn::parse(BOTH).unwrap()).await.unwrap().unwrap();
    let custodians: Vec<&str> = zoey.custodians.iter().map(Bsn::as_str).collect();
    assert_eq!(custodians, [OTHER, PARENT]);
    assert!(zoey.custody.is_empty(), "a minor has custody of nobody");
}
