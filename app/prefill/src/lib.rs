//! The open pre-fill QR format: what a resident answers at home, carried to the counter.
//!
//! This crate owns the format of `docs/qr-format.md`: the CBOR document ([`wire`]), the symbol
//! texts with their parts, checksum and compression ([`symbol`]), drawing symbols as PNG or
//! SVG ([`render`]), finding them in frames and image files ([`scan`]), and the sources of
//! frames: webcams through GStreamer (feature `camera`) and image sequences ([`camera`]).
//! Symbol texts are the same whether a camera decoded them or a keyboard-wedge scanner typed
//! them. [`corpus`] draws synthetic degraded frames for tests and the benchmark.

pub mod camera;
pub mod corpus;
mod error;
pub mod render;
pub mod scan;
pub mod symbol;
mod wire;

pub use error::PrefillError;
pub use symbol::{Assembler, Prefill, Progress, decode, encode, to_cbor};
