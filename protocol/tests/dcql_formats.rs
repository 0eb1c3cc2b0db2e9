//! Queries in formats Regie cannot verify: DCQL's own rules for their `meta` (Appendix B),
//! and the registration check, which must not let them pass unchecked.
use protocol::dcql::{DcqlError, DcqlQuery};
use protocol::trust::requested_claims;
use serde_json::{json, Value};

fn query(format: &str, meta: Value) -> Result<DcqlQuery, DcqlError> {
    DcqlQuery::from_json_value(&json!({"credentials": [
        {"id": "q", "format": format, "meta": meta, "claims": [{"path": ["family_name"]}]}
    ]}))
}

#[test]
fn other_formats_need_the_meta_dcql_defines_for_them() {
    assert!(query(
        "mso_mdoc",
        json!({"doctype_value": "org.iso.18013.5.1.mDL"})
    )
    .is_ok());
    assert!(query("jwt_vc_json", json!({"type_values": [["IDCredential"]]})).is_ok());
    assert!(query("ldp_vc", json!({"type_values": [["A", "B"], ["C"]]})).is_ok());
    for (format, meta) in [
        ("mso_mdoc", json!({})),
        ("mso_mdoc", json!({"doctype_value": 7})),
        ("mso_mdoc", json!({"doctype_value": ""})),
        (
            "jwt_vc_json",
            json!({"vct_values": ["urn:regie:uittreksel-brp:1"]}),
        ),
        ("jwt_vc_json", json!({"type_values": []})),
        ("jwt_vc_json", json!({"type_values": ["IDCredential"]})),
        ("ldp_vc", json!({"type_values": [[]]})),
    ] {
        assert!(
            matches!(query(format, meta.clone()), Err(DcqlError::InvalidMeta(_))),
            "{format} {meta}"
        );
    }
}

#[test]
fn a_query_in_another_format_is_never_within_a_registration() {
    let mdoc = query(
        "mso_mdoc",
        json!({"doctype_value": "org.iso.18013.5.1.mDL"}),
    )
    .unwrap();
    let pairs = requested_claims(&mdoc);
    assert_eq!(pairs, vec![("format:mso_mdoc".to_owned(), None)]);
}
