//! Keys and tokens for the protocol tests that build credentials and presentations the way
//! another implementation might.
#![allow(dead_code)]
use protocol::claim_path::ClaimPath;
use protocol::jose::{sign_compact, sign_json, SigningKey};
use protocol::sd_jwt::{
    add_key_binding, sd_hash, Disclosure, KbExpectation, ObjectFrame, RandomSalts, SdJwt,
    KB_JWT_TYP,
};
use protocol::sd_jwt_vc::{self, Clock, VcEnvelope, VcError, VerifiedPresentation, SD_JWT_VC_TYP};
use serde_json::{json, Map, Value};

pub const NOW: u64 = 1_800_000_000;
pub const ISS: &str = "https://gemeente.example";
pub const VCT: &str = "urn:regie:uittreksel-brp:1";
pub const AUD: &str = "verifier_attestation:rp.example";
pub const NONCE: &str = "n-1";

pub struct Keys {
    pub issuer: SigningKey,
    pub holder: SigningKey,
}

impl Keys {
    pub fn new() -> Self {
        Keys {
            issuer: SigningKey::generate(),
            holder: SigningKey::generate(),
        }
    }

    /// An SD-JWT VC's always-visible claims, with `extra` merged in.
    pub fn payload(&self, extra: Value) -> Value {
        let mut claims = json!({
            "iss": ISS, "vct": VCT, "iat": NOW - 100, "exp": NOW + 1000,
            "cnf": {"jwk": self.holder.public_jwk().to_json_value()},
            "_sd_alg": "sha-256"
        });
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            claims[k] = v;
        }
        claims
    }

    /// `<jwt>~<d1>~…~` signed by the issuer over exactly `payload`, as another
    /// implementation may have built it.
    pub fn sd_jwt_vc(&self, payload: &Value, disclosures: &[&Disclosure]) -> String {
        let mut header = Map::new();
        header.insert("typ".into(), SD_JWT_VC_TYP.into());
        let mut out = sign_compact(header, payload.to_string().as_bytes(), &self.issuer);
        out.push('~');
        for d in disclosures {
            out.push_str(d.encoded());
            out.push('~');
        }
        out
    }

    /// A KB-JWT with exactly `claims` (plus `sd_hash`) appended to `presentation`.
    pub fn with_kb(&self, presentation: &str, claims: Value) -> String {
        let mut claims = claims.as_object().cloned().unwrap_or_default();
        claims.insert("sd_hash".into(), sd_hash(presentation).into());
        let kb = sign_json(KB_JWT_TYP, Map::new(), &claims, &self.holder).unwrap();
        format!("{presentation}{kb}")
    }

    pub fn verify(&self, compact: &str) -> Result<sd_jwt_vc::VerifiedCredential, VcError> {
        sd_jwt_vc::verify(
            compact,
            |_, _| Some(self.issuer.public_jwk().clone()),
            clock(),
        )
    }

    pub fn verify_issued(&self, compact: &str) -> Result<sd_jwt_vc::VerifiedCredential, VcError> {
        sd_jwt_vc::verify_issued(
            compact,
            |_, _| Some(self.issuer.public_jwk().clone()),
            clock(),
        )
    }

    pub fn verify_presentation(&self, compact: &str) -> Result<VerifiedPresentation, VcError> {
        sd_jwt_vc::verify_presentation(
            compact,
            |_, _| Some(self.issuer.public_jwk().clone()),
            &expectation(),
            60,
        )
    }

    /// A credential issued by Regie's own code.
    pub fn issue(&self, attributes: Value, frame: &ObjectFrame) -> SdJwt {
        sd_jwt_vc::issue(
            &VcEnvelope {
                iss: ISS,
                vct: VCT,
                iat: NOW - 100,
                exp: NOW + 1000,
                nbf: None,
                holder_key: self.holder.public_jwk(),
                status: None,
            },
            attributes.as_object().cloned().unwrap(),
            frame,
            &self.issuer,
            &mut RandomSalts,
        )
        .unwrap()
    }

    pub fn present(&self, sd: &SdJwt, paths: &[ClaimPath]) -> String {
        let shown = sd.present(paths).unwrap().serialize();
        add_key_binding(&shown, &self.holder, AUD, NONCE, NOW, None).unwrap()
    }
}

pub fn clock() -> Clock {
    Clock { now: NOW, skew: 60 }
}

pub fn expectation() -> KbExpectation<'static> {
    KbExpectation {
        aud: AUD,
        nonce: NONCE,
        now: NOW,
        max_age: 300,
        future_skew: 60,
        transaction_data_hashes: None,
    }
}

pub fn disclosure(name: Option<&str>, value: Value) -> Disclosure {
    Disclosure::new("c2FsdHNhbHRzYWx0".into(), name.map(str::to_owned), value).unwrap()
}

pub fn path(v: Value) -> ClaimPath {
    ClaimPath::from_json_value(&v).unwrap()
}
