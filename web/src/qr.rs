//! QR codes of session links, as PNG and SVG.
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

/// An SVG, one path for all dark modules, scalable without blur.
pub fn svg(text: &str, title: &str) -> Option<String> {
    let code = code(text)?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET;
    let mut path = String::new();
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (x, y) = (i % width + QUIET, i / width + QUIET);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" aria-label="{title}" shape-rendering="crispEdges"><title>{title}</title><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}
