//! The wallet's errors. Each says what went wrong, never whose data was involved, and has
//! a stable [`WalletError::code`] the app translates for the citizen.
use crate::crypto::CryptoError;
use crate::pin::PinRuleError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error("there is no wallet here yet: run init first")]
    NotInitialised,
    #[error("a wallet already exists here (reset it first to start over)")]
    AlreadyInitialised,
    #[error("{0}")]
    PinRule(#[from] PinRuleError),
    #[error("wrong PIN ({failures} wrong in a row){}", wait_text(*.wait_secs))]
    WrongPin { failures: u32, wait_secs: u64 },
    #[error("too many wrong PINs: try again in {wait_secs} seconds")]
    LockedOut { wait_secs: u64 },
    #[error("too many wrong PINs: the wallet is blocked; reset it and add your credentials again")]
    Blocked,
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("the wallet is still open elsewhere in this program: lock it there first")]
    StillOpen,
    #[error("{0}")]
    Crypto(#[from] CryptoError),
    #[error("{0}")]
    Backup(#[from] crate::backup::BackupError),
    #[error("the trust list is not valid: {0}")]
    TrustList(String),
    /// The extra CA certificate the wallet was told to trust cannot be used.
    #[error("the CA certificate cannot be used: {0}")]
    CaCert(String),
    #[error("could not reach {what}: {reason}")]
    Network { what: &'static str, reason: String },
    #[error("{what} answered with an error: {reason}")]
    Remote { what: &'static str, reason: String },
    #[error("this is not a valid credential offer: {0}")]
    Offer(String),
    #[error("this offer needs the code the municipality gave you (tx_code)")]
    TxCodeRequired,
    #[error("the issuer {0:?} is not on the trust list")]
    UntrustedIssuer(String),
    #[error("the issuer sent a credential that does not check out: {0}")]
    CredentialRejected(String),
    #[error("this is not a valid presentation request: {0}")]
    Request(String),
    #[error("this request is blocked: {0}")]
    RequestBlocked(String),
    #[error("this request cannot be answered: you do not have the credential it asks for")]
    MissingCredential,
    #[error("no credential with this id")]
    UnknownCredential,
    #[error("this credential cannot be renewed from here: ask the issuer for a new one")]
    NotRenewable,
    #[error("no QR code could be read from this picture: {0}")]
    UnreadableImage(String),
    #[error("this QR code is not a credential offer or a request for data")]
    NotAWalletCode,
}

fn wait_text(wait_secs: u64) -> String {
    if wait_secs == 0 {
        String::new()
    } else {
        format!("; wait {wait_secs} seconds before trying again")
    }
}

impl WalletError {
    /// A stable identifier of the kind of error, for translations and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            WalletError::NotInitialised => "not_initialised",
            WalletError::AlreadyInitialised => "already_initialised",
            WalletError::PinRule(_) => "weak_pin",
            WalletError::WrongPin { .. } => "wrong_pin",
            WalletError::LockedOut { .. } => "locked_out",
            WalletError::Blocked => "blocked",
            WalletError::Store(StoreError::InUse) => "in_use",
            WalletError::Store(_) => "storage",
            WalletError::StillOpen => "still_open",
            WalletError::Crypto(_) => "crypto",
            WalletError::Backup(e) => e.code(),
            WalletError::TrustList(_) => "trust_list",
            WalletError::CaCert(_) => "ca_cert",
            WalletError::Network { .. } => "network",
            WalletError::Remote { .. } => "remote_error",
            WalletError::Offer(_) => "invalid_offer",
            WalletError::TxCodeRequired => "tx_code_required",
            WalletError::UntrustedIssuer(_) => "untrusted_issuer",
            WalletError::CredentialRejected(_) => "credential_rejected",
            WalletError::Request(_) => "invalid_request",
            WalletError::RequestBlocked(_) => "request_blocked",
            WalletError::MissingCredential => "missing_credential",
            WalletError::UnknownCredential => "unknown_credential",
            WalletError::NotRenewable => "not_renewable",
            WalletError::UnreadableImage(_) => "unreadable_image",
            WalletError::NotAWalletCode => "not_a_wallet_code",
        }
    }
}
