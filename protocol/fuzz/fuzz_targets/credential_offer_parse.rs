//! Credential offers reach the wallet in QR codes and links anyone can make, and by reference
//! as JSON fetched from the `credential_offer_uri` they name: `parse_offer_uri` and
//! `CredentialOffer::from_json` (as `wallet-core`'s `resolve_offer` calls them) must never
//! panic, and an offer that parses must survive its own link form unchanged.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::oid4vci::{parse_offer_uri, CredentialOffer, OfferReference, MAX_MESSAGE_LEN};

fuzz_target!(|data: &[u8]| {
    if let Ok(offer) = CredentialOffer::from_json(data) {
        let _ = offer.pre_authorized();
        // Percent-encoding may grow a large offer's link past the size limit.
        let link = offer.to_uri();
        if link.len() <= MAX_MESSAGE_LEN {
            let again = parse_offer_uri(&link, false).expect("an offer's link must parse");
            assert_eq!(again, OfferReference::ByValue(offer));
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for loopback in [false, true] {
        match parse_offer_uri(text, loopback) {
            Ok(OfferReference::ByReference(url)) => {
                // Only fetchable addresses come out: https, or loopback http when allowed.
                assert!(url.starts_with("https://") || (loopback && url.starts_with("http://")));
                let link = CredentialOffer::reference_uri(&url);
                if link.len() <= MAX_MESSAGE_LEN {
                    assert_eq!(
                        parse_offer_uri(&link, loopback),
                        Ok(OfferReference::ByReference(url))
                    );
                }
            }
            Ok(OfferReference::ByValue(offer)) => assert!(!offer.credential_issuer.is_empty()),
            Err(_) => {}
        }
    }
});
