//! What a wallet scans or a server receives as text: offer links, request links, token
//! request forms and `direct_post` bodies. Parsing must never panic, and what parses must
//! round-trip through its own serialization.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::oid4vci::{self, parse_offer_uri, OfferReference, TokenGrant};
use protocol::oid4vp::{self, AuthorizationResponse, RequestLink};

fuzz_target!(|data: &[u8]| {
    let _ = TokenGrant::from_form(data);
    if let Ok(response) = AuthorizationResponse::from_form(data) {
        // Re-encoding may grow a body past the size limit (raw bytes become %XX): only
        // what still fits must re-parse.
        let form = response.to_form();
        if form.len() <= oid4vp::MAX_MESSAGE_LEN {
            let again = AuthorizationResponse::from_form(form.as_bytes())
                .expect("a parsed response must re-parse");
            assert_eq!(again, response);
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(OfferReference::ByValue(offer)) = parse_offer_uri(text, true) {
        let link = offer.to_uri();
        if link.len() <= oid4vci::MAX_MESSAGE_LEN {
            let again = parse_offer_uri(&link, true).expect("an offer must re-parse");
            assert_eq!(again, OfferReference::ByValue(offer));
        }
    }
    if let Ok(link) = RequestLink::parse(text, true) {
        let uri = link.to_uri();
        if uri.len() <= oid4vp::MAX_MESSAGE_LEN {
            assert_eq!(RequestLink::parse(&uri, true), Ok(link));
        }
    }
});
