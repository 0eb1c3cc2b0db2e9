//! The escaper of every page template (named in each crate's `askama.toml`): `&`, `<`, `>`,
//! `"` and `'` become `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;`, safe in text and in
//! quoted attribute values alike. The bidirectional embedding, override and isolate controls
//! (U+202A–U+202E, U+2066–U+2069) are written out as `[U+202E]`: a name carrying an override
//! would otherwise show its letters reversed and move the text after it, so that a page
//! shows something else than what the data says.
use std::fmt;

use askama::filters::Escaper;

/// HTML escaping with named entities.
#[derive(Clone, Copy, Debug, Default)]
pub struct Html;

impl Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        let mut rest = string;
        while let Some(at) =
            rest.find(|c| matches!(c, '&' | '<' | '>' | '"' | '\'') || is_bidi_control(c))
        {
            dest.write_str(&rest[..at])?;
            let Some(c) = rest[at..].chars().next() else {
                break;
            };
            match c {
                '&' => dest.write_str("&amp;")?,
                '<' => dest.write_str("&lt;")?,
                '>' => dest.write_str("&gt;")?,
                '"' => dest.write_str("&quot;")?,
                '\'' => dest.write_str("&#39;")?,
                control => write!(dest, "[U+{:04X}]", u32::from(control))?,
            }
            rest = &rest[at + c.len_utf8()..];
        }
        dest.write_str(rest)
    }
}

/// The controls that reorder the text around them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_characters_become_named_entities() {
        let mut out = String::new();
        Html.write_escaped_str(&mut out, "a&b<c>d\"e'f").unwrap();
        assert_eq!(out, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    }

    #[test]
    fn reordering_controls_are_written_out_and_other_text_is_kept() {
        let mut out = String::new();
        Html.write_escaped_str(&mut out, "\u{202e}evil \u{2066}x\u{2069} Zoë عربي \u{200f}")
            .unwrap();
        assert_eq!(out, "[U+202E]evil [U+2066]x[U+2069] Zoë عربي \u{200f}");
    }
}
