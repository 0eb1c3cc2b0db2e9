//! The web pages' common parts, for the issuer's citizen portal and the verifier's relying
//! party pages: one accessible page frame on the NL Design System's CSS (Dutch first, English
//! with `?lang=en`), HTML escaping, claims shown as people read them, and QR codes.
pub mod assets;
pub mod layout;
pub mod qr;
pub mod render;

pub use layout::{esc, page, Lang, LangQuery};
