//! DCQL (OpenID4VP 1.0 §6): spec examples, validity rules, wallet matching, verifier check.

use protocol::claim_path::{ClaimPath, ClaimPathError};
use protocol::dcql::{
    check_presented, match_credentials, ClaimValue, DcqlError, DcqlQuery, HeldCredential, Limit,
    PresentedCredential, ResponseError, MAX_CLAIMS_PER_QUERY, MAX_CLAIM_SETS,
    MAX_CREDENTIAL_QUERIES, MAX_CREDENTIAL_SETS, MAX_OPTIONS_PER_SET, MAX_QUERY_BYTES, MAX_VALUES,
};
use serde_json::{json, Value};

const BRP: &str = "urn:regie:uittreksel-brp:1";
const WOON: &str = "urn:regie:woonhistorie:1";
const DIPLOMA: &str = "urn:regie:diploma:1";

// ---------------------------------------------------------------------------------------
// Spec examples (OpenID4VP 1.0 §6.5 and Appendix D), verbatim from the specification's
// examples/query_lang directory. The mdoc ones parse too: their `meta` is kept as given.

const SIMPLE: &str = r#"{
  "credentials": [
    {
      "id": "my_credential",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": [ "https://credentials.example.com/identity_credential" ]
      },
      "claims": [
          {"path": ["family_name"]},
          {"path": ["given_name"]},
          {"path": ["address", "street_address"]}
      ]
    }
  ]
}"#;

const SIMPLE_MDOC: &str = r#"{
  "credentials": [
    {
      "id": "my_credential",
      "format": "mso_mdoc",
      "meta": {
        "doctype_value": "org.iso.7367.1.mVRC"
      },
      "claims": [
        {"path": ["org.iso.7367.1", "vehicle_holder"]},
        {"path": ["org.iso.18013.5.1", "given_name"]}
      ]
    }
  ]
}"#;

const MULTI_CREDENTIALS: &str = r#"{
  "credentials": [
    {
      "id": "pid",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://credentials.example.com/identity_credential"]
      },
      "claims": [
        {"path": ["given_name"]},
        {"path": ["family_name"]},
        {"path": ["address", "street_address"]}
      ]
    },
    {
      "id": "mdl",
      "format": "mso_mdoc",
      "meta": {
        "doctype_value": "org.iso.7367.1.mVRC"
      },
      "claims": [
        {"path": ["org.iso.7367.1", "vehicle_holder"]},
        {"path": ["org.iso.18013.5.1", "given_name"]}
      ]
    }
]
}"#;

const CREDENTIALS_ALTERNATIVES: &str = r#"{
  "credentials": [
    {
      "id": "pid",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://credentials.example.com/identity_credential"]
      },
      "claims": [
        {"path": ["given_name"]},
        {"path": ["family_name"]},
        {"path": ["address", "street_address"]}
      ]
    },
    {
      "id": "other_pid",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://othercredentials.example/pid"]
      },
      "claims": [
        {"path": ["given_name"]},
        {"path": ["family_name"]},
        {"path": ["address", "street_address"]}
      ]
    },
    {
      "id": "pid_reduced_cred_1",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://credentials.example.com/reduced_identity_credential"]
      },
      "claims": [
        {"path": ["family_name"]},
        {"path": ["given_name"]}
      ]
    },
    {
      "id": "pid_reduced_cred_2",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://cred.example/residence_credential"]
      },
      "claims": [
        {"path": ["postal_code"]},
        {"path": ["locality"]},
        {"path": ["region"]}
      ]
    },
    {
      "id": "nice_to_have",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://company.example/company_rewards"]
      },
      "claims": [
        {"path": ["rewards_number"]}
      ]
    }
  ],
  "credential_sets": [
    {
      "options": [
        [ "pid" ],
        [ "other_pid" ],
        [ "pid_reduced_cred_1", "pid_reduced_cred_2" ]
      ]
    },
    {
      "required": false,
      "options": [
        [ "nice_to_have" ]
      ]
    }
  ]
}"#;

const COMPLEX_MDOC: &str = r#"{
  "credentials": [
    {
      "id": "mdl-id",
      "format": "mso_mdoc",
      "meta": { "doctype_value": "org.iso.18013.5.1.mDL" },
      "claims": [
        { "id": "given_name", "path": ["org.iso.18013.5.1", "given_name"] },
        { "id": "family_name", "path": ["org.iso.18013.5.1", "family_name"] },
        { "id": "portrait", "path": ["org.iso.18013.5.1", "portrait"] }
      ]
    },
    {
      "id": "mdl-address",
      "format": "mso_mdoc",
      "meta": { "doctype_value": "org.iso.18013.5.1.mDL" },
      "claims": [
        { "id": "resident_address", "path": ["org.iso.18013.5.1", "resident_address"] },
        { "id": "resident_country", "path": ["org.iso.18013.5.1", "resident_country"] }
      ]
    },
    {
      "id": "photo_card-id",
      "format": "mso_mdoc",
      "meta": { "doctype_value": "org.iso.23220.photoid.1" },
      "claims": [
        { "id": "given_name", "path": ["org.iso.18013.5.1", "given_name"] },
        { "id": "family_name", "path": ["org.iso.18013.5.1", "family_name"] },
        { "id": "portrait", "path": ["org.iso.18013.5.1", "portrait"] }
      ]
    },
    {
      "id": "photo_card-address",
      "format": "mso_mdoc",
      "meta": { "doctype_value": "org.iso.23220.photoid.1" },
      "claims": [
        { "id": "resident_address", "path": ["org.iso.18013.5.1", "resident_address"] },
        { "id": "resident_country", "path": ["org.iso.18013.5.1", "resident_country"] }
      ]
    }
  ],
  "credential_sets": [
    { "options": [ [ "mdl-id" ], [ "photo_card-id" ] ] },
    { "required": false, "options": [ [ "mdl-address" ], [ "photo_card-address" ] ] }
  ]
}"#;

const CLAIMS_ALTERNATIVES: &str = r#"{
  "credentials": [
    {
      "id": "pid",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": [ "https://credentials.example.com/identity_credential" ]
      },
      "claims": [
        {"id": "a", "path": ["family_name"]},
        {"id": "b", "path": ["postal_code"]},
        {"id": "c", "path": ["locality"]},
        {"id": "d", "path": ["region"]},
        {"id": "e", "path": ["date_of_birth"]}
      ],
      "claim_sets": [
        ["a", "c", "d", "e"],
        ["a", "b", "e"]
      ]
    }
  ]
}"#;

const VALUE_MATCHING_SIMPLE: &str = r#"{
  "credentials": [
    {
      "id": "my_credential",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": [ "https://credentials.example.com/identity_credential" ]
      },
      "claims": [
          { "path": ["family_name"], "values": ["Doe"] },
          {"path": ["given_name"]},
          {"path": ["address", "street_address"]},
          { "path": ["postal_code"], "values": ["90210", "90211"] }
      ]
    }
  ]
}"#;

const SPEC_EXAMPLES: [&str; 7] = [
    SIMPLE,
    SIMPLE_MDOC,
    MULTI_CREDENTIALS,
    CREDENTIALS_ALTERNATIVES,
    COMPLEX_MDOC,
    CLAIMS_ALTERNATIVES,
    VALUE_MATCHING_SIMPLE,
];

#[test]
fn spec_examples_parse_and_serialize_back_unchanged() {
    for text in SPEC_EXAMPLES {
        let query = DcqlQuery::parse(text).unwrap_or_else(|e| panic!("{e}: {text}"));
        let original: Value = serde_json::from_str(text).unwrap();
        assert_eq!(query.to_json_value(), original);
        assert_eq!(DcqlQuery::parse(text.as_bytes()).unwrap(), query);
    }
}

#[test]
fn spec_examples_expose_their_structure() {
    let q = DcqlQuery::parse(CREDENTIALS_ALTERNATIVES).unwrap();
    assert_eq!(q.credentials().len(), 5);
    let sets = q.credential_sets().unwrap();
    assert!(sets[0].required());
    assert!(!sets[1].required());
    assert_eq!(
        sets[0].options()[2],
        ["pid_reduced_cred_1", "pid_reduced_cred_2"]
    );

    let q = DcqlQuery::parse(VALUE_MATCHING_SIMPLE).unwrap();
    let claims = q.credentials()[0].claims().unwrap();
    assert_eq!(
        claims[3].values().unwrap(),
        [
            ClaimValue::String("90210".into()),
            ClaimValue::String("90211".into())
        ]
    );
    assert_eq!(
        claims[2].path(),
        &ClaimPath::keys(["address", "street_address"]).unwrap()
    );

    let q = DcqlQuery::parse(SIMPLE_MDOC).unwrap();
    assert_eq!(q.credentials()[0].meta().vct_values(), None);
    assert_eq!(
        q.credentials()[0].meta().other()["doctype_value"],
        "org.iso.7367.1.mVRC"
    );
}

#[test]
fn defaults_follow_the_spec() {
    let q = DcqlQuery::parse(CREDENTIALS_ALTERNATIVES).unwrap();
    let cq = &q.credentials()[0];
    assert!(!cq.multiple());
    assert!(cq.require_cryptographic_holder_binding());
    assert!(cq.trusted_authorities().is_none());
    assert!(cq.claim_sets().is_none());
}

#[test]
fn unknown_properties_are_ignored_and_dropped() {
    let text = json!({
        "credentials": [{
            "id": "brp", "format": "dc+sd-jwt", "future": {"x": [1, 2]},
            "meta": {"vct_values": [BRP], "future_meta": true},
            "claims": [{"path": ["bsn"], "future_claim": 1}]
        }],
        "credential_sets": [{"options": [["brp"]], "future_set": "x"}],
        "future_top": null
    });
    let q = DcqlQuery::parse(text.to_string()).unwrap();
    // Unknown `meta` members are format metadata and are kept; others are dropped.
    assert_eq!(
        q.to_json_value(),
        json!({
            "credentials": [{
                "id": "brp", "format": "dc+sd-jwt",
                "meta": {"vct_values": [BRP], "future_meta": true},
                "claims": [{"path": ["bsn"]}]
            }],
            "credential_sets": [{"options": [["brp"]]}]
        })
    );
}

#[test]
fn optional_members_round_trip() {
    let text = json!({
        "credentials": [{
            "id": "brp", "format": "dc+sd-jwt", "multiple": true,
            "meta": {"vct_values": [BRP, WOON]},
            "trusted_authorities": [{"type": "aki", "values": ["s9tIpPmhxdiuNkHMEWNpYim8S8Y"]}],
            "require_cryptographic_holder_binding": false,
            "claims": [
                {"id": "age", "path": ["age_over_18"], "values": [true]},
                {"id": "nr", "path": ["address", "house_number"], "values": [31, -2]},
                {"id": "all", "path": ["addresses", null, "street"]}
            ],
            "claim_sets": [["age"], ["nr", "all"], []]
        }],
        "credential_sets": [{"options": [["brp"]], "required": false, "purpose": "Huur"}]
    });
    let q = DcqlQuery::parse(text.to_string()).unwrap();
    assert_eq!(q.to_json_value(), text);
    let cq = q.credential("brp").unwrap();
    assert!(cq.multiple());
    assert!(!cq.require_cryptographic_holder_binding());
    assert_eq!(cq.trusted_authorities().unwrap()[0].kind(), "aki");
    assert_eq!(
        q.credential_sets().unwrap()[0].purpose(),
        Some(&json!("Huur"))
    );
    // Deserialize runs the same validation, for queries embedded in larger documents.
    let embedded: DcqlQuery = serde_json::from_value(text.clone()).unwrap();
    assert_eq!(embedded, q);
    assert_eq!(DcqlQuery::from_json_value(&text).unwrap(), q);
}

// ---------------------------------------------------------------------------------------
// Validity rules: one crafted bad query per rule.

/// A valid `dc+sd-jwt` credential query with `fields` merged in (null removes a member).
fn credential(id: &str, fields: Value) -> Value {
    let mut base = json!({"id": id, "format": "dc+sd-jwt", "meta": {"vct_values": [BRP]}});
    if let (Some(map), Value::Object(extra)) = (base.as_object_mut(), fields) {
        for (k, v) in extra {
            if v.is_null() {
                map.remove(&k);
            } else {
                map.insert(k, v);
            }
        }
    }
    base
}

fn single(fields: Value) -> Value {
    json!({"credentials": [credential("brp", fields)]})
}

fn rejection(query: Value) -> DcqlError {
    match DcqlQuery::parse(query.to_string()) {
        Ok(q) => panic!("accepted: {q:?}"),
        Err(e) => e,
    }
}

#[test]
fn the_baseline_used_by_rejection_tests_is_valid() {
    assert!(DcqlQuery::parse(single(json!({})).to_string()).is_ok());
}

#[test]
fn rejects_input_that_is_not_a_query() {
    for bad in [
        &b"not json"[..],
        b"",
        b"[]",
        b"{}",
        b"{\"credentials\": {}}",
        b"\xff\xfe",
    ] {
        assert!(
            matches!(DcqlQuery::parse(bad), Err(DcqlError::Malformed(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn rejects_missing_required_members() {
    for member in ["id", "format", "meta"] {
        let bad = single(json!({ member: null }));
        assert!(
            matches!(rejection(bad), DcqlError::Malformed(_)),
            "{member}"
        );
    }
    let no_options =
        json!({"credentials": [credential("brp", json!({}))], "credential_sets": [{}]});
    assert!(matches!(rejection(no_options), DcqlError::Malformed(_)));
    let no_path = single(json!({"claims": [{"id": "a"}]}));
    assert!(matches!(rejection(no_path), DcqlError::Malformed(_)));
}

#[test]
fn rejects_empty_credentials() {
    assert_eq!(
        rejection(json!({"credentials": []})),
        DcqlError::NoCredentialQueries
    );
}

#[test]
fn rejects_invalid_credential_query_ids() {
    for bad in [
        "",
        "my credential",
        "brp.1",
        "brp/1",
        "ïd",
        &"a".repeat(129),
    ] {
        assert_eq!(
            rejection(single(json!({ "id": bad }))),
            DcqlError::InvalidCredentialQueryId(bad.to_owned())
        );
    }
    assert!(DcqlQuery::parse(single(json!({"id": "A-z_09"})).to_string()).is_ok());
}

#[test]
fn rejects_duplicate_credential_query_ids() {
    let bad = json!({"credentials": [credential("brp", json!({})), credential("brp", json!({}))]});
    assert_eq!(
        rejection(bad),
        DcqlError::DuplicateCredentialQueryId("brp".into())
    );
}

#[test]
fn rejects_empty_claims() {
    assert_eq!(
        rejection(single(json!({"claims": []}))),
        DcqlError::EmptyClaims("brp".into())
    );
}

#[test]
fn rejects_invalid_claim_ids() {
    let bad = single(json!({"claims": [{"id": "a b", "path": ["bsn"]}]}));
    assert_eq!(
        rejection(bad),
        DcqlError::InvalidClaimId {
            query: "brp".into(),
            claim: "a b".into()
        }
    );
}

#[test]
fn rejects_duplicate_claim_ids() {
    let bad = single(json!({"claims": [
        {"id": "a", "path": ["bsn"]},
        {"id": "a", "path": ["given_name"]}
    ]}));
    assert_eq!(
        rejection(bad),
        DcqlError::DuplicateClaimId {
            query: "brp".into(),
            claim: "a".into()
        }
    );
}

#[test]
fn rejects_claims_without_id_when_claim_sets_present() {
    let bad = single(json!({
        "claims": [{"id": "a", "path": ["bsn"]}, {"path": ["given_name"]}],
        "claim_sets": [["a"]]
    }));
    assert_eq!(rejection(bad), DcqlError::MissingClaimId("brp".into()));
}

#[test]
fn rejects_invalid_claim_paths() {
    let cases = [
        (json!([]), ClaimPathError::BadLength),
        (json!("bsn"), ClaimPathError::BadLength),
        (json!(["a", true]), ClaimPathError::BadComponent),
        (json!([-1]), ClaimPathError::BadComponent),
    ];
    for (path, error) in cases {
        assert_eq!(
            rejection(single(json!({"claims": [{"path": path}]}))),
            DcqlError::InvalidClaimPath {
                query: "brp".into(),
                source: error
            }
        );
    }
}

#[test]
fn rejects_empty_values() {
    let bad = single(json!({"claims": [{"path": ["bsn"], "values": []}]}));
    assert_eq!(rejection(bad), DcqlError::EmptyValues("brp".into()));
}

#[test]
fn rejects_values_that_are_not_strings_integers_or_booleans() {
    for value in [
        json!(1.5),
        json!(null),
        json!({}),
        json!(["FR"]),
        json!(1e3),
    ] {
        let bad = single(json!({"claims": [{"path": ["bsn"], "values": ["ok", value]}]}));
        assert_eq!(rejection(bad), DcqlError::InvalidValue("brp".into()));
    }
}

#[test]
fn rejects_claim_sets_without_claims() {
    let bad = single(json!({"claim_sets": [["a"]]}));
    assert_eq!(
        rejection(bad),
        DcqlError::ClaimSetsWithoutClaims("brp".into())
    );
}

#[test]
fn rejects_empty_claim_sets() {
    let bad = single(json!({"claims": [{"id": "a", "path": ["bsn"]}], "claim_sets": []}));
    assert_eq!(rejection(bad), DcqlError::EmptyClaimSets("brp".into()));
}

#[test]
fn rejects_claim_sets_naming_unknown_claims() {
    let bad = single(json!({
        "claims": [{"id": "a", "path": ["bsn"]}],
        "claim_sets": [["a"], ["a", "b"]]
    }));
    assert_eq!(
        rejection(bad),
        DcqlError::UnknownClaimId {
            query: "brp".into(),
            claim: "b".into()
        }
    );
}

#[test]
fn rejects_sd_jwt_queries_without_vct_values() {
    let bad = single(json!({"meta": {}}));
    assert_eq!(rejection(bad), DcqlError::MissingVctValues("brp".into()));
}

#[test]
fn rejects_malformed_vct_values() {
    for vct_values in [json!([]), json!(BRP), json!([1]), json!([""]), json!(null)] {
        let bad = single(json!({"meta": {"vct_values": vct_values}}));
        assert_eq!(
            rejection(bad),
            DcqlError::InvalidVctValues("brp".into()),
            "{vct_values}"
        );
    }
}

#[test]
fn rejects_empty_trusted_authorities() {
    for ta in [json!([]), json!([{"type": "aki", "values": []}])] {
        let bad = single(json!({ "trusted_authorities": ta }));
        assert_eq!(
            rejection(bad),
            DcqlError::InvalidTrustedAuthorities("brp".into())
        );
    }
}

#[test]
fn rejects_empty_credential_sets() {
    let bad = json!({"credentials": [credential("brp", json!({}))], "credential_sets": []});
    assert_eq!(rejection(bad), DcqlError::EmptyCredentialSets);
}

#[test]
fn rejects_credential_sets_without_options() {
    let bad = json!({
        "credentials": [credential("brp", json!({}))],
        "credential_sets": [{"options": [["brp"]]}, {"options": []}]
    });
    assert_eq!(rejection(bad), DcqlError::EmptyOptions(1));
}

#[test]
fn rejects_empty_options() {
    let bad = json!({
        "credentials": [credential("brp", json!({}))],
        "credential_sets": [{"options": [["brp"], []]}]
    });
    assert_eq!(rejection(bad), DcqlError::EmptyOption(0));
}

#[test]
fn rejects_options_naming_unknown_credential_queries() {
    let bad = json!({
        "credentials": [credential("brp", json!({}))],
        "credential_sets": [{"options": [["brp", "woon"]]}]
    });
    assert_eq!(
        rejection(bad),
        DcqlError::UnknownCredentialQueryId("woon".into())
    );
}

#[test]
fn rejects_oversized_input() {
    let mut text = single(json!({})).to_string();
    text.push_str(&" ".repeat(MAX_QUERY_BYTES + 1 - text.len()));
    assert_eq!(DcqlQuery::parse(&text), Err(DcqlError::TooLarge));
    text.pop();
    assert!(DcqlQuery::parse(&text).is_ok());
}

#[test]
fn rejects_too_many_credential_queries() {
    let many = |n: usize| json!({"credentials": (0..n).map(|i| credential(&format!("c{i}"), json!({}))).collect::<Vec<_>>()});
    assert!(DcqlQuery::parse(many(MAX_CREDENTIAL_QUERIES).to_string()).is_ok());
    assert_eq!(
        rejection(many(MAX_CREDENTIAL_QUERIES + 1)),
        DcqlError::TooMany(Limit::CredentialQueries)
    );
}

#[test]
fn rejects_too_many_claims_values_and_sets() {
    let claims: Vec<Value> = (0..=MAX_CLAIMS_PER_QUERY)
        .map(|i| json!({"path": [format!("c{i}")]}))
        .collect();
    assert_eq!(
        rejection(single(json!({ "claims": claims }))),
        DcqlError::TooMany(Limit::Claims)
    );

    let values: Vec<Value> = (0..=MAX_VALUES).map(|i| json!(i)).collect();
    assert_eq!(
        rejection(single(
            json!({"claims": [{"path": ["bsn"], "values": values}]})
        )),
        DcqlError::TooMany(Limit::Values)
    );

    let claim_sets = vec![json!(["a"]); MAX_CLAIM_SETS + 1];
    assert_eq!(
        rejection(single(json!({
            "claims": [{"id": "a", "path": ["bsn"]}],
            "claim_sets": claim_sets
        }))),
        DcqlError::TooMany(Limit::ClaimSets)
    );

    let credentials = json!([credential("brp", json!({}))]);
    let sets = vec![json!({"options": [["brp"]]}); MAX_CREDENTIAL_SETS + 1];
    assert_eq!(
        rejection(json!({"credentials": credentials, "credential_sets": sets})),
        DcqlError::TooMany(Limit::CredentialSets)
    );

    let options = vec![json!(["brp"]); MAX_OPTIONS_PER_SET + 1];
    assert_eq!(
        rejection(json!({"credentials": credentials, "credential_sets": [{"options": options}]})),
        DcqlError::TooMany(Limit::Options)
    );
}

#[test]
fn embedded_deserialization_validates_too() {
    let bad = json!({"credentials": []});
    assert!(serde_json::from_value::<DcqlQuery>(bad.clone()).is_err());
    assert_eq!(
        DcqlQuery::from_json_value(&bad),
        Err(DcqlError::NoCredentialQueries)
    );
}

#[test]
fn parse_never_panics_on_mangled_examples() {
    // A cheap deterministic stand-in for the fuzzer: truncations and byte substitutions
    // of every spec example.
    let replacements = [
        b'"', b'[', b']', b'{', b'}', b'0', b'-', b',', b'\\', 0xff, b':',
    ];
    for text in SPEC_EXAMPLES {
        let bytes = text.as_bytes();
        for cut in (0..bytes.len()).step_by(7) {
            let _ = DcqlQuery::parse(&bytes[..cut]);
        }
        for (i, _) in bytes.iter().enumerate().step_by(5) {
            for r in replacements {
                let mut mangled = bytes.to_vec();
                mangled[i] = r;
                let _ = DcqlQuery::parse(&mangled);
            }
        }
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(DcqlQuery::parse(&deep).is_err());
    let deep_meta = format!(
        r#"{{"credentials":[{{"id":"a","format":"x","meta":{{"x":{}}}}}]}}"#,
        "[".repeat(4000)
    );
    assert!(DcqlQuery::parse(&deep_meta).is_err());
}

// ---------------------------------------------------------------------------------------
// Wallet matching against a BRP extract and an address history.

fn brp_claims() -> Value {
    json!({
        "bsn": "999993653",
        "given_name": "Suzanne",
        "family_name": "Moulin",
        "birthdate": "1985-05-09",
        "address": {
            "street": "Boterdiep",
            "house_number": 31,
            "postal_code": "3077AW",
            "locality": "Rotterdam"
        },
        "nationalities": ["FR"],
        "age_over_18": true
    })
}

fn woon_claims() -> Value {
    json!({
        "addresses": [
            {"street": "Vredesplein", "house_number": 7, "locality": "Rotterdam",
             "date_from": "2013-01-01", "date_to": "2015-08-08"},
            {"street": "Boterdiep", "house_number": 31, "locality": "Rotterdam",
             "date_from": "2015-08-08"}
        ]
    })
}

struct Wallet {
    brp: Value,
    woon: Value,
}

impl Wallet {
    fn new() -> Self {
        Wallet {
            brp: brp_claims(),
            woon: woon_claims(),
        }
    }

    fn held(&self) -> Vec<HeldCredential<'_>> {
        vec![
            HeldCredential {
                id: "cred-brp",
                format: "dc+sd-jwt",
                vct: BRP,
                claims: &self.brp,
                holder_binding: true,
                disclosable_arrays: &[],
            },
            HeldCredential {
                id: "cred-woon",
                format: "dc+sd-jwt",
                vct: WOON,
                claims: &self.woon,
                holder_binding: true,
                disclosable_arrays: &[],
            },
        ]
    }
}

fn sd_jwt_query(id: &str, vct: &str, fields: Value) -> Value {
    let mut q = credential(id, fields);
    q["meta"]["vct_values"] = json!([vct]);
    q
}

fn parse(query: Value) -> DcqlQuery {
    DcqlQuery::parse(query.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn path(v: Value) -> ClaimPath {
    ClaimPath::from_json_value(&v).unwrap()
}

#[test]
fn simple_match_discloses_the_requested_claims() {
    let wallet = Wallet::new();
    let query = parse(
        json!({"credentials": [sd_jwt_query("id", BRP, json!({"claims": [
            {"path": ["given_name"]},
            {"path": ["family_name"]},
            {"path": ["address", "postal_code"]}
        ]}))]}),
    );
    let m = match_credentials(&query, &wallet.held());
    assert!(m.satisfied);
    assert!(m.missing.is_empty());
    assert_eq!(m.selected_query_ids(), ["id"]);
    let candidates = &m.query("id").unwrap().candidates;
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0].credential_id, "cred-brp");
    assert_eq!(candidates[0].claim_set, None);
    assert_eq!(
        candidates[0].disclose,
        [
            path(json!(["given_name"])),
            path(json!(["family_name"])),
            path(json!(["address", "postal_code"]))
        ]
    );
}

#[test]
fn wildcard_paths_are_kept_for_the_presentation_layer() {
    let wallet = Wallet::new();
    let query = parse(
        json!({"credentials": [sd_jwt_query("hist", WOON, json!({"claims": [
            {"path": ["addresses", null, "date_from"]},
            {"path": ["addresses", 0, "date_to"]}
        ]}))]}),
    );
    let m = match_credentials(&query, &wallet.held());
    assert!(m.satisfied);
    let candidate = &m.query("hist").unwrap().candidates[0];
    assert_eq!(candidate.credential_id, "cred-woon");
    assert_eq!(
        candidate.disclose,
        [
            path(json!(["addresses", null, "date_from"])),
            path(json!(["addresses", 0, "date_to"]))
        ]
    );
}

#[test]
fn a_missing_claim_means_no_candidate() {
    let wallet = Wallet::new();
    for missing in [json!(["addresses", 1, "date_to"]), json!(["addresses", 5])] {
        let query = parse(json!({"credentials": [sd_jwt_query("hist", WOON, json!({
            "claims": [{"path": missing}]
        }))]}));
        let m = match_credentials(&query, &wallet.held());
        assert!(!m.satisfied, "{missing}");
        assert_eq!(m.missing, ["hist"]);
    }
}

#[test]
fn duplicate_claim_queries_collapse() {
    let wallet = Wallet::new();
    let query = parse(
        json!({"credentials": [sd_jwt_query("id", BRP, json!({"claims": [
            {"path": ["bsn"]}, {"path": ["bsn"]}
        ]}))]}),
    );
    let m = match_credentials(&query, &wallet.held());
    assert_eq!(
        m.query("id").unwrap().candidates[0].disclose,
        [path(json!(["bsn"]))]
    );
}

#[test]
fn values_match_exactly_by_type_and_value() {
    let wallet = Wallet::new();
    let matching = [
        (json!(["age_over_18"]), json!([true])),
        (json!(["address", "house_number"]), json!([30, 31])),
        (
            json!(["address", "locality"]),
            json!(["Amsterdam", "Rotterdam"]),
        ),
    ];
    for (p, values) in matching {
        let query = parse(json!({"credentials": [sd_jwt_query("id", BRP, json!({
            "claims": [{"path": p.clone(), "values": values}]
        }))]}));
        let m = match_credentials(&query, &wallet.held());
        assert!(m.satisfied, "{p}");
        assert_eq!(m.query("id").unwrap().candidates[0].disclose, [path(p)]);
    }
}

#[test]
fn value_mismatch_means_no_candidate() {
    let wallet = Wallet::new();
    let mismatching = [
        (json!(["age_over_18"]), json!([false])),
        (json!(["address", "locality"]), json!(["Amsterdam"])),
        // Same digits, other type: "31" is not 31, 31 is not "3077AW".
        (json!(["address", "house_number"]), json!(["31"])),
        (json!(["address", "postal_code"]), json!([3077])),
        (json!(["age_over_18"]), json!(["true", 1])),
    ];
    for (p, values) in mismatching {
        let query = parse(json!({"credentials": [sd_jwt_query("id", BRP, json!({
            "claims": [{"path": p.clone(), "values": values}]
        }))]}));
        let m = match_credentials(&query, &wallet.held());
        assert!(!m.satisfied, "{p}");
        assert!(m.query("id").unwrap().candidates.is_empty());
        assert_eq!(m.missing, ["id"]);
        assert!(m.selected_query_ids().is_empty());
    }
}

#[test]
fn values_on_a_wildcard_disclose_only_the_matching_elements() {
    let wallet = Wallet::new();
    let query = parse(json!({"credentials": [sd_jwt_query("hist", WOON, json!({
        "claims": [{"path": ["addresses", null, "street"], "values": ["Boterdiep"]}]
    }))]}));
    let m = match_credentials(&query, &wallet.held());
    assert!(m.satisfied);
    assert_eq!(
        m.query("hist").unwrap().candidates[0].disclose,
        [path(json!(["addresses", 1, "street"]))]
    );
}

#[test]
fn the_first_satisfiable_claim_set_wins() {
    let wallet = Wallet::new();
    let claims = json!([
        {"id": "over21", "path": ["age_over_21"]},
        {"id": "over18", "path": ["age_over_18"], "values": [true]},
        {"id": "birthdate", "path": ["birthdate"]}
    ]);
    let query = |sets: Value| {
        parse(json!({"credentials": [sd_jwt_query("age", BRP, json!({
            "claims": claims, "claim_sets": sets
        }))]}))
    };
    let m = match_credentials(
        &query(json!([["over21"], ["over18"], ["birthdate"]])),
        &wallet.held(),
    );
    let candidate = &m.query("age").unwrap().candidates[0];
    assert_eq!(candidate.claim_set, Some(1));
    assert_eq!(candidate.disclose, [path(json!(["age_over_18"]))]);

    let m = match_credentials(
        &query(json!([["birthdate", "over18"], ["over18"]])),
        &wallet.held(),
    );
    let candidate = &m.query("age").unwrap().candidates[0];
    assert_eq!(candidate.claim_set, Some(0));
    assert_eq!(
        candidate.disclose,
        [path(json!(["age_over_18"])), path(json!(["birthdate"]))]
    );

    let m = match_credentials(
        &query(json!([["over21"], ["over21", "birthdate"]])),
        &wallet.held(),
    );
    assert!(!m.satisfied);
    assert_eq!(m.missing, ["age"]);
}

#[test]
fn without_claims_nothing_selectively_disclosable_is_requested() {
    let wallet = Wallet::new();
    let query = parse(json!({"credentials": [sd_jwt_query("any", BRP, json!({}))]}));
    let m = match_credentials(&query, &wallet.held());
    assert!(m.satisfied);
    let candidate = &m.query("any").unwrap().candidates[0];
    assert_eq!(candidate.credential_id, "cred-brp");
    assert!(candidate.disclose.is_empty());
}

#[test]
fn credential_sets_pick_the_first_satisfiable_option_and_skip_unsatisfiable_optional_sets() {
    let wallet = Wallet::new();
    let query = parse(json!({
        "credentials": [
            sd_jwt_query("diploma", DIPLOMA, json!({})),
            sd_jwt_query("brp", BRP, json!({"claims": [{"path": ["bsn"]}]})),
            sd_jwt_query("woon", WOON, json!({"claims": [{"path": ["addresses"]}]})),
            sd_jwt_query("unused", BRP, json!({}))
        ],
        "credential_sets": [
            {"options": [["diploma"], ["brp", "woon"], ["brp"]]},
            {"required": false, "options": [["diploma"]]}
        ]
    }));
    let m = match_credentials(&query, &wallet.held());
    assert!(m.satisfied);
    assert!(m.missing.is_empty());
    assert_eq!(m.credential_sets[0].satisfiable_options, [1, 2]);
    assert_eq!(m.credential_sets[0].chosen_option(), Some(1));
    assert!(!m.credential_sets[1].required);
    assert_eq!(m.credential_sets[1].chosen_option(), None);
    // Queries outside the chosen options are not answered, even when they could be.
    assert_eq!(m.selected_query_ids(), ["brp", "woon"]);
    assert_eq!(m.query("unused").unwrap().candidates.len(), 1);
}

#[test]
fn satisfiable_optional_sets_are_selected() {
    let wallet = Wallet::new();
    let query = parse(json!({
        "credentials": [
            sd_jwt_query("brp", BRP, json!({})),
            sd_jwt_query("woon", WOON, json!({}))
        ],
        "credential_sets": [
            {"options": [["brp"]]},
            {"required": false, "options": [["woon"]]}
        ]
    }));
    let m = match_credentials(&query, &wallet.held());
    assert!(m.satisfied);
    assert_eq!(m.selected_query_ids(), ["brp", "woon"]);
}

#[test]
fn an_unsatisfiable_required_set_fails_the_whole_query() {
    let wallet = Wallet::new();
    let query = parse(json!({
        "credentials": [
            sd_jwt_query("diploma", DIPLOMA, json!({})),
            sd_jwt_query("brp", BRP, json!({})),
            sd_jwt_query("woon", WOON, json!({"claims": [{"path": ["nope"]}]}))
        ],
        "credential_sets": [
            {"options": [["brp"]]},
            {"options": [["diploma", "brp"], ["woon"]]}
        ]
    }));
    let m = match_credentials(&query, &wallet.held());
    assert!(!m.satisfied);
    // The preferred option of the failing set names what is missing.
    assert_eq!(m.missing, ["diploma"]);
    assert!(m.selected_query_ids().is_empty());
}

#[test]
fn without_credential_sets_every_query_is_required() {
    let wallet = Wallet::new();
    let query = parse(json!({"credentials": [
        sd_jwt_query("brp", BRP, json!({})),
        sd_jwt_query("diploma", DIPLOMA, json!({}))
    ]}));
    let m = match_credentials(&query, &wallet.held());
    assert!(!m.satisfied);
    assert_eq!(m.missing, ["diploma"]);
    assert_eq!(m.query("brp").unwrap().candidates.len(), 1);
}

#[test]
fn wrong_vct_does_not_match() {
    let wallet = Wallet::new();
    let query = parse(
        json!({"credentials": [sd_jwt_query("brp", "urn:regie:uittreksel-brp:2", json!({}))]}),
    );
    let m = match_credentials(&query, &wallet.held());
    assert!(!m.satisfied);
    assert!(m.query("brp").unwrap().candidates.is_empty());
}

#[test]
fn any_of_several_vct_values_matches() {
    let wallet = Wallet::new();
    let mut q = sd_jwt_query("either", BRP, json!({}));
    q["meta"]["vct_values"] = json!([WOON, BRP]);
    let m = match_credentials(&parse(json!({"credentials": [q], })), &wallet.held());
    let ids: Vec<&str> = m.queries[0]
        .candidates
        .iter()
        .map(|c| c.credential_id.as_str())
        .collect();
    assert_eq!(ids, ["cred-brp", "cred-woon"]);
}

#[test]
fn wrong_format_does_not_match() {
    let wallet = Wallet::new();
    let other_format = parse(json!({"credentials": [{
        "id": "brp", "format": "vc+sd-jwt", "meta": {"vct_values": [BRP]}
    }]}));
    assert!(!match_credentials(&other_format, &wallet.held()).satisfied);

    let query = parse(json!({"credentials": [sd_jwt_query("brp", BRP, json!({}))]}));
    let mut held = wallet.held();
    held.iter_mut().for_each(|h| h.format = "mso_mdoc");
    assert!(!match_credentials(&query, &held).satisfied);
}

#[test]
fn holder_binding_is_required_unless_waived() {
    let wallet = Wallet::new();
    let mut held = wallet.held();
    held[0].holder_binding = false;
    let bound = parse(json!({"credentials": [sd_jwt_query("brp", BRP, json!({}))]}));
    assert!(!match_credentials(&bound, &held).satisfied);
    let unbound = parse(json!({"credentials": [sd_jwt_query("brp", BRP, json!({
        "require_cryptographic_holder_binding": false
    }))]}));
    assert!(match_credentials(&unbound, &held).satisfied);
}

// ---------------------------------------------------------------------------------------
// Verifier: does a response answer the query?

fn brp_age_query() -> DcqlQuery {
    parse(json!({
        "credentials": [
            sd_jwt_query("brp", BRP, json!({"claims": [
                {"path": ["given_name"]},
                {"path": ["address", "locality"], "values": ["Rotterdam"]}
            ]})),
            sd_jwt_query("woon", WOON, json!({"multiple": true, "claims": [
                {"id": "from", "path": ["addresses", null, "date_from"]},
                {"id": "street", "path": ["addresses", null, "street"]}
            ], "claim_sets": [["from", "street"], ["street"]]}))
        ],
        "credential_sets": [
            {"options": [["brp"]]},
            {"required": false, "options": [["woon"]]}
        ]
    }))
}

fn presented<'a>(query_id: &'a str, vct: &'a str, claims: &'a Value) -> PresentedCredential<'a> {
    PresentedCredential {
        query_id,
        format: "dc+sd-jwt",
        vct,
        claims,
        holder_binding: true,
        disclosable_arrays: &[],
    }
}

#[test]
fn a_response_with_the_requested_claims_answers_the_query() {
    let query = brp_age_query();
    let brp = json!({"given_name": "Suzanne", "address": {"locality": "Rotterdam"}});
    let woon = json!({"addresses": [{"street": "Boterdiep"}]});
    assert_eq!(
        check_presented(&query, &[presented("brp", BRP, &brp)]),
        Ok(vec!["brp".to_owned()])
    );
    // `multiple: true` allows two presentations; a less preferred claim set is accepted.
    assert_eq!(
        check_presented(
            &query,
            &[
                presented("woon", WOON, &woon),
                presented("brp", BRP, &brp),
                presented("woon", WOON, &woon)
            ]
        ),
        Ok(vec!["brp".to_owned(), "woon".to_owned()])
    );
}

#[test]
fn response_rejections() {
    let query = brp_age_query();
    let brp = json!({"given_name": "Suzanne", "address": {"locality": "Rotterdam"}});
    let no_name = json!({"address": {"locality": "Rotterdam"}});
    let amsterdam = json!({"given_name": "Suzanne", "address": {"locality": "Amsterdam"}});
    let woon_dates = json!({"addresses": [{"date_from": "2015-08-08"}]});
    let ok = presented("brp", BRP, &brp);

    let check = |list: &[PresentedCredential<'_>]| check_presented(&query, list).unwrap_err();

    assert_eq!(
        check(&[ok, presented("diploma", DIPLOMA, &brp)]),
        ResponseError::UnknownQueryId("diploma".into())
    );
    assert_eq!(
        check(&[ok, ok]),
        ResponseError::TooManyPresentations("brp".into())
    );
    assert_eq!(
        check(&[PresentedCredential {
            format: "vc+sd-jwt",
            ..ok
        }]),
        ResponseError::WrongFormat("brp".into())
    );
    assert_eq!(
        check(&[presented("brp", WOON, &brp)]),
        ResponseError::WrongVct {
            query: "brp".into(),
            vct: WOON.into()
        }
    );
    assert_eq!(
        check(&[PresentedCredential {
            holder_binding: false,
            disclosable_arrays: &[],
            ..ok
        }]),
        ResponseError::HolderBindingMissing("brp".into())
    );
    assert_eq!(
        check(&[presented("brp", BRP, &no_name)]),
        ResponseError::MissingClaim {
            query: "brp".into(),
            path: path(json!(["given_name"]))
        }
    );
    assert_eq!(
        check(&[presented("brp", BRP, &amsterdam)]),
        ResponseError::ValueMismatch {
            query: "brp".into(),
            path: path(json!(["address", "locality"]))
        }
    );
    assert_eq!(
        check(&[ok, presented("woon", WOON, &woon_dates)]),
        ResponseError::NoClaimSetSatisfied("woon".into())
    );
    assert_eq!(check(&[]), ResponseError::CredentialSetUnsatisfied(0));
}

#[test]
fn without_credential_sets_every_query_needs_a_presentation() {
    let query = parse(json!({"credentials": [
        sd_jwt_query("brp", BRP, json!({})),
        sd_jwt_query("woon", WOON, json!({}))
    ]}));
    let claims = json!({});
    assert_eq!(
        check_presented(&query, &[presented("brp", BRP, &claims)]),
        Err(ResponseError::MissingPresentation("woon".into()))
    );
    assert!(check_presented(
        &query,
        &[
            presented("brp", BRP, &claims),
            presented("woon", WOON, &claims)
        ]
    )
    .is_ok());
}

#[test]
fn formats_other_than_sd_jwt_vc_cannot_be_checked() {
    let query = parse(json!({"credentials": [{
        "id": "mdl", "format": "mso_mdoc", "meta": {"doctype_value": "org.iso.18013.5.1.mDL"}
    }]}));
    let claims = json!({});
    let p = PresentedCredential {
        format: "mso_mdoc",
        ..presented("mdl", "", &claims)
    };
    assert_eq!(
        check_presented(&query, &[p]),
        Err(ResponseError::UnsupportedFormat("mdl".into()))
    );
}
