//! Style sheets and the small script. The NL Design System CSS comes from the npm packages
//! (`npm ci` at the repository root); without them the pages still work with Regie's own
//! sheet.
use std::path::PathBuf;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const REGIE_CSS: &str = include_str!("../assets/regie.css");
const REGIE_JS: &str = include_str!("../assets/regie.js");

/// Where `node_modules` may be: `$REGIE_NODE_MODULES`, the working directory, or the
/// repository this binary was built from.
fn node_modules() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("REGIE_NODE_MODULES") {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(PathBuf::from("node_modules"));
    dirs.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../node_modules"));
    dirs
}

fn from_npm(relative: &str) -> Option<String> {
    node_modules()
        .into_iter()
        .find_map(|d| std::fs::read_to_string(d.join(relative)).ok())
}

pub async fn serve(Path(name): Path<String>) -> Response {
    let (content_type, body) = match name.as_str() {
        "regie.css" => ("text/css", Some(REGIE_CSS.to_owned())),
        "regie.js" => ("text/javascript", Some(REGIE_JS.to_owned())),
        "utrecht.css" => (
            "text/css",
            Some(from_npm("@utrecht/component-library-css/dist/index.css").unwrap_or_default()),
        ),
        "tokens.css" => (
            "text/css",
            Some(from_npm("@utrecht/design-tokens/dist/index.css").unwrap_or_default()),
        ),
        _ => ("text/plain", None),
    };
    match body {
        Some(body) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "max-age=300"),
            ],
            body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
