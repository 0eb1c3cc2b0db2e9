//! An extra CA for the services' outgoing HTTPS (`--ca-cert`): an organisation that runs its
//! services behind its own CA tells them so; certificates are always checked.
use std::path::Path;

/// The CA certificates of a PEM file: at least one, or a message naming the file.
pub fn ca_certs(path: &Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match reqwest::Certificate::from_pem_bundle(&pem) {
        Ok(certificates) if !certificates.is_empty() => Ok(certificates),
        _ => Err(format!("{} holds no PEM certificate", path.display())),
    }
}

/// A client builder trusting `extra_roots` besides the system's roots.
pub fn client_trusting(extra_roots: &[reqwest::Certificate]) -> reqwest::ClientBuilder {
    extra_roots
        .iter()
        .fold(reqwest::Client::builder(), |builder, root| {
            builder.add_root_certificate(root.clone())
        })
}
