//! The whole chain in one process, on the shared protocol alone: the municipality issues a
//! BRP extract, a housing corporation asks for part of it with a DCQL query, the wallet
//! presents just that with key binding, the corporation verifies, and after revocation the
//! status list says so. Run: `cargo run -p protocol --example demo`.
use protocol::credential_types::{claim_label, Lang, UITTREKSEL_BRP_VCT};
use protocol::dcql::{
    check_presented, match_credentials, DcqlQuery, HeldCredential, PresentedCredential,
};
use protocol::document::{
    decode_document, encode_qr_text, render_qr, sign_document, DocumentContent, DocumentKind,
    QrMatrix,
};
use protocol::jose::SigningKey;
use protocol::sd_jwt::{add_key_binding, KbExpectation, Node, ObjectFrame, RandomSalts};
use protocol::sd_jwt_vc::{self, VcEnvelope};
use protocol::status_list::{Status, StatusList, StatusReference, UnverifiedStatusListToken};
use serde_json::{json, Value};

const ISS: &str = "https://gemeente.example/regie";
const STATUS_URI: &str = "https://gemeente.example/regie/status/1";
const RP: &str = "verifier_attestation:woningcorporatie-de-voorbeeldhaven";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let issuer = SigningKey::generate().with_kid("demo-issuer");
    let holder = SigningKey::generate();

    println!(
        "1. De gemeente geeft een Uittreksel BRP uit (testpersoon Suzanne Moulin, BSN 999993653)"
    );
    let attributes = json!({
        "bsn": "999993653", "given_name": "Suzanne", "family_name": "Moulin",
        "birthdate": "1985-05-09", "nationalities": ["Franse"],
        "address": {"street": "Boterdiep", "house_number": 31, "postal_code": "3077AW", "locality": "Rotterdam"},
        "address_since": "2015-08-08", "age_over_18": true
    });
    let attributes = attributes.as_object().cloned().unwrap_or_default();
    let mut frame = ObjectFrame::sd_members(attributes.keys().filter(|k| *k != "address").cloned())
        .with_decoys(4);
    frame = frame.with(
        "address",
        Node::sd_object(ObjectFrame::sd_members([
            "street",
            "house_number",
            "postal_code",
            "locality",
        ])),
    );
    let envelope = VcEnvelope {
        iss: ISS,
        vct: UITTREKSEL_BRP_VCT,
        iat: now,
        exp: now + 365 * 86_400,
        nbf: None,
        holder_key: holder.public_jwk(),
        status: Some(StatusReference {
            idx: 7,
            uri: STATUS_URI.into(),
        }),
    };
    let credential = sd_jwt_vc::issue(&envelope, attributes, &frame, &issuer, &mut RandomSalts)?;
    println!(
        "   {} tekens, {} onthulbare gegevens\n",
        credential.serialize().len(),
        credential.disclosures().len()
    );

    println!("2. Woningcorporatie De Voorbeeldhaven (fictief) vraagt: naam en geboortedatum");
    let query = DcqlQuery::parse(
        json!({"credentials": [{
            "id": "brp", "format": "dc+sd-jwt", "meta": {"vct_values": [UITTREKSEL_BRP_VCT]},
            "claims": [{"path": ["given_name"]}, {"path": ["family_name"]}, {"path": ["birthdate"]}]
        }]})
        .to_string(),
    )?;

    let (claims, _) = credential.disclosed_claims()?;
    let claims = Value::Object(claims);
    let arrays = credential.disclosable_arrays()?;
    let held = [HeldCredential {
        id: "c1",
        format: "dc+sd-jwt",
        vct: UITTREKSEL_BRP_VCT,
        claims: &claims,
        holder_binding: true,
        disclosable_arrays: &arrays,
    }];
    let matched = match_credentials(&query, &held);
    let candidate = matched
        .query("brp")
        .and_then(|q| q.candidates.first())
        .ok_or("no match")?;
    println!("3. De wallet laat zien wat er gedeeld wordt:");
    for path in &candidate.disclose {
        let value = path
            .select(&claims)?
            .first()
            .map(|v| v.to_string())
            .unwrap_or_default();
        println!("   - {}: {}", claim_label(path, Lang::Nl), value);
    }
    let nonce = "demo-nonce-4f1c";
    let shown = credential.present(&candidate.disclose)?;
    let presentation = add_key_binding(&shown.serialize(), &holder, RP, nonce, now, None)?;
    println!("   goedgekeurd: {} tekens verstuurd\n", presentation.len());

    println!("4. De woningcorporatie controleert handtekening, sleutelbinding en vraag:");
    let expectation = KbExpectation {
        aud: RP,
        nonce,
        now,
        max_age: 300,
        future_skew: 60,
        transaction_data_hashes: None,
    };
    let verified = sd_jwt_vc::verify_presentation(
        &presentation,
        |iss, _| (iss == ISS).then(|| issuer.public_jwk().clone()),
        &expectation,
        60,
    )?;
    let answered = check_presented(
        &query,
        &[PresentedCredential {
            query_id: "brp",
            format: "dc+sd-jwt",
            vct: verified.credential.vct(),
            claims: verified.credential.sd_jwt().claims_value(),
            holder_binding: true,
            disclosable_arrays: verified.credential.sd_jwt().disclosable_arrays(),
        }],
    )?;
    println!(
        "   echt; beantwoordt {answered:?}; ontvangen: {}",
        Value::Object(verified.credential.attributes())
    );
    let bsn_hidden = verified.credential.claims().get("bsn").is_none();
    println!("   BSN niet gedeeld: {bsn_hidden}\n");

    println!("5. Intrekken: de gemeente zet plek 7 op de statuslijst op 'ingetrokken'");
    let mut list = StatusList::new(1, 1024)?;
    list.set(7, Status::Invalid)?;
    let token = list.sign(STATUS_URI, now, Some(now + 86_400), Some(300), &issuer)?;
    let reference = verified.credential.status().ok_or("no status")?;
    let status = UnverifiedStatusListToken::parse(&token)?
        .verify(issuer.public_jwk(), &reference.uri, now)?
        .status_at(reference.idx)?;
    println!("   status volgens de lijst: {status:?}\n");

    println!(
        "6. Zonder app: een uittreksel op papier met een ondertekende QR-code (naam en adres)"
    );
    let content = DocumentContent {
        issuer: ISS.into(),
        iat: now,
        exp: now + 90 * 86_400,
        kind: DocumentKind::NaamAdres,
        attributes: json!({"given_name": "Suzanne", "family_name": "Moulin",
            "address": {"street": "Boterdiep", "house_number": 31, "postal_code": "3077AW", "locality": "Rotterdam"}})
        .as_object()
        .cloned()
        .unwrap_or_default(),
        status: Some(StatusReference { idx: 8, uri: STATUS_URI.into() }),
    };
    let qr_text = encode_qr_text(&sign_document(&content, &issuer)?);
    let qr = render_qr(&qr_text)?;
    print_qr(&qr);
    let checked = decode_document(&qr_text)?.verify(issuer.public_jwk(), now)?;
    println!(
        "   {} tekens, QR-versie {}; gecontroleerd: echt, {} gegevens van {}",
        qr_text.len(),
        qr.version,
        checked.attributes().len(),
        checked.issuer()
    );
    Ok(())
}

/// Prints the QR code with half-block characters, two module rows per text line, with a
/// quiet zone, so a phone can scan it from the terminal.
fn print_qr(qr: &QrMatrix) {
    let quiet = 2i64;
    let size = qr.width as i64;
    let dark = |x: i64, y: i64| {
        x >= 0 && y >= 0 && x < size && y < size && qr.is_dark(x as usize, y as usize)
    };
    let mut y = -quiet;
    while y < size + quiet {
        let line: String = (-quiet..size + quiet)
            .map(|x| match (dark(x, y), dark(x, y + 1)) {
                (true, true) => ' ',
                (true, false) => '▄',
                (false, true) => '▀',
                (false, false) => '█',
            })
            .collect();
        println!("   {line}");
        y += 2;
    }
}
