//! Reading QR codes from a photo or scan (a printed extract, a QR code on a screen). Phone
//! photos are scaled, slightly rotated, unevenly lit and noisy; the decoder is tried on the
//! image as it is and then on cleaned-up versions (resized, thresholded with Otsu's method,
//! smoothed) until one reads.
use image::{imageops, DynamicImage, GrayImage, ImageReader, Luma};

/// Largest upload accepted.
pub const MAX_IMAGE_BYTES: usize = 12 * 1024 * 1024;
/// Largest image side accepted (decoding allocates per pixel).
pub const MAX_SIDE: u32 = 8000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the image is too large")]
    TooLarge,
    #[error("not a PNG or JPEG image")]
    NotAnImage,
    #[error("no QR code found in the image")]
    NoQrCode,
}

/// The texts of the QR codes found in a PNG or JPEG image.
pub fn read_qr_texts(bytes: &[u8]) -> Result<Vec<String>, ImageError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ImageError::TooLarge);
    }
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| ImageError::NotAnImage)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| ImageError::NotAnImage)?;
    let gray = image.to_luma8();
    for attempt in attempts(&gray) {
        let texts = decode(&attempt);
        if !texts.is_empty() {
            return Ok(texts);
        }
    }
    Err(ImageError::NoQrCode)
}

fn decode(gray: &GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(gray.clone());
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

/// The image as it is, then variants that help with large photos, blur and noise.
fn attempts(gray: &GrayImage) -> Vec<GrayImage> {
    let longest = gray.width().max(gray.height());
    let mut out = vec![gray.clone()];
    if longest > 1600 {
        let scale = 1600.0 / longest as f32;
        out.push(resize(gray, scale));
    }
    if longest < 600 {
        out.push(resize(gray, 2.0));
    }
    let base = out.last().cloned().unwrap_or_else(|| gray.clone());
    out.push(threshold(&base));
    out.push(threshold(&imageops::blur(&base, 1.2)));
    out.push(threshold(&imageops::blur(&base, 2.5)));
    out
}

fn resize(gray: &GrayImage, scale: f32) -> GrayImage {
    let w = ((gray.width() as f32 * scale) as u32).max(1);
    let h = ((gray.height() as f32 * scale) as u32).max(1);
    DynamicImage::ImageLuma8(gray.clone())
        .resize(w, h, imageops::FilterType::Triangle)
        .to_luma8()
}

/// Black and white at Otsu's threshold.
fn threshold(gray: &GrayImage) -> GrayImage {
    let mut histogram = [0u64; 256];
    for p in gray.pixels() {
        histogram[p[0] as usize] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(i, n)| i as f64 * *n as f64)
        .sum();
    let (mut best, mut best_t) = (0.0, 128u8);
    let (mut weight_b, mut sum_b) = (0u64, 0.0);
    for (t, count) in histogram.iter().enumerate() {
        weight_b += count;
        if weight_b == 0 || weight_b == total {
            continue;
        }
        sum_b += t as f64 * *count as f64;
        let weight_f = (total - weight_b) as f64;
        let mean_b = sum_b / weight_b as f64;
        let mean_f = (sum_all - sum_b) / weight_f;
        let between = weight_b as f64 * weight_f * (mean_b - mean_f).powi(2);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    GrayImage::from_fn(gray.width(), gray.height(), |x, y| {
        Luma([if gray.get_pixel(x, y)[0] > best_t {
            255
        } else {
            0
        }])
    })
}
