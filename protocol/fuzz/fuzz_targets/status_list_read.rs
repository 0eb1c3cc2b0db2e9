//! Status lists are fetched from issuers over the network: reading a token or a
//! `status_list` object must never panic, and inflation must stay within its cap.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::status_list::{StatusList, UnverifiedStatusListToken, MAX_LIST_BYTES};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = UnverifiedStatusListToken::parse(text);
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(list) = StatusList::from_json(&value) {
            assert!(list.as_bytes().len() <= MAX_LIST_BYTES);
            // Reading any index in range must work; out of range must be an error.
            let len = list.len();
            if len > 0 {
                assert!(list.get(len - 1).is_ok());
            }
            assert!(list.get(len).is_err());
        }
    }
});
