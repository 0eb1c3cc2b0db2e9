//! The memory allocator of `regie-issuer` and `regie-verifier`, named once so that the
//! binaries and their benchmarks run with the same one:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: regie_ops::allocator::ServiceAllocator = regie_ops::allocator::ServiceAllocator;
//! ```
//!
//! Why not the system's: checking an answer or issuing a credential is, besides its one or two
//! signatures, mostly short-lived small allocations (the parsed payload and disclosures, their
//! strings and maps, freed when the answer is built). glibc's malloc spent about 10 µs of a
//! 17-disclosure answer on them, mimalloc about half; see BENCHMARKS.md for the measurement.
pub use mimalloc::MiMalloc as ServiceAllocator;
