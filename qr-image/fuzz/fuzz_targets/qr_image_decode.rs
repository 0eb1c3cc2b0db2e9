//! Photos and scans are uploaded to the verifier's document check (`POST
//! /api/documents/verify`, through its image pool) and picked by citizens in the wallet:
//! `read_qr_texts_until` (the verifier, with a deadline) and `read_qr_texts` (the wallet's
//! scan) must never panic, whatever the bytes claim to be.
//!
//! Images that declare more than [`MAX_FUZZ_PIXELS`] are only size-checked here: under the
//! fuzzer's instrumentation even a 356 × 356 picture takes seconds to search (six attempts,
//! blurs and thresholds), which would leave the fuzzer a few inputs a minute. The decoder
//! code is the same for small and large pictures; the limits on large ones have their own
//! tests (qr-image/tests/limits.rs).
#![no_main]
use std::io::Cursor;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use regie_qr_image::{check_size, read_qr_texts, read_qr_texts_until, ImageError};

const MAX_FUZZ_PIXELS: u64 = 160 * 160;

fn declared_pixels(data: &[u8]) -> Option<u64> {
    let reader = image::ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .ok()?;
    let (w, h) = reader.into_dimensions().ok()?;
    Some(u64::from(w) * u64::from(h))
}

fuzz_target!(|data: &[u8]| {
    if check_size(data).is_err() {
        return;
    }
    if declared_pixels(data).is_none_or(|p| p > MAX_FUZZ_PIXELS) {
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    match read_qr_texts_until(data, Some(deadline)) {
        Ok(texts) => {
            assert!(!texts.is_empty(), "success means at least one code");
            assert_eq!(
                read_qr_texts(data),
                Ok(texts),
                "the same image reads the same"
            );
        }
        Err(ImageError::TooLarge) => panic!("check_size passed, so the upload is not too large"),
        Err(_) => {}
    }
});
