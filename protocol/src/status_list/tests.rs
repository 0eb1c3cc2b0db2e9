//! Status lists: the draft's examples, tokens, limits.

use super::*;
use crate::jose::PublicJwk;
use serde_json::json;

const URI: &str = "https://gemeente.example/status/1";

/// The draft's 1-bit example (§4.1): 16 entries, bytes b9 a3.
#[test]
fn draft_one_bit_example() {
    let statuses = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
    let mut list = StatusList::new(1, 16).unwrap();
    for (i, s) in statuses.iter().enumerate() {
        list.set(i as u64, Status::from_value(*s)).unwrap();
    }
    assert_eq!(list.as_bytes(), &[0xb9, 0xa3]);
    let decoded = StatusList::from_json(&json!({"bits": 1, "lst": "eNrbuRgAAhcBXQ"})).unwrap();
    assert_eq!(decoded.as_bytes(), &[0xb9, 0xa3]);
    for (i, s) in statuses.iter().enumerate() {
        assert_eq!(decoded.get(i as u64).unwrap().value(), *s);
    }
}

/// The draft's 2-bit example (§4.1): 12 entries, bytes c9 44 f9.
#[test]
fn draft_two_bit_example() {
    let statuses = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3];
    let decoded = StatusList::from_json(&json!({"bits": 2, "lst": "eNo76fITAAPfAgc"})).unwrap();
    assert_eq!(decoded.as_bytes(), &[0xc9, 0x44, 0xf9]);
    for (i, s) in statuses.iter().enumerate() {
        assert_eq!(decoded.get(i as u64).unwrap().value(), *s);
    }
}

#[test]
fn every_bit_size_round_trips() {
    for bits in [1u8, 2, 4, 8] {
        let max = ((1u16 << bits) - 1) as u8;
        let mut list = StatusList::new(bits, 1000).unwrap();
        for i in (0..1000).step_by(7) {
            list.set(i, Status::from_value((i as u8) & max)).unwrap();
        }
        let back = StatusList::from_json(&list.to_json()).unwrap();
        assert_eq!(back, list);
        assert_eq!(back.get(7).unwrap().value(), 7 & max);
        assert_eq!(back.get(8).unwrap(), Status::Valid);
        assert_eq!(
            list.set(1, Status::Other(max.wrapping_add(1))).err(),
            (bits < 8).then_some(StatusListError::ValueTooLarge {
                value: max.wrapping_add(1),
                bits
            })
        );
    }
}

#[test]
fn signed_token_verifies_and_reads() {
    let key = SigningKey::generate();
    let mut list = StatusList::new(1, 100).unwrap();
    list.set(42, Status::Invalid).unwrap();
    let token = list.sign(URI, 1000, Some(5000), Some(300), &key).unwrap();
    let verified = UnverifiedStatusListToken::parse(&token)
        .unwrap()
        .verify(key.public_jwk(), URI, 2000)
        .unwrap();
    assert_eq!(verified.status_at(42).unwrap(), Status::Invalid);
    assert_eq!(verified.status_at(41).unwrap(), Status::Valid);
    assert_eq!(verified.ttl(), Some(300));
    assert_eq!(
        // 100 one-bit entries round up to 13 bytes, 104 entries.
        verified.status_at(104).unwrap_err(),
        StatusListError::IndexOutOfRange { idx: 104, len: 104 }
    );
}

#[test]
fn token_rejections() {
    let key = SigningKey::generate();
    let list = StatusList::new(1, 8).unwrap();
    let token = list.sign(URI, 1000, Some(5000), None, &key).unwrap();
    let verify = |t: &str, k: &PublicJwk, uri: &str, now| {
        UnverifiedStatusListToken::parse(t)?.verify(k, uri, now)
    };
    let other = SigningKey::generate();
    assert_eq!(
        verify(&token, other.public_jwk(), URI, 2000).unwrap_err(),
        StatusListError::Token(JoseError::BadSignature)
    );
    assert_eq!(
        verify(&token, key.public_jwk(), "https://other/status/1", 2000).unwrap_err(),
        StatusListError::SubjectMismatch
    );
    assert_eq!(
        verify(&token, key.public_jwk(), URI, 5000).unwrap_err(),
        StatusListError::Expired
    );
    let wrong_typ = jose::sign_json(
        "jwt",
        Map::new(),
        &json!({"sub": URI, "iat": 1, "status_list": list.to_json()}),
        &key,
    )
    .unwrap();
    assert!(matches!(
        verify(&wrong_typ, key.public_jwk(), URI, 2000).unwrap_err(),
        StatusListError::Token(JoseError::WrongType { .. })
    ));
    let big = "a".repeat(MAX_TOKEN_LEN + 1);
    assert!(matches!(
        UnverifiedStatusListToken::parse(&big).unwrap_err(),
        StatusListError::Token(JoseError::TooLarge { .. })
    ));
}

#[test]
fn zip_bomb_is_refused() {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&vec![0u8; MAX_LIST_BYTES + 1]).unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 64 * 1024, "bomb is small: {}", bomb.len());
    let value = json!({"bits": 1, "lst": b64u_encode(bomb)});
    assert_eq!(
        StatusList::from_json(&value).unwrap_err(),
        StatusListError::TooLarge(MAX_LIST_BYTES)
    );
}

#[test]
fn malformed_lists_are_refused() {
    assert_eq!(
        StatusList::from_json(&json!({"bits": 3, "lst": "eNrbuRgAAhcBXQ"})).unwrap_err(),
        StatusListError::InvalidBits(3)
    );
    assert_eq!(
        StatusList::from_json(&json!({"bits": 1, "lst": "!!"})).unwrap_err(),
        StatusListError::BadEncoding
    );
    assert_eq!(
        StatusList::from_json(&json!({"bits": 1, "lst": b64u_encode(b"not zlib")})).unwrap_err(),
        StatusListError::BadCompression
    );
    assert_eq!(
        StatusList::from_json(&json!({"lst": "eNrbuRgAAhcBXQ"})).unwrap_err(),
        StatusListError::MissingClaim("status_list.bits")
    );
    assert_eq!(
        StatusList::new(5, 8).unwrap_err(),
        StatusListError::InvalidBits(5)
    );
}

#[test]
fn reference_claim_round_trips() {
    let r = StatusReference {
        idx: 3,
        uri: URI.into(),
    };
    let claim = r.to_claim();
    assert_eq!(claim, json!({"status_list": {"idx": 3, "uri": URI}}));
    assert_eq!(StatusReference::from_claim(&claim).unwrap(), r);
    assert!(StatusReference::from_claim(&json!({"status_list": {"idx": -1, "uri": URI}})).is_err());
}
