use std::io::Write;

fn main() {
    // The licences of what the app bundles (scripts/licences.mjs writes them), compressed
    // into the binary: the texts are some 0.9 MB as JSON and about a tenth of that compressed.
    println!("cargo:rerun-if-changed=licences.json");
    let json = std::fs::read("licences.json").expect("src-tauri/licences.json");
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("licences.json.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&out).expect("licences.json.gz"),
        flate2::Compression::best(),
    );
    gz.write_all(&json).expect("compressing the licences");
    gz.finish().expect("compressing the licences");
    tauri_build::build()
}
