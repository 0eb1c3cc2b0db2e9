//! Writes the seeds of the fuzz targets that take signed input, made with the same demo keys
//! and fixed time as the targets use, so each seed passes every check and the fuzzer starts
//! from valid messages:
//!
//!     cd protocol/fuzz && cargo run --example make_seeds
//!
//! Fixed keys, salts and times; ES256 signatures are randomized (`ring`), so re-running
//! rewrites the signed seeds with new, equally valid signatures. The key binding seeds carry
//! the `sd_hash` of the fixed credential, which is therefore pinned in
//! `seeds/credential_response_verify/credential.txt`: `cargo run --example make_seeds --
//! --new-credential` issues a new one into that file (then run again without the flag, so
//! the seeds are built on it). Seeds of the other targets are written by hand.
use std::fs;
use std::path::Path;

use protocol::dcql::DcqlQuery;
use protocol::document::{sign_document, DocumentContent, DocumentKind};
use protocol::jose::{b64u_decode, sign_json, SigningKey};
use protocol::oid4vci::{
    create_proof, CredentialOffer, CredentialRequest, CredentialResponse, Grants, IssuedCredential,
    PreAuthorizedGrant, Proofs, TokenGrant, TokenRequest, TxCode,
};
use protocol::oid4vp::{sign_request, RequestContent};
use protocol::sd_jwt::{add_key_binding, sd_hash};
use protocol::status_list::StatusReference;
use protocol_fuzz::{
    credential, holder, issuer, rp_attestation, rp_request_key, ISSUER_ID, KB_NONCE, NOW, RP_AUD,
    RP_CLIENT_ID,
};
use serde_json::{json, Value};

fn write(target: &str, name: &str, content: impl AsRef<[u8]>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    fs::create_dir_all(&dir).expect("seed directory");
    fs::write(dir.join(name), content).expect("seed file");
}

/// The payload of a compact JWS, as the JSON the sign-then-verify path of a target takes.
fn payload(jwt: &str) -> Vec<u8> {
    let part = jwt.split('.').nth(1).expect("a compact JWS");
    b64u_decode(part, "payload").expect("base64url payload")
}

fn main() {
    if std::env::args().any(|a| a == "--new-credential") {
        write(
            "credential_response_verify",
            "credential.txt",
            protocol_fuzz::issue_credential(),
        );
        return;
    }
    request_objects();
    attestation_and_trust_list();
    key_binding();
    issuance();
    documents();
    jose();
    check();
}

/// The signed seeds pass the targets' entry points: a seed that fails early would leave the
/// fuzzer far from the code it is meant to reach.
fn check() {
    let read = |target: &str, name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("seeds")
            .join(target)
            .join(name);
        fs::read_to_string(path).expect("seed")
    };
    let anchor = protocol_fuzz::anchor().public_jwk();
    for name in ["plain.jwt", "statement.jwt"] {
        let jwt = read("request_object_verify", name);
        protocol::oid4vp::verify_request(&jwt, anchor, NOW).expect("request seed verifies");
    }
    protocol::trust::UnverifiedAttestation::parse(rp_attestation())
        .and_then(|a| a.verify(anchor, RP_CLIENT_ID, NOW))
        .expect("attestation seed verifies");
    let expected = protocol::sd_jwt::KbExpectation {
        aud: RP_AUD,
        nonce: KB_NONCE,
        now: NOW,
        max_age: 300,
        future_skew: 60,
        transaction_data_hashes: None,
    };
    protocol::sd_jwt_vc::verify_presentation(
        &read("kb_jwt_verify", "presentation.txt"),
        protocol_fuzz::issuer_keys,
        &expected,
        60,
    )
    .expect("presentation seed verifies");
    let request = read("credential_request_verify", "request.json");
    let request = CredentialRequest::from_json(request.as_bytes()).expect("request parses");
    let expectation = protocol::oid4vci::ProofExpectation {
        credential_issuer: ISSUER_ID,
        nonce: KB_NONCE,
        now: NOW,
        max_age: 600,
        future_skew: 60,
    };
    protocol::oid4vci::verify_proofs(&request.proofs.jwt, 4, &expectation)
        .expect("proof seeds verify");
    let clock = protocol::sd_jwt_vc::Clock { now: NOW, skew: 60 };
    protocol::sd_jwt_vc::verify_issued(credential(), protocol_fuzz::issuer_keys, clock)
        .expect("credential seed verifies");
    let cose = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/cose_document_verify/document.cose"),
    )
    .expect("document seed");
    protocol::document::UnverifiedDocument::from_cose(&cose)
        .and_then(|d| d.verify(issuer().public_jwk(), NOW))
        .expect("document seed verifies");
    println!("seeds written and checked");
}

fn request_objects() {
    let query = DcqlQuery::parse(
        json!({"credentials": [{"id": "woon", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["urn:regie:woonhistorie:1"]},
            "claims": [{"path": ["given_name"]}, {"path": ["addresses", null, "date_from"]}]}]})
        .to_string(),
    )
    .expect("query");
    let statement = json!({"type": "regie_toestemming_inschrijving", "credential_ids": ["woon"],
        "address": "Boterdiep 31", "new_resident": "J. Test", "date": "2027-01-15",
        "case_ref": "X1"});
    for (name, transaction_data) in [("plain", vec![]), ("statement", vec![statement])] {
        let content = RequestContent {
            client_id: RP_CLIENT_ID,
            response_uri: "https://woonstichting-voorbeeld.demo.regie.example/response/s1",
            nonce: "request-nonce",
            state: Some("state-1"),
            purpose: Some("aanvraag-medehuur"),
            dcql_query: &query,
            transaction_data: &transaction_data,
            iat: NOW,
            exp: NOW + 300,
        };
        let jwt = sign_request(&content, rp_attestation(), rp_request_key()).expect("request");
        write("request_object_verify", &format!("{name}.jwt"), &jwt);
        write(
            "request_object_verify",
            &format!("{name}.json"),
            payload(&jwt),
        );
    }
}

fn attestation_and_trust_list() {
    write(
        "verifier_attestation_verify",
        "woonstichting.jwt",
        rp_attestation(),
    );
    write(
        "verifier_attestation_verify",
        "woonstichting.json",
        payload(rp_attestation()),
    );
    let list = include_str!("../../../fixtures/demo/trust-list.jwt").trim();
    write("trust_list_verify", "demo.jwt", list);
    write("trust_list_verify", "demo.json", payload(list));
}

fn key_binding() {
    let presentation = credential();
    let full = add_key_binding(presentation, holder(), RP_AUD, KB_NONCE, NOW - 10, None)
        .expect("key binding");
    write("kb_jwt_verify", "presentation.txt", &full);
    let kb = &full[presentation.len()..];
    write("kb_jwt_verify", "kb.jwt", kb);
    write("kb_jwt_verify", "kb_claims.json", payload(kb));
    let with_tx = json!({"iat": NOW - 10, "aud": RP_AUD, "nonce": KB_NONCE,
        "sd_hash": sd_hash(presentation),
        "transaction_data_hashes": ["fuzz-transaction-data-hash"],
        "transaction_data_hashes_alg": "sha-256", "exp": NOW + 60, "nbf": NOW - 20});
    write("kb_jwt_verify", "kb_claims_tx.json", with_tx.to_string());
}

fn issuance() {
    let offer = CredentialOffer {
        credential_issuer: ISSUER_ID.into(),
        credential_configuration_ids: vec!["woonhistorie".into()],
        grants: Grants {
            pre_authorized_code: Some(PreAuthorizedGrant {
                pre_authorized_code: "code-123".into(),
                tx_code: Some(TxCode {
                    input_mode: Some("numeric".into()),
                    length: Some(6),
                    description: Some("De code uit de brief".into()),
                }),
            }),
        },
    };
    let offer_json = serde_json::to_string(&offer).expect("offer JSON");
    write("credential_offer_parse", "offer.json", &offer_json);
    write("credential_offer_parse", "offer_link", offer.to_uri());
    write(
        "credential_offer_parse",
        "offer_ref",
        CredentialOffer::reference_uri("https://gemeente.example/offers/abc"),
    );
    write(
        "credential_offer_parse",
        "offer_ref_loopback",
        CredentialOffer::reference_uri("http://127.0.0.1:8701/offers/abc"),
    );

    let request = TokenRequest {
        pre_authorized_code: "code-123".into(),
        tx_code: Some("123456".into()),
    };
    write("token_request_parse", "pre_authorized", request.to_form());
    write(
        "token_request_parse",
        "refresh",
        TokenGrant::refresh_form("refresh-abc"),
    );
    write(
        "token_request_parse",
        "token_response.json",
        json!({"access_token": "at", "token_type": "Bearer", "expires_in": 600,
            "refresh_token": "rt"})
        .to_string(),
    );
    write(
        "token_request_parse",
        "error.json",
        json!({"error": "invalid_grant", "error_description": "unknown code"}).to_string(),
    );

    let second = SigningKey::from_bytes(&[8u8; 32]).expect("second holder key");
    let proofs: Vec<String> = [holder(), &second]
        .iter()
        .map(|key| create_proof(key, ISSUER_ID, KB_NONCE, NOW - 5).expect("proof"))
        .collect();
    let request = CredentialRequest {
        credential_configuration_id: "woonhistorie".into(),
        proofs: Proofs {
            jwt: proofs.clone(),
        },
    };
    write(
        "credential_request_verify",
        "request.json",
        serde_json::to_string(&request).expect("request JSON"),
    );
    write(
        "credential_request_verify",
        "proof_claims.json",
        payload(&proofs[0]),
    );
    let header = proofs[0].split('.').next().expect("header");
    write(
        "credential_request_verify",
        "proof_header.json",
        b64u_decode(header, "header").expect("header JSON"),
    );

    let response = CredentialResponse {
        credentials: vec![IssuedCredential {
            credential: credential().into(),
        }],
        notification_id: None,
    };
    write(
        "credential_response_verify",
        "response.json",
        serde_json::to_string(&response).expect("response JSON"),
    );
    write("credential_response_verify", "credential.txt", credential());
    let jwt = protocol_fuzz::credential_jwt();
    write(
        "credential_response_verify",
        "disclosures.txt",
        &credential()[jwt.len() + 1..],
    );
    write("credential_response_verify", "claims.json", payload(jwt));
}

fn documents() {
    let content = DocumentContent {
        issuer: ISSUER_ID.into(),
        iat: NOW - 100,
        exp: NOW + 86_400,
        kind: DocumentKind::NaamAdres,
        attributes: json!({"given_name": "Fuzz", "family_name": "Tester",
            "address": {"street": "Dorpsstraat", "house_number": 1}})
        .as_object()
        .cloned()
        .unwrap_or_default(),
        status: Some(StatusReference {
            idx: 5,
            uri: format!("{ISSUER_ID}/status/1"),
        }),
    };
    let cose = sign_document(&content, issuer()).expect("document");
    write("cose_document_verify", "document.cose", &cose);
    // The CBOR payload alone, for the target's sign-it-first path.
    let sign1 = <coset::CoseSign1 as coset::TaggedCborSerializable>::from_tagged_slice(&cose)
        .expect("COSE_Sign1");
    write(
        "cose_document_verify",
        "payload.cbor",
        sign1.payload.unwrap_or_default(),
    );
}

fn jose() {
    let key = SigningKey::from_bytes(&[9u8; 32])
        .expect("key")
        .with_kid("k9");
    let jwt = sign_json("example+jwt", Default::default(), &json!({"a": 1}), &key).expect("jws");
    write("jose_parse", "jws.txt", &jwt);
    write(
        "jose_parse",
        "public.jwk",
        key.public_jwk().to_json_value().to_string(),
    );
    write("jose_parse", "private.jwk", key.to_private_jwk().as_bytes());
    write("jose_parse", "numeric_date", Value::from(NOW).to_string());
}
