//! QR codes of session links, as PNG and SVG (the SVG through `templates/qr.svg`).
use std::fmt::Write;

use askama::Template;
use qrcode::{Color, EcLevel, QrCode};

/// Quiet zone in modules around the code, as the QR standard asks.
const QUIET: usize = 4;

fn code(text: &str) -> Option<QrCode> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()
}

/// A PNG with `scale` pixels per module.
pub fn png(text: &str, scale: u32) -> Option<Vec<u8>> {
    let code = code(text)?;
    let width = code.width();
    let colors = code.to_colors();
    let size = (width + 2 * QUIET) as u32 * scale;
    let image = image::GrayImage::from_fn(size, size, |x, y| {
        let (mx, my) = ((x / scale) as usize, (y / scale) as usize);
        let dark = mx >= QUIET
            && my >= QUIET
            && mx < width + QUIET
            && my < width + QUIET
            && colors[(my - QUIET) * width + (mx - QUIET)] == Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

/// A QR code as SVG: one path for all dark modules, scalable without blur. The path is
/// made of numbers only (the modules the `qrcode` crate computed); the title is escaped.
#[derive(Template)]
#[template(path = "qr.svg", escape = "html")]
pub struct QrSvg {
    size: usize,
    path: String,
    title: String,
}

/// The SVG of `text`, labelled `title` for screen readers; `None` when `text` does not fit
/// in a QR code.
pub fn svg(text: &str, title: &str) -> Option<QrSvg> {
    let code = code(text)?;
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (x, y) = (i % width + QUIET, i / width + QUIET);
            // Writing to a String cannot fail.
            let _ = write!(path, "M{x} {y}h1v1h-1z");
        }
    }
    Some(QrSvg {
        size: width + 2 * QUIET,
        path,
        title: title.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_is_escaped_and_the_svg_is_whole() {
        let svg = svg("openid4vp://x", "<script>\"")
            .unwrap()
            .render()
            .unwrap();
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#));
        assert!(svg.contains("<title>&lt;script&gt;&quot;</title>"), "{svg}");
        assert!(svg.ends_with(r##"fill="#000"/></svg>"##));
    }
}
