//! The page frame: language, skip link, header, main, footer (`templates/page.html`).
use askama::Template;
use axum::extract::Query;
use axum::http::{header, StatusCode};
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

    /// Whether the page is in English.
    pub fn is_en(self) -> bool {
        self == Lang::En
    }

    /// `?lang=en` to append to links, or nothing for Dutch.
    pub fn query(self) -> &'static str {
        self.t("", "?lang=en")
    }
}

/// The page frame around a body that is itself a template.
#[derive(Template)]
#[template(path = "page.html")]
struct Frame<'a, B: Template> {
    lang: Lang,
    title: &'a str,
    path: &'a str,
    site: &'a str,
    body: &'a B,
}

/// A whole page. `path` is the page's own path, for the language switch; `body` is the
/// template of what the page shows. Every value in either is escaped by askama.
pub fn page(lang: Lang, title: &str, path: &str, site: &str, body: &impl Template) -> Response {
    let frame = Frame {
        lang,
        title,
        path,
        site,
        body,
    };
    match frame.render() {
        Ok(html) => (
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            ],
            Html(html),
        )
            .into_response(),
        Err(e) => {
            tracing::error!("a page could not be rendered: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CACHE_CONTROL, "no-store")],
                "internal error",
            )
                .into_response()
        }
    }
}
