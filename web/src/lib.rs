//! The web pages' common parts, for the issuer's citizen portal and the verifier's relying
//! party pages: one accessible page frame on the NL Design System's CSS (Dutch first, English
//! with `?lang=en`) as askama templates that escape every value, claims shown as people read them, and QR codes.
// The templates name the escaper by this crate's name, also inside this crate.
extern crate self as regie_web;

pub mod assets;
pub mod escape;
pub mod layout;
pub mod qr;
pub mod render;

pub use askama::Template;
pub use layout::{page, Lang, LangQuery};
