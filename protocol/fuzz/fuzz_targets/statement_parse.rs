//! Transaction data entries come from any relying party: reading one as a statement must
//! never panic, and a statement that reads must write back to an entry that reads the same,
//! with the same sentence (what is shown is what is signed).
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::credential_types::Lang;
use protocol::statements::parse_entry;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(entry) = parse_entry(&value) {
        let ids: Vec<&str> = entry.credential_ids.iter().map(String::as_str).collect();
        let again = parse_entry(&entry.statement.to_entry(&ids))
            .expect("a statement must re-read after writing");
        assert_eq!(again, entry);
        for lang in [Lang::Nl, Lang::En] {
            assert_eq!(again.statement.sentence(lang), entry.statement.sentence(lang));
        }
    }
});
