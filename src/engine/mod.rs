//! The clearing engine (pure): claim state + one input + the time → new state
//! and outbound messages. No tokio, sqlx, lapin, file I/O, clock or randomness.
//!
//! Being built under issue 4; so far the domain values it needs.

pub mod kenteken;
