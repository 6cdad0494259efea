//! Shared helpers of the kiosk's integration tests.

pub mod cups;
