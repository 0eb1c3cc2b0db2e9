//! The citizen's wallet: an encrypted store of credentials and activity behind a PIN, the
//! OpenID4VCI client that fills it, and the OpenID4VP client with its consent engine that
//! decides what may leave it. Knows nothing of Tauri: the app, the `regie-wallet` CLI and
//! the tests all drive this same core.
pub mod attempts;
pub mod backup;
pub mod clock;
pub mod consent;
pub mod credentials;
pub mod crypto;
mod datadir;
pub mod display;
pub mod error;
pub mod files;
pub mod history;
pub mod http;
pub mod issuance;
mod keeper;
pub mod pin;
pub mod presentation;
mod rekey;
pub mod scan;
pub mod signed;
pub mod status;
pub mod store;
pub mod texts;
pub mod trust;
pub mod vault;
pub mod views;
pub mod wallet;
mod wipe;

pub use error::WalletError;
pub use http::read_ca_file;
pub use wallet::{UnlockedWallet, Wallet, WalletConfig};
