//! The issuer's `POST /token` takes a form body from anyone: `TokenGrant::from_form` (as the
//! issuer's token handler calls it) must never panic, and a parsed grant must survive its own
//! form unchanged. The wallet reads the token and nonce endpoints' answers as JSON.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::oid4vci::{
    ErrorResponse, NonceResponse, TokenGrant, TokenRequest, TokenResponse, MAX_MESSAGE_LEN,
};

fuzz_target!(|data: &[u8]| {
    match TokenGrant::from_form(data) {
        Ok(TokenGrant::PreAuthorized(request)) => {
            assert!(!request.pre_authorized_code.is_empty());
            // Re-encoding may grow the form past the size limit (raw bytes become %XX).
            let form = request.to_form();
            if form.len() <= MAX_MESSAGE_LEN {
                let again = TokenGrant::from_form(form.as_bytes());
                assert_eq!(again, Ok(TokenGrant::PreAuthorized(request)));
            }
        }
        Ok(TokenGrant::Refresh { refresh_token }) => {
            assert!(!refresh_token.is_empty());
            let form = TokenGrant::refresh_form(&refresh_token);
            if form.len() <= MAX_MESSAGE_LEN {
                let again = TokenGrant::from_form(form.as_bytes());
                assert_eq!(again, Ok(TokenGrant::Refresh { refresh_token }));
            }
        }
        Err(e) => assert!(!e.code().is_empty()),
    }
    let _ = TokenRequest::from_form(data);
    let _ = serde_json::from_slice::<TokenResponse>(data);
    let _ = serde_json::from_slice::<NonceResponse>(data);
    let _ = serde_json::from_slice::<ErrorResponse>(data);
});
