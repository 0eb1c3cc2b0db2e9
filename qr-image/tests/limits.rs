//! Images whose decoding would cost more than a QR code is worth are refused from their
//! header, before any pixel is decoded.
use std::time::Instant;

use image::{GrayImage, Luma};
use regie_qr_image::{check_size, read_qr_texts, read_qr_texts_until, ImageError};

/// An all-white 8000 × 8000 PNG of 76 KB: 64 megapixels that compress to almost nothing.
fn white_8000() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/white-8000x8000.png"
    ))
    .unwrap()
}

fn png(img: &GrayImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn a_huge_picture_in_a_small_file_is_refused_from_its_header() {
    let bytes = white_8000();
    assert!(bytes.len() < 100 * 1024);
    assert_eq!(check_size(&bytes), Err(ImageError::TooManyPixels));
    assert_eq!(read_qr_texts(&bytes), Err(ImageError::TooManyPixels));
    assert!(ImageError::TooManyPixels
        .to_string()
        .contains("20 megapixels"));
    // Within the side limit but over the pixel limit.
    let wide = png(&GrayImage::from_pixel(5000, 4100, Luma([255])));
    assert_eq!(check_size(&wide), Err(ImageError::TooManyPixels));
    assert_eq!(check_size(b"not an image"), Err(ImageError::NotAnImage));
}

#[test]
fn large_pictures_within_the_limits_are_read_scaled_down() {
    let blank = png(&GrayImage::from_pixel(4000, 3000, Luma([240])));
    assert_eq!(check_size(&blank), Ok(()));
    assert_eq!(read_qr_texts(&blank), Err(ImageError::NoQrCode));
}

#[test]
fn a_passed_deadline_stops_the_search() {
    let blank = png(&GrayImage::from_pixel(800, 600, Luma([240])));
    // A deadline of now has passed by the first check.
    assert_eq!(
        read_qr_texts_until(&blank, Some(Instant::now())),
        Err(ImageError::TooSlow)
    );
}
