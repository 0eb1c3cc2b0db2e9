//! DCQL queries arrive inside request objects from any relying party: parsing must never
//! panic, and a query that parses must survive serialization and parse again unchanged.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::dcql::DcqlQuery;

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = DcqlQuery::parse(data) {
        let again = DcqlQuery::from_json_value(&query.to_json_value())
            .expect("a valid query must re-parse after serialization");
        assert_eq!(again.to_json_value(), query.to_json_value());
    }
});
