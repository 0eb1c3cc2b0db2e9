//! Writes the seeds of `qr_image_decode`: small PNG and JPEG pictures of a document QR code,
//! drawn with the protocol crate's own QR rendering, as a scan or screenshot would give:
//!
//!     cd qr-image/fuzz && cargo run --example make_seeds
use std::path::Path;

use image::{DynamicImage, GrayImage, ImageFormat, Luma};

/// The QR code of `text` with a quiet zone of four modules, `scale` pixels per module.
fn draw(text: &str, scale: usize) -> DynamicImage {
    let matrix = protocol::document::render_qr(text).expect("a QR code");
    let quiet = 4usize;
    let side = (matrix.width + 2 * quiet) * scale;
    let gray = GrayImage::from_fn(side as u32, side as u32, |x, y| {
        let (mx, my) = (x as usize / scale, y as usize / scale);
        let inside = (quiet..quiet + matrix.width).contains(&mx)
            && (quiet..quiet + matrix.width).contains(&my);
        Luma([if inside && matrix.is_dark(mx - quiet, my - quiet) {
            0
        } else {
            255
        }])
    });
    DynamicImage::ImageLuma8(gray)
}

/// Writes `image` as PNG and JPEG and checks that both read back: a seed that does not
/// decode would start the fuzzer far from the QR decoder.
fn save(dir: &Path, name: &str, image: &DynamicImage) {
    let png = dir.join(format!("{name}.png"));
    let jpg = dir.join(format!("{name}.jpg"));
    image.save_with_format(&png, ImageFormat::Png).expect("PNG");
    image
        .to_rgb8()
        .save_with_format(&jpg, ImageFormat::Jpeg)
        .expect("JPEG");
    for path in [png, jpg] {
        let bytes = std::fs::read(&path).expect("seed");
        let texts = regie_qr_image::read_qr_texts(&bytes).expect("the seed reads");
        assert!(texts[0].starts_with("RG1:"), "{} reads", path.display());
    }
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/qr_image_decode");
    std::fs::create_dir_all(&dir).expect("seed directory");
    // A real document's QR text at one pixel per module (as a low-resolution scan), and a
    // short code at three: both small enough for the target's pixel budget.
    let document = include_str!("../../../protocol/fuzz/seeds/document_qr_decode/qr.txt");
    save(&dir, "document", &draw(document.trim(), 1));
    save(&dir, "short", &draw("RG1:FUZZ SEED 0123456789", 3));
    println!("seeds written and checked");
}
