//! A 10 MB body sent to every route that takes one, on both services: each is refused with
//! 413 before any handler acts on it, nothing is created, and both services go on serving.
mod common;

use common::*;

const TEN_MB: usize = 10 * 1024 * 1024;
/// Routes that take photos of QR codes allow 12 MB (a phone's photo): they get 13 MB.
const PHOTO_ROUTES: &[&str] = &["/api/documents/verify", "/valideer"];
const THIRTEEN_MB: usize = 13 * 1024 * 1024;

/// Every route that accepts a body (the two OpenAPI documents and the pages' forms), with
/// the content type its handler reads.
const ISSUER_ROUTES: &[(&str, &str)] = &[
    ("/token", "application/x-www-form-urlencoded"),
    ("/nonce", "application/json"),
    ("/credential", "application/json"),
    ("/api/offers", "application/json"),
    ("/api/persons/999993653/move", "application/json"),
    ("/api/credentials/x/revoke", "application/json"),
    ("/api/documents", "application/json"),
    ("/api/corrections/x", "application/json"),
    ("/api/cases/x/statements", "application/json"),
    ("/inloggen", "application/x-www-form-urlencoded"),
    ("/uitloggen", "application/x-www-form-urlencoded"),
    ("/mijn/aanvragen", "application/x-www-form-urlencoded"),
    ("/mijn/intrekken", "application/x-www-form-urlencoded"),
    ("/mijn/uittreksel", "application/x-www-form-urlencoded"),
    ("/mijn/correctie", "application/x-www-form-urlencoded"),
    ("/mijn/verhuizen", "application/x-www-form-urlencoded"),
    (
        "/mijn/reisdocument-kind",
        "application/x-www-form-urlencoded",
    ),
    ("/balie/inloggen", "application/x-www-form-urlencoded"),
    ("/balie/reisdocument", "application/x-www-form-urlencoded"),
    (
        "/balie/zaak/x/aan-de-balie",
        "application/x-www-form-urlencoded",
    ),
    (
        "/balie/zaak/x/verklaring",
        "multipart/form-data; boundary=b",
    ),
];

const VERIFIER_ROUTES: &[(&str, &str)] = &[
    ("/api/sessions", "application/json"),
    ("/response", "application/x-www-form-urlencoded"),
    ("/api/documents/verify", "multipart/form-data; boundary=b"),
    ("/api/statements/verify", "application/json"),
    ("/woonstichting/start", "application/x-www-form-urlencoded"),
    ("/notaris/start", "application/x-www-form-urlencoded"),
    (
        "/gemeente/verklaring/start",
        "application/x-www-form-urlencoded",
    ),
    ("/valideer", "multipart/form-data; boundary=b"),
];

#[tokio::test(flavor = "multi_thread")]
async fn ten_megabyte_bodies_are_refused_everywhere_and_change_nothing() {
    let w = World::start().await;
    let body = vec![b'a'; TEN_MB];
    let photo_body = vec![b'a'; THIRTEEN_MB];
    let login = browser()
        .post(format!("{}/balie/inloggen", w.issuer_url))
        .form(&[("token", ADMIN)])
        .send()
        .await
        .unwrap();
    let clerk = cookie_of(&login);
    let mut refused = Vec::new();
    for (base, routes) in [
        (&w.issuer_url, ISSUER_ROUTES),
        (&w.verifier_url, VERIFIER_ROUTES),
    ] {
        for (path, content_type) in routes {
            let response = browser()
                .post(format!("{base}{path}"))
                .bearer_auth(ADMIN)
                .header("cookie", clerk.as_str())
                .header("content-type", *content_type)
                .header("origin", base.as_str())
                .body(if PHOTO_ROUTES.contains(path) {
                    photo_body.clone()
                } else {
                    body.clone()
                })
                .send()
                .await;
            // A service may also close the connection once the limit is passed.
            let status = response.map(|r| r.status().as_u16()).unwrap_or(413);
            refused.push((path.to_string(), status));
        }
    }
    let not_413: Vec<_> = refused.iter().filter(|(_, s)| *s != 413).collect();
    assert!(not_413.is_empty(), "answered otherwise: {not_413:?}");
    // Nothing was created, and both services still answer.
    let (status, cases) = get_json(&w, &format!("{}/api/cases", w.issuer_url)).await;
    assert_eq!(status, 200);
    assert_eq!(cases["cases"].as_array().map(Vec::len), Some(0), "{cases}");
    let (status, _) = get_json(
        &w,
        &format!("{}/.well-known/openid-credential-issuer", w.issuer_url),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = get_json(&w, &format!("{}/api/openapi.json", w.verifier_url)).await;
    assert_eq!(status, 200);
}

async fn get_json(w: &World, url: &str) -> (u16, serde_json::Value) {
    let r = w.http.get(url).bearer_auth(ADMIN).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}
