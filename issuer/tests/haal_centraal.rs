//! The Haal Centraal client against a local server that serves the fixtures in the BRP API's
//! v2 shape: every person comes back exactly as the fixture source has them, and every way
//! the service can fail gives the right error.
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use regie_issuer::person::*;
use serde_json::{json, Value};

// ---- test support: the fixtures in the v2 shape (not product code) ----

fn v2_date(d: PartialDate) -> Value {
    match d {
        PartialDate::Unknown => json!({"type": "DatumOnbekend"}),
        PartialDate::Year(y) => json!({"type": "JaarDatum", "jaar": y}),
        PartialDate::YearMonth(y, m) => json!({"type": "JaarMaandDatum", "jaar": y, "maand": m}),
        PartialDate::Full(..) => {
            json!({"type": "Datum", "datum": d.iso(), "langFormaat": d.dutch()})
        }
    }
}

fn v2_name(n: &Name) -> Value {
    let mut v = json!({"voornamen": n.given_names, "geslachtsnaam": n.family_name});
    if let Some(p) = &n.prefix {
        v["voorvoegsel"] = json!(p);
    }
    if let Some(t) = &n.noble_title {
        v["adellijkeTitelPredicaat"] = json!({"omschrijving": t});
    }
    v
}

fn v2_residence(p: &AddressPeriod) -> Value {
    let (kind, address) = match &p.residence {
        Residence::Address(a) => (
            "Adres",
            json!({"officieleStraatnaam": a.street, "korteStraatnaam": a.street,
                   "huisnummer": a.house_number, "huisletter": a.house_letter,
                   "huisnummertoevoeging": a.house_number_addition,
                   "postcode": a.postal_code, "woonplaats": a.locality}),
        ),
        Residence::Location(d) => ("Locatie", json!({"locatiebeschrijving": d})),
        Residence::Abroad { country, lines } => (
            "VerblijfplaatsBuitenland",
            json!({"land": {"omschrijving": country}, "regel1": lines.first(),
                   "regel2": lines.get(1), "regel3": lines.get(2)}),
        ),
    };
    let mut v = json!({"type": kind, "verblijfadres": address, "datumVan": v2_date(p.from)});
    if let Some(to) = p.to {
        v["datumTot"] = v2_date(to);
    }
    v
}

fn v2_person(p: &Person) -> Value {
    let mut birth = json!({"datum": v2_date(p.birth.date)});
    if let Some(place) = &p.birth.place {
        birth["plaats"] = json!({"omschrijving": place});
    }
    if let Some(country) = &p.birth.country {
        birth["land"] = json!({"omschrijving": country});
    }
    if p.under_investigation {
        birth["inOnderzoek"] =
            json!({"datum": true, "datumIngangOnderzoek": v2_date(PartialDate::Unknown)});
    }
    let mut v = json!({
        "burgerservicenummer": p.bsn.as_str(),
        "naam": v2_name(&p.name),
        "geslacht": {"omschrijving": p.sex},
        "geboorte": birth,
        "nationaliteiten": p.nationalities.iter().map(|n| json!({"nationaliteit": {"omschrijving": n}})).collect::<Vec<_>>(),
        "partners": p.partner_names.iter().map(|n| json!({"naam": v2_name(n)})).collect::<Vec<_>>(),
        "geheimhoudingPersoonsgegevens": p.secrecy,
    });
    if let Some(r) = &p.residence {
        v["verblijfplaats"] = v2_residence(r);
    }
    if let Some(m) = &p.municipality {
        v["gemeenteVanInschrijving"] = json!({"omschrijving": m});
    }
    // As the API has it: the relations the person is part of, as the minor and as a
    // custodian.
    let mut gezag = Vec::new();
    if !p.custodians.is_empty() {
        let kind = if p.custodians.len() == 2 {
            CustodyKind::BothParents
        } else {
            CustodyKind::OneParent
        };
        gezag.push(v2_custody(kind, &p.custodians, &p.bsn));
    }
    for ward in &p.custody {
        gezag.push(v2_custody(
            ward.kind,
            std::slice::from_ref(&p.bsn),
            &ward.bsn,
        ));
    }
    if !gezag.is_empty() {
        v["gezag"] = json!(gezag);
    }
    v
}

fn v2_custody(kind: CustodyKind, holders: &[Bsn], minor: &Bsn) -> Value {
    let refs: Vec<Value> = holders
        .iter()
        .map(|b| json!({"burgerservicenummer": b.as_str()}))
        .collect();
    let mut v =
        json!({"type": kind.brp_type(), "minderjarige": {"burgerservicenummer": minor.as_str()}});
    match kind {
        CustodyKind::BothParents => v["ouders"] = json!(refs),
        CustodyKind::OneParent => v["ouder"] = refs[0].clone(),
        CustodyKind::ParentAndThirdParty => v["ouder"] = refs[0].clone(),
        CustodyKind::Guardianship => v["derden"] = json!(refs),
    }
    v
}

#[derive(Clone)]
struct Fixtures(std::sync::Arc<Vec<Person>>);

async fn personen(
    State(f): State<Fixtures>,
    headers: HeaderMap,
    Json(q): Json<Value>,
) -> impl IntoResponse {
    if headers.get("X-API-KEY").and_then(|k| k.to_str().ok()) != Some("test-key") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"title": "Niet geauthenticeerd"})),
        );
    }
    let found: Vec<Value> = match q["type"].as_str() {
        Some("RaadpleegMetBurgerservicenummer") => {
            f.0.iter()
                .filter(|p| {
                    q["burgerservicenummer"]
                        .as_array()
                        .is_some_and(|b| b.contains(&json!(p.bsn.as_str())))
                })
                .map(v2_person)
                .collect()
        }
        Some("ZoekMetPostcodeEnHuisnummer") => {
            f.0.iter()
                .filter(|p| match p.residence.as_ref().map(|r| &r.residence) {
                    Some(Residence::Address(a)) => {
                        a.postal_code.as_deref() == q["postcode"].as_str()
                            && a.house_number.map(u64::from) == q["huisnummer"].as_u64()
                    }
                    _ => false,
                })
                .map(v2_person)
                .collect()
        }
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"title": "onbekend type"})),
            )
        }
    };
    (
        StatusCode::OK,
        Json(json!({"type": q["type"], "personen": found})),
    )
}

async fn historie(State(f): State<Fixtures>, Json(q): Json<Value>) -> Json<Value> {
    let periods: Vec<Value> =
        f.0.iter()
            .filter(|p| q["burgerservicenummer"].as_str() == Some(p.bsn.as_str()))
            .flat_map(|p| p.address_history.iter().map(v2_residence))
            .collect();
    Json(json!({"verblijfplaatsen": periods}))
}

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

async fn fixtures() -> Vec<Person> {
    let source = FixtureSource::embedded().unwrap();
    let mut people = Vec::new();
    for s in source.list().await.unwrap() {
        people.push(source.get(&s.bsn).await.unwrap().unwrap());
    }
    people
}

async fn brp_server() -> String {
    let state = Fixtures(std::sync::Arc::new(fixtures().await));
    let router = Router::new()
        .route("/personen", post(personen))
        .route("/verblijfplaatshistorie", post(historie))
        .with_state(state);
    format!("http://{}", serve(router).await)
}

fn client(base: &str, key: &str) -> HaalCentraalSource {
    HaalCentraalSource::new(base, Some(key.into()), Duration::from_secs(5)).unwrap()
}

// ---- tests ----

#[tokio::test]
async fn every_person_comes_back_as_the_fixture_has_them() {
    let base = brp_server().await;
    let http = client(&base, "test-key");
    let people = fixtures().await;
    assert_eq!(people.len(), 11);
    for expected in &people {
        let got = http.get(&expected.bsn).await.unwrap().expect("found");
        assert_eq!(&got, expected, "{}", expected.bsn);
    }
}

#[tokio::test]
async fn residents_over_http_match_the_fixture_source() {
    let base = brp_server().await;
    let http = client(&base, "test-key");
    let fixture = FixtureSource::embedded().unwrap();
    let wilma = fixture
        .get(&Bsn::parse("999993112").unwrap())
        .await
        .unwrap()
        .unwrap();
    let home = &wilma.residence.unwrap().residence;
    assert_eq!(
        http.residents_at(home).await.unwrap(),
        fixture.residents_at(home).await.unwrap()
    );
    assert_eq!(http.residents_at(home).await.unwrap().len(), 4);
}

#[tokio::test]
async fn unknown_person_is_none_and_writes_are_unsupported() {
    let base = brp_server().await;
    let http = client(&base, "test-key");
    let unknown = Bsn::parse("111222333").unwrap();
    assert_eq!(http.get(&unknown).await.unwrap(), None);
    assert_eq!(http.list().await.unwrap_err(), SourceError::Unsupported);
    let moved = http
        .record_move(&unknown, Address::default(), "X", PartialDate::Year(2027))
        .await;
    assert_eq!(moved.unwrap_err(), SourceError::Unsupported);
}

#[tokio::test]
async fn wrong_api_key_is_a_bad_response() {
    let base = brp_server().await;
    let http = client(&base, "wrong-key");
    let err = http
        .get(&Bsn::parse("999993653").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::BadResponse(_)), "{err:?}");
}

async fn failing_server() -> String {
    let router = Router::new()
        .route(
            "/down/personen",
            post(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .route(
            "/garbage/personen",
            post(|| async { "<html>not json</html>" }),
        )
        .route(
            "/missing/personen",
            post(|| async { StatusCode::NOT_FOUND }),
        )
        .route(
            "/shape/personen",
            post(|| async { Json(json!({"personen": "nope"})) }),
        )
        .route(
            "/huge/personen",
            post(|| async { "x".repeat(MAX_RESPONSE_BYTES + 1) }),
        )
        .route(
            "/baddate/personen",
            post(|| async {
                Json(json!({"personen": [{"burgerservicenummer": "999993653",
                    "geboorte": {"datum": {"type": "Datum", "datum": "1985-13-01"}}}]}))
            }),
        );
    format!("http://{}", serve(router).await)
}

#[tokio::test]
async fn service_failures_give_clear_errors_without_personal_data() {
    let base = failing_server().await;
    let bsn = Bsn::parse("999993653").unwrap();
    let get = |path: &str| {
        let http = client(&format!("{base}/{path}"), "k");
        let bsn = bsn.clone();
        async move { http.get(&bsn).await }
    };
    assert!(matches!(
        get("down").await,
        Err(SourceError::Unavailable(_))
    ));
    assert!(matches!(
        get("garbage").await,
        Err(SourceError::BadResponse(_))
    ));
    assert_eq!(get("missing").await, Ok(None));
    assert!(matches!(
        get("shape").await,
        Err(SourceError::BadResponse(_))
    ));
    assert!(matches!(
        get("huge").await,
        Err(SourceError::BadResponse(_))
    ));
    assert!(matches!(
        get("baddate").await,
        Err(SourceError::BadResponse(_))
    ));
    for path in ["down", "garbage", "huge", "baddate"] {
        let message = get(path).await.unwrap_err().to_string();
        assert!(!message.contains("999993653"), "{message}");
    }
    // Nothing listening at all.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let http = client(&format!("http://{closed}"), "k");
    assert!(matches!(
        http.get(&bsn).await,
        Err(SourceError::Unavailable(_))
    ));
}
