//! The printable extract as PDF: municipality, date, every attribute in words, validity,
//! how to check it, and the signed QR code drawn as vector squares so it stays sharp at
//! any print size. DejaVu Sans (embedded, subset) covers every name in the BRP test set.
use std::io::Cursor;

use printpdf::{
    Color, IndirectFontRef, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference, Rect, Rgb,
};
use protocol::claim_path::ClaimPath;
use protocol::claim_text::{address_line, date_text, list_item_text, text, unix_date_text};
use protocol::credential_types::{claim_label, Lang};
use protocol::document::{render_qr, DocumentKind};
use serde_json::{Map, Value};

use crate::documents::IssuedDocument;

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 20.0;
/// Side of one QR module on paper: 0.6 mm is read by phone cameras and 300 dpi scanners.
const MODULE_MM: f32 = 0.6;
/// Characters per line for values at 10 pt in the value column (DejaVu Sans averages
/// about 0.55 em per character).
const VALUE_CHARS: usize = 54;
/// Characters per line for labels (bold 10 pt) in the label column.
const LABEL_CHARS: usize = 28;
const LABEL_X: f32 = MARGIN;
const VALUE_X: f32 = 85.0;
const LINE: f32 = 5.2;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("QR code: {0}")]
    Qr(#[from] protocol::document::DocumentError),
}

fn pdf_error(e: impl std::fmt::Display) -> PdfError {
    PdfError::Pdf(e.to_string())
}

/// The document's title.
pub fn title(kind: DocumentKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (DocumentKind::UittrekselBrp, Lang::Nl) => "Uittreksel Basisregistratie Personen",
        (DocumentKind::UittrekselBrp, Lang::En) => "Extract from the Personal Records Database",
        (DocumentKind::Woonhistorie, Lang::Nl) => "Uittreksel woonhistorie",
        (DocumentKind::Woonhistorie, Lang::En) => "Extract of address history",
        (DocumentKind::NaamAdres, Lang::Nl) => "Uittreksel naam en adres",
        (DocumentKind::NaamAdres, Lang::En) => "Extract of name and address",
    }
}

/// Greedy word wrap at `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn label(key: &str, lang: Lang) -> String {
    ClaimPath::keys([key])
        .map(|p| claim_label(&p, lang))
        .unwrap_or_else(|_| key.to_owned())
}

/// The lines of text for one attribute's value.
fn value_lines(key: &str, value: &Value, lang: Lang) -> Vec<String> {
    let yes_no = |b: bool| match (b, lang) {
        (true, Lang::Nl) => "ja",
        (false, Lang::Nl) => "nee",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
    };
    match value {
        Value::Bool(b) => vec![yes_no(*b).to_owned()],
        Value::Number(n) => vec![n.to_string()],
        Value::String(s) if key == "birthdate" || key.ends_with("_since") => {
            vec![date_text(s, lang)]
        }
        Value::String(s) => vec![s.clone()],
        Value::Object(_) => {
            let mut wrapped = Map::new();
            wrapped.insert(key.to_owned(), value.clone());
            let line = match value.as_object() {
                Some(o) if o.contains_key("street") => address_line(o),
                _ => address_line(&wrapped),
            };
            vec![line]
        }
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Object(o) => list_item_text(o, lang),
                other => text(Some(other)).unwrap_or_default(),
            })
            .collect(),
        Value::Null => Vec::new(),
    }
}

struct Writer {
    doc: PdfDocumentReference,
    layer: PdfLayerReference,
    regular: IndirectFontRef,
    bold: IndirectFontRef,
    y: f32,
    /// Lowest y text may reach on the current page.
    floor: f32,
    pages: usize,
}

impl Writer {
    fn text(&self, s: &str, size: f32, x: f32, bold: bool) {
        let font = if bold { &self.bold } else { &self.regular };
        self.layer.use_text(s, size, Mm(x), Mm(self.y), font);
    }

    fn ensure_room(&mut self, height: f32) {
        if self.y - height < self.floor {
            self.pages += 1;
            let (page, layer) =
                self.doc
                    .add_page(Mm(PAGE_W), Mm(PAGE_H), format!("Pagina {}", self.pages));
            self.layer = self.doc.get_page(page).get_layer(layer);
            self.y = PAGE_H - MARGIN;
            self.floor = MARGIN;
        }
    }
}

/// Renders `document` as a PDF in `lang`; `issuer_name` heads the page.
pub fn render(
    document: &IssuedDocument,
    issuer_name: &str,
    lang: Lang,
) -> Result<Vec<u8>, PdfError> {
    let content = &document.content;
    let doc_title = title(content.kind, lang);
    let (doc, page, layer) = PdfDocument::new(doc_title, Mm(PAGE_W), Mm(PAGE_H), "Pagina 1");
    let regular = doc
        .add_external_font_with_subsetting(Cursor::new(REGULAR), true)
        .map_err(pdf_error)?;
    let bold = doc
        .add_external_font_with_subsetting(Cursor::new(BOLD), true)
        .map_err(pdf_error)?;
    let qr = render_qr(&document.qr_text)?;
    let qr_side = (qr.width + 8) as f32 * MODULE_MM;
    let mut w = Writer {
        layer: doc.get_page(page).get_layer(layer),
        doc,
        regular,
        bold,
        y: PAGE_H - MARGIN,
        // The QR code and its explanation take the bottom of the first page.
        floor: MARGIN + qr_side + 8.0,
        pages: 1,
    };

    w.text(issuer_name, 11.0, MARGIN, true);
    w.y -= 12.0;
    w.text(doc_title, 20.0, MARGIN, true);
    w.y -= 8.0;
    let issued = match lang {
        Lang::Nl => format!(
            "Afgegeven op {}. Geldig tot en met {}. Kenmerk {}.",
            unix_date_text(content.iat, lang),
            unix_date_text(content.exp, lang),
            &document.record.id[..12.min(document.record.id.len())]
        ),
        Lang::En => format!(
            "Issued on {}. Valid until {}. Reference {}.",
            unix_date_text(content.iat, lang),
            unix_date_text(content.exp, lang),
            &document.record.id[..12.min(document.record.id.len())]
        ),
    };
    w.text(&issued, 10.0, MARGIN, false);
    w.y -= 10.0;

    let mut keys: Vec<&String> = content.attributes.keys().collect();
    keys.sort_by_key(|k| protocol::claim_text::reading_rank(k));
    for key in keys {
        let lines: Vec<String> = value_lines(key, &content.attributes[key.as_str()], lang)
            .iter()
            .flat_map(|l| wrap(l, VALUE_CHARS))
            .collect();
        let labels = wrap(&label(key, lang), LABEL_CHARS);
        let rows = lines.len().max(labels.len());
        w.ensure_room(LINE * rows as f32);
        let top = w.y;
        for line in &labels {
            w.text(line, 10.0, LABEL_X, true);
            w.y -= LINE;
        }
        w.y = top;
        for line in &lines {
            w.text(line, 10.0, VALUE_X, false);
            w.y -= LINE;
        }
        w.y = top - LINE * rows as f32 - 1.5;
    }

    // The QR code, bottom left of the first page, with how to check it beside it.
    let first = w.doc.get_page(page).get_layer(layer);
    first.set_fill_color(Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)));
    let left = MARGIN;
    let bottom = MARGIN;
    let quiet = 4.0 * MODULE_MM;
    let top = bottom + qr_side - quiet;
    for y in 0..qr.width {
        let mut x = 0;
        while x < qr.width {
            if !qr.is_dark(x, y) {
                x += 1;
                continue;
            }
            // One rectangle per run of dark modules keeps the PDF small.
            let start = x;
            while x < qr.width && qr.is_dark(x, y) {
                x += 1;
            }
            let x0 = left + quiet + start as f32 * MODULE_MM;
            let x1 = left + quiet + x as f32 * MODULE_MM;
            let y1 = top - y as f32 * MODULE_MM;
            first.add_rect(
                Rect::new(Mm(x0), Mm(y1 - MODULE_MM), Mm(x1), Mm(y1))
                    .with_mode(printpdf::path::PaintMode::Fill),
            );
        }
    }
    let explain_x = left + qr_side + 6.0;
    let chars = ((PAGE_W - MARGIN - explain_x) / 1.9) as usize;
    let explanation = match lang {
        Lang::Nl => [
            "Is dit uittreksel echt?",
            "Scan de QR-code op de controlepagina van Regie (/valideer) of met de Regie-app. U ziet dan of de gemeente dit uittreksel heeft gemaakt, of het nog geldig is, en welke gegevens erin staan. Alleen de gegevens in de QR-code tellen: tekst die op papier is veranderd, herkent de controle niet als echt.",
        ],
        Lang::En => [
            "Is this extract genuine?",
            "Scan the QR code on Regie's check page (/valideer) or with the Regie app. It shows whether the municipality made this extract, whether it is still valid, and which data it holds. Only the data in the QR code counts: text changed on paper is not recognised as genuine.",
        ],
    };
    let mut y = bottom + qr_side - 6.0;
    first.use_text(explanation[0], 11.0, Mm(explain_x), Mm(y), &w.bold);
    y -= 6.0;
    for line in wrap(explanation[1], chars) {
        first.use_text(line, 9.0, Mm(explain_x), Mm(y), &w.regular);
        y -= 4.6;
    }
    w.doc.save_to_bytes().map_err(pdf_error)
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_word_boundaries() {
        assert_eq!(wrap("een twee drie", 8), vec!["een twee", "drie"]);
        assert_eq!(wrap("", 8), vec![""]);
        assert_eq!(
            wrap("lang-woord-zonder-spaties", 5),
            vec!["lang-woord-zonder-spaties"]
        );
    }
}
