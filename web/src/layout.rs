//! The page frame: language, skip link, header, main, footer; and escaping.
use axum::extract::Query;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

/// The page language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

#[derive(Deserialize, Default)]
pub struct LangQuery {
    pub lang: Option<String>,
}

impl Lang {
    pub fn from_query(q: &Query<LangQuery>) -> Lang {
        Lang::from_code(q.lang.as_deref())
    }

    pub fn from_code(code: Option<&str>) -> Lang {
        match code {
            Some("en") => Lang::En,
            _ => Lang::Nl,
        }
    }

    pub fn t<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }

    pub fn protocol(self) -> protocol::credential_types::Lang {
        match self {
            Lang::Nl => protocol::credential_types::Lang::Nl,
            Lang::En => protocol::credential_types::Lang::En,
        }
    }

    pub fn code(self) -> &'static str {
        self.t("nl", "en")
    }

    /// `?lang=en` to append to links, or nothing for Dutch.
    pub fn query(self) -> &'static str {
        self.t("", "?lang=en")
    }
}

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page. `path` is the page's own path, for the language switch.
pub fn page(lang: Lang, title: &str, path: &str, site: &str, body: &str) -> Response {
    let other = match lang {
        Lang::Nl => format!(
            r#"<a class="utrecht-link" href="{path}?lang=en" lang="en" hreflang="en">English</a>"#
        ),
        Lang::En => format!(
            r#"<a class="utrecht-link" href="{path}" lang="nl" hreflang="nl">Nederlands</a>"#
        ),
    };
    let html = format!(
        r##"<!DOCTYPE html>
<html lang="{code}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – {site}</title>
<link rel="stylesheet" href="/assets/tokens.css">
<link rel="stylesheet" href="/assets/utrecht.css">
<link rel="stylesheet" href="/assets/regie.css">
<script src="/assets/regie.js" defer></script>
</head>
<body class="utrecht-theme utrecht-document utrecht-document--surface">
<a class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#inhoud">{skip}</a>
<div class="utrecht-page">
<header class="utrecht-page-header regie-header">
  <p class="regie-site"><a class="utrecht-link" href="/{q}">{site}</a></p>
  <p class="regie-demo">{demo}</p>
  <nav aria-label="{langnav}">{other}</nav>
</header>
<main id="inhoud" class="utrecht-page-content" tabindex="-1">
<h1 class="utrecht-heading-1">{title}</h1>
{body}
</main>
<footer class="utrecht-page-footer regie-footer">
  <p class="utrecht-paragraph">{footer}</p>
</footer>
</div>
</body>
</html>"##,
        code = lang.code(),
        title = esc(title),
        site = esc(site),
        q = lang.query(),
        skip = lang.t("Naar de inhoud", "Skip to content"),
        demo = lang.t(
            "Demonstratie met verzonnen organisaties en testgegevens",
            "Demonstration with made-up organisations and test data"
        ),
        langnav = lang.t("Taal", "Language"),
        footer = lang.t(
            "Regie-demo. Gebouwd op open standaarden (OpenID4VCI, OpenID4VP, SD-JWT VC).",
            "Regie demo. Built on open standards (OpenID4VCI, OpenID4VP, SD-JWT VC)."
        ),
    );
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        ],
        Html(html),
    )
        .into_response()
}
