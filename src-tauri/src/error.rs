//! Errors as the front-end receives them: a stable code it translates, the English message
//! for logs and tests, and the wait after wrong PINs.
use serde::Serialize;
use wallet_core::WalletError;

#[derive(Debug, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failures: Option<u32>,
}

impl AppError {
    pub fn new(code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
            wait_secs: None,
            failures: None,
        }
    }

    pub fn locked() -> AppError {
        AppError::new("locked", "the wallet is locked: unlock it with your PIN")
    }
}

impl From<WalletError> for AppError {
    fn from(e: WalletError) -> AppError {
        let (wait_secs, failures) = match &e {
            WalletError::WrongPin {
                failures,
                wait_secs,
            } => (Some(*wait_secs), Some(*failures)),
            WalletError::LockedOut { wait_secs } => (Some(*wait_secs), None),
            _ => (None, None),
        };
        AppError {
            code: e.code(),
            message: e.to_string(),
            wait_secs,
            failures,
        }
    }
}
