//! Every BRP test person loads from the fixtures with the details the issuer relies on.
use regie_issuer::person::*;

fn source() -> FixtureSource {
    FixtureSource::embedded().unwrap()
}

async fn person(bsn: &str) -> Person {
    source()
        .get(&Bsn::parse(bsn).unwrap())
        .await
        .unwrap()
        .unwrap()
}

fn date(iso: &str) -> PartialDate {
    PartialDate::parse_iso(iso).unwrap()
}

fn describe(history: &[AddressPeriod]) -> Vec<(String, Option<String>, Option<String>)> {
    history
        .iter()
        .map(|p| {
            (
                p.residence.describe(),
                p.from.iso(),
                p.to.and_then(|t| t.iso()),
            )
        })
        .collect()
}

#[tokio::test]
async fn all_eleven_persons_load_with_name_birth_and_residence() {
    let list = source().list().await.unwrap();
    assert_eq!(list.len(), 11);
    for summary in list {
        let p = source().get(&summary.bsn).await.unwrap().unwrap();
        assert!(p.bsn.as_str().starts_with("9999"));
        assert!(!p.name.family_name.is_empty());
        assert_ne!(p.birth.date, PartialDate::Unknown, "{}", p.bsn);
        assert!(p.residence.is_some(), "{}", p.bsn);
        assert!(!p.address_history.is_empty(), "{}", p.bsn);
        // The history is chronological and only its last period is open.
        assert!(p.address_history.windows(2).all(|w| w[0].from < w[1].from));
        assert!(p.address_history[..p.address_history.len() - 1]
            .iter()
            .all(|period| period.to.is_some()));
        assert_eq!(p.address_history.last().unwrap().to, None);
        // Where the two mocks disagree (999990160), the person record wins: the history
        // ends with the current residence.
        assert_eq!(
            p.address_history.last().unwrap(),
            p.residence.as_ref().unwrap(),
            "{}",
            p.bsn
        );
    }
}

#[tokio::test]
async fn gerrit_den_braber_prefix_addition_and_history() {
    let p = person("999994542").await;
    assert_eq!(p.name.full(), "Gerrit den Braber");
    assert_eq!(p.name.prefix.as_deref(), Some("den"));
    let Some(AddressPeriod {
        residence: Residence::Address(a),
        from,
        ..
    }) = &p.residence
    else {
        panic!("no address");
    };
    assert_eq!(a.house_number_addition.as_deref(), Some("H"));
    assert_eq!(a.street_line(), "Schakelstraat 14 H");
    assert_eq!(*from, date("1997-03-02"));
    assert_eq!(p.municipality.as_deref(), Some("Amsterdam"));
    assert_eq!(
        describe(&p.address_history),
        vec![
            (
                "Jacob Catsstraat 325, 2515GK".into(),
                Some("1992-02-01".into()),
                Some("1997-03-02".into())
            ),
            (
                "Schakelstraat 14 H, 1014AW Amsterdam".into(),
                Some("1997-03-02".into()),
                None
            ),
        ]
    );
}

#[tokio::test]
async fn minors_have_both_custodians() {
    for minor in ["999995807", "999995832"] {
        let mut custodians: Vec<String> = person(minor)
            .await
            .custodians
            .iter()
            .map(|b| b.as_str().to_owned())
            .collect();
        custodians.sort();
        assert_eq!(custodians, vec!["999993112", "999994542"], "{minor}");
    }
    assert!(person("999994542").await.custodians.is_empty());
}

#[tokio::test]
async fn custodians_have_their_minors_with_names_and_birth_dates() {
    for parent in ["999994542", "999993112"] {
        let wards: Vec<(String, CustodyKind, String, Option<PartialDate>)> = person(parent)
            .await
            .custody
            .iter()
            .map(|w| {
                (
                    w.bsn.as_str().to_owned(),
                    w.kind,
                    w.name.as_ref().map(Name::full).unwrap_or_default(),
                    w.birth_date,
                )
            })
            .collect();
        assert_eq!(
            wards,
            vec![
                (
                    "999995807".into(),
                    CustodyKind::BothParents,
                    "Zoey den Braber".into(),
                    Some(date("2018-11-14"))
                ),
                (
                    "999995832".into(),
                    CustodyKind::BothParents,
                    "Alexander den Braber".into(),
                    Some(date("2009-05-29"))
                ),
            ],
            "{parent}"
        );
    }
    // The minors themselves, Suzanne Moulin (no children) and Erebos (custody could not be
    // determined) have custody of nobody.
    for bsn in ["999995807", "999995832", "999993653", "999990019"] {
        assert!(person(bsn).await.custody.is_empty(), "{bsn}");
    }
}

#[tokio::test]
async fn co_tenancy_address_has_four_residents_with_since_dates() {
    let p = person("999993112").await;
    let residents = source()
        .residents_at(&p.residence.as_ref().unwrap().residence)
        .await
        .unwrap();
    let got: Vec<(String, Option<String>)> = residents
        .iter()
        .map(|(n, since)| (n.full(), since.iso()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Gerrit den Braber".into(), Some("1997-03-02".into())),
            ("Wilma van Zon".into(), Some("1997-05-01".into())),
            ("Alexander den Braber".into(), Some("2009-05-29".into())),
            ("Zoey den Braber".into(), Some("2018-11-14".into())),
        ]
    );
}

#[tokio::test]
async fn emigration_and_return_shows_the_foreign_address() {
    let p = person("999996320").await;
    let abroad: Vec<&AddressPeriod> = p
        .address_history
        .iter()
        .filter(|period| matches!(period.residence, Residence::Abroad { .. }))
        .collect();
    assert_eq!(abroad.len(), 1);
    let Residence::Abroad { country, lines } = &abroad[0].residence else {
        unreachable!()
    };
    assert_eq!(country, "Thailand");
    assert!(lines.iter().any(|l| l.contains("Bangkok")));
    assert_eq!(abroad[0].from, date("2016-06-29"));
    assert_eq!(abroad[0].to, Some(date("2019-10-03")));
    assert_eq!(p.residence.unwrap().from, date("2019-10-03"));
}

#[tokio::test]
async fn unicode_names_titles_houseboat_and_kiribati() {
    let p = person("999994669").await;
    assert_eq!(p.name.given_names, "Żáïŀëñøŕ Åłéèç Đëļŧå");
    assert_eq!(p.name.prefix.as_deref(), Some("'S"));
    assert_eq!(p.name.noble_title.as_deref(), Some("jonkvrouw"));
    assert!(!p.partner_names.is_empty());
    let kinds: Vec<String> = p
        .address_history
        .iter()
        .map(|a| a.residence.describe())
        .collect();
    assert!(kinds.iter().any(|k| k.contains("Woonboot")), "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "Kiribati"), "{kinds:?}");
    assert_eq!(
        person("999992922").await.name.noble_title.as_deref(),
        Some("graaf")
    );
    let Some(AddressPeriod {
        residence: Residence::Address(a),
        ..
    }) = person("999990160").await.residence
    else {
        panic!("no address")
    };
    assert_eq!(a.house_letter.as_deref(), Some("A"));
}

#[tokio::test]
async fn secrecy_and_investigation_flags() {
    assert!(person("999993872").await.secrecy);
    assert!(!person("999993653").await.secrecy);
    assert!(person("999990019").await.under_investigation);
    assert!(!person("999993653").await.under_investigation);
}

#[tokio::test]
async fn foreign_born_nationality() {
    let p = person("999993653").await;
    assert_eq!(p.nationalities, vec!["Franse"]);
    assert_eq!(p.sex, "vrouw");
}

#[tokio::test]
async fn unknown_bsn_is_none() {
    // Passes the eleven test, but is not in the register.
    let unknown = Bsn::parse("111222333").unwrap();
    assert_eq!(source().get(&unknown).await.unwrap(), None);
}

#[tokio::test]
async fn a_move_closes_the_old_period_and_opens_the_new() {
    let source = source();
    let bsn = Bsn::parse("999993653").unwrap();
    let new = Address {
        street: "Coolsingel".into(),
        house_number: Some(40),
        postal_code: Some("3011AD".into()),
        locality: Some("Rotterdam".into()),
        ..Default::default()
    };
    let moved = source
        .record_move(&bsn, new.clone(), "Rotterdam", date("2026-11-01"))
        .await
        .unwrap();
    assert_eq!(
        moved.residence.as_ref().unwrap().residence,
        Residence::Address(new)
    );
    let history = &moved.address_history;
    assert_eq!(history[history.len() - 2].to, Some(date("2026-11-01")));
    assert_eq!(history.last().unwrap().to, None);
    // The source remembers the move.
    assert_eq!(source.get(&bsn).await.unwrap().unwrap(), moved);
    // A move dated before the current address began is refused and changes nothing.
    assert_eq!(
        source
            .record_move(&bsn, Address::default(), "X", date("2000-01-01"))
            .await,
        Err(SourceError::MoveBeforeCurrent)
    );
    assert_eq!(source.get(&bsn).await.unwrap().unwrap(), moved);
    assert_eq!(
        source
            .record_move(
                &Bsn::parse("111222333").unwrap(),
                Address::default(),
                "X",
                date("2027-01-01")
            )
            .await,
        Err(SourceError::NotFound)
    );
}

#[tokio::test]
async fn bad_fixture_files_are_refused() {
    assert!(matches!(
        FixtureSource::from_json("{", "{}"),
        Err(SourceError::BadData(_))
    ));
    let bad_bsn = r#"[{"burgerservicenummer": "123456789", "naam": {"geslachtsnaam": "X"}}]"#;
    assert!(matches!(
        FixtureSource::from_json(bad_bsn, "{}"),
        Err(SourceError::BadData(_))
    ));
    let bad_date = r#"[{"burgerservicenummer": "999993653", "naam": {"geslachtsnaam": "X"}, "geboorte": {"datum": "19851301"}}]"#;
    assert!(matches!(
        FixtureSource::from_json(bad_date, "{}"),
        Err(SourceError::BadData(_))
    ));
    assert!(matches!(
        FixtureSource::from_dir(std::path::Path::new("/nonexistent")),
        Err(SourceError::Io(_))
    ));
}
