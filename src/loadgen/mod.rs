//! `clearinghuis loadgen`: N synthetic participants run complete, valid
//! conversations against a hub (issue 8).
//!
//! - [`deelnemers`]: the participants file for N generated insurers.
//! - [`gesprek`]: the pure participant model (what to send, what to answer).

pub mod deelnemers;
pub mod gesprek;
