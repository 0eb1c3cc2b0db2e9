//! Reading QR codes from a photo or scan (a printed extract, a QR code on a screen). Phone
//! photos are scaled, slightly rotated, unevenly lit and noisy; the decoder is tried on the
//! image as it is and then on cleaned-up versions (resized, thresholded with Otsu's method,
//! smoothed) until one reads.
use std::time::Instant;

use image::{imageops, DynamicImage, GrayImage, ImageReader, Luma};

/// Largest upload accepted.
pub const MAX_IMAGE_BYTES: usize = 12 * 1024 * 1024;
/// Largest image side accepted (decoding allocates per pixel).
pub const MAX_SIDE: u32 = 8000;
/// Most pixels accepted, judged from the header before decoding: a few kilobytes of PNG can
/// describe a huge, uniform picture whose decoding costs seconds and hundreds of megabytes.
/// 20 megapixels holds every usual phone photo (12 MP) and an A4 scan at 300 dpi (8.7 MP).
pub const MAX_PIXELS: u64 = 20_000_000;
/// Longest side the search works on: larger images are scaled down first, which bounds the
/// cost of every attempt. 3000 px keeps the printed code of a photographed A4 page at three
/// or more pixels per module, about what the decoder needs.
pub const WORK_SIDE: u32 = 3000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the image is too large")]
    TooLarge,
    #[error("the image has too many pixels (at most {} megapixels, {MAX_SIDE} per side)", MAX_PIXELS / 1_000_000)]
    TooManyPixels,
    #[error("not a PNG or JPEG image")]
    NotAnImage,
    #[error("no QR code found in the image")]
    NoQrCode,
    #[error("reading the image took too long")]
    TooSlow,
}

/// The texts of the QR codes found in a PNG or JPEG image.
pub fn read_qr_texts(bytes: &[u8]) -> Result<Vec<String>, ImageError> {
    read_qr_texts_until(bytes, None)
}

/// As [`read_qr_texts`], giving up with [`ImageError::TooSlow`] once `deadline` has passed
/// (checked between the attempts, so the work stops soon after it).
pub fn read_qr_texts_until(
    bytes: &[u8],
    deadline: Option<Instant>,
) -> Result<Vec<String>, ImageError> {
    let late = || deadline.is_some_and(|d| Instant::now() >= d);
    let gray = work_image(decode_limited(bytes)?);
    for attempt in attempts(&gray) {
        if late() {
            return Err(ImageError::TooSlow);
        }
        let texts = decode(&attempt);
        if !texts.is_empty() {
            return Ok(texts);
        }
    }
    Err(ImageError::NoQrCode)
}

/// Checks an upload's size and, from its header alone, its dimensions: cheap enough to run
/// before any queue or decoding.
pub fn check_size(bytes: &[u8]) -> Result<(), ImageError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ImageError::TooLarge);
    }
    let (width, height) = reader(bytes)?
        .into_dimensions()
        .map_err(|_| ImageError::NotAnImage)?;
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels);
    }
    Ok(())
}

fn reader(bytes: &[u8]) -> Result<ImageReader<std::io::Cursor<&[u8]>>, ImageError> {
    ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| ImageError::NotAnImage)
}

/// Decodes only after the header's dimensions are within limits.
fn decode_limited(bytes: &[u8]) -> Result<DynamicImage, ImageError> {
    check_size(bytes)?;
    let mut reader = reader(bytes)?;
    // The decoder's own limits too, in case a format's header and data disagree.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(4 * MAX_PIXELS + 64 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::TooManyPixels,
        _ => ImageError::NotAnImage,
    })
}

/// The image in grey, scaled down to [`WORK_SIDE`] when it is larger.
fn work_image(image: DynamicImage) -> GrayImage {
    let longest = image.width().max(image.height());
    if longest > WORK_SIDE {
        image
            .resize(WORK_SIDE, WORK_SIDE, imageops::FilterType::Triangle)
            .to_luma8()
    } else {
        image.to_luma8()
    }
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
