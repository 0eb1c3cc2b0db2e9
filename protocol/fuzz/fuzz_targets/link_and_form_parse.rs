//! What a wallet scans or a server receives as text: offer links, request links, token
//! request forms and `direct_post` bodies. Parsing must never panic, and what parses must
//! round-trip through its own serialization.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::oid4vci::{parse_offer_uri, OfferReference, TokenGrant};
use protocol::oid4vp::{AuthorizationResponse, RequestLink};

fuzz_target!(|data: &[u8]| {
    let _ = TokenGrant::from_form(data);
    if let Ok(response) = AuthorizationResponse::from_form(data) {
        let again = AuthorizationResponse::from_form(response.to_form().as_bytes())
            .expect("a parsed response must re-parse");
        assert_eq!(again, response);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(OfferReference::ByValue(offer)) = parse_offer_uri(text, true) {
        let again = parse_offer_uri(&offer.to_uri(), true).expect("an offer must re-parse");
        assert_eq!(again, OfferReference::ByValue(offer));
    }
    if let Ok(link) = RequestLink::parse(text, true) {
        assert_eq!(RequestLink::parse(&link.to_uri(), true), Ok(link));
    }
});
