//! Images cannot stall the verifier: a huge picture in a small file is refused from its
//! header at once, and large images are read on a bounded pool while other requests are
//! answered as usual.
mod common;

use std::time::Duration;

use common::*;
use image::{GrayImage, Luma};
use serde_json::{json, Value};

/// An all-white 8000 × 8000 PNG of 76 KB.
fn white_8000() -> Vec<u8> {
    std::fs::read(repo_root().join("qr-image/tests/fixtures/white-8000x8000.png")).unwrap()
}

fn png(img: &GrayImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn post_image(http: &reqwest::Client, url: &str, bytes: Vec<u8>) -> (u16, Value) {
    let r = http
        .post(format!("{url}/api/documents/verify"))
        .header("content-type", "image/png")
        .body(bytes)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// The validator page's form with `bytes` as the uploaded document.
async fn post_to_validator(w: &World, bytes: &[u8]) -> (u16, String) {
    let boundary = "regie-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"scan.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = w
        .http
        .post(format!("{}/valideer", w.verifier_url))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Waits until `n` images are with the verifier's pool.
async fn wait_for_pool(w: &World, n: usize) {
    let waited = tokio::time::timeout(Duration::from_secs(60), async {
        while w.verifier.images.in_use() < n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "{n} images never reached the pool");
}

#[tokio::test(flavor = "multi_thread")]
async fn huge_images_are_refused_and_large_ones_do_not_stall_other_requests() {
    let w = World::start().await;
    // Large but allowed: white pictures that are scaled down and searched in full.
    let large = png(&GrayImage::from_pixel(3200, 2400, Luma([255])));
    let images: Vec<_> = (0..4)
        .map(|_| {
            let (http, url, bytes) = (w.http.clone(), w.verifier_url.clone(), large.clone());
            tokio::spawn(async move { post_image(&http, &url, bytes).await })
        })
        .collect();
    // Until all four are with the pool (one being read, the others waiting their turn).
    wait_for_pool(&w, 4).await;

    // An unrelated request is answered meanwhile.
    let r = w
        .http
        .post(format!("{}/api/documents/verify", w.verifier_url))
        .json(&json!({"qr_text": "hallo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["verdict"], "onleesbaar");
    let (status, page) = w.get_page("/", None).await;
    assert_eq!(status, 200);
    assert!(page.contains("Regie"));

    // The huge picture is refused from its header, without waiting for the pool.
    let (status, refusal) = post_image(&w.http, &w.verifier_url, white_8000()).await;
    assert_eq!(
        (status, refusal["error"].as_str()),
        (413, Some("too_large"))
    );
    assert!(
        refusal["error_description"]
            .as_str()
            .unwrap()
            .contains("too many pixels"),
        "{refusal}"
    );
    let (status, page) = post_to_validator(&w, &white_8000()).await;
    assert_eq!(status, 413);
    assert!(page.contains("te veel beeldpunten"), "the page says why");
    assert!(page.contains(r#"data-verdict="onleesbaar""#));

    assert!(
        images.iter().any(|i| !i.is_finished()),
        "all of this was answered while the large images were still being read"
    );
    for image in images {
        let (status, v) = image.await.unwrap();
        assert_eq!(
            (status, v["verdict"].as_str()),
            (422, Some("onleesbaar")),
            "{v}"
        );
    }
    assert_eq!(w.verifier.images.in_use(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_queue_is_answered_busy_at_once() {
    let w = World::start().await;
    // Slow enough in the test build that all five are with the pool before the first ends.
    let large = png(&GrayImage::from_pixel(3200, 2400, Luma([255])));
    // The test pool reads one image at a time with four waiting.
    let images: Vec<_> = (0..5)
        .map(|_| {
            let (http, url, bytes) = (w.http.clone(), w.verifier_url.clone(), large.clone());
            tokio::spawn(async move { post_image(&http, &url, bytes).await })
        })
        .collect();
    wait_for_pool(&w, 5).await;
    let (status, busy) = post_image(&w.http, &w.verifier_url, large.clone()).await;
    assert_eq!(
        (status, busy["error"].as_str()),
        (503, Some("busy")),
        "{busy}"
    );
    assert!(images.iter().any(|i| !i.is_finished()));
    for image in images {
        assert_eq!(image.await.unwrap().0, 422);
    }
}
