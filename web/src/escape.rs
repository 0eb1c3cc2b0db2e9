//! The escaper of every page template (named in each crate's `askama.toml`): `&`, `<`, `>`,
//! `"` and `'` become `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;`, safe in text and in
//! quoted attribute values alike.
use std::fmt;

use askama::filters::Escaper;

/// HTML escaping with named entities.
#[derive(Clone, Copy, Debug, Default)]
pub struct Html;

impl Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        let mut rest = string;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            dest.write_str(&rest[..at])?;
            let entity = match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            };
            dest.write_str(entity)?;
            rest = &rest[at + 1..];
        }
        dest.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_characters_become_named_entities() {
        let mut out = String::new();
        Html.write_escaped_str(&mut out, "a&b<c>d\"e'f\u{202e}g")
            .unwrap();
        assert_eq!(out, "a&amp;b&lt;c&gt;d&quot;e&#39;f\u{202e}g");
    }
}
