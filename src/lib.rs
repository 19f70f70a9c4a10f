//! Clearinghuis Regres: the hub where Dutch motor insurers settle recovery
//! (regres) claims between each other by XML message.
//!
//! Map of the crate (see docs/ARCHITECTURE.md for the invariants):
//!
//! - [`bericht`]: the message catalogue as typed values, and XML to and from them.
//! - [`codec`]: the inbound pipeline that decides whether bytes are an acceptable
//!   message (size and the caps of the first pass, forbidden constructs,
//!   well-formedness, namespace and type, XSD), on dedicated libxml2 validator
//!   threads; and the `Foutbericht` builder.
//! - [`schemas`]: the XSD files, compiled into the binary.
//! - [`deelnemers`]: the participants register and its checks (IBAN, codes, roles).
//! - [`engine`]: the pure clearing engine: state + one input + the time → the
//!   state changes and the outbound messages.
//! - [`config`]: `clearinghuis.toml` and the `CLEARINGHUIS_` environment.
//! - [`hub`]: what happens to one message: the in-memory hub (checks, engine,
//!   state) and the message-log line; [`replay`], [`simulatie`] and the
//!   [`dispatcher`] drive it.
//! - [`replay`]: replay of a message-log file (`--verify`, `--state`).
//! - [`simulatie`]: the sandbox behind `clearinghuis simulate` (a clock you set).
//! - [`store`]: the message log, claims, timers, inbox and outbox (SQLite and
//!   PostgreSQL), and the lock that lets one hub serve a store at a time.
//! - [`transport`]: the mailboxes (directories, RabbitMQ).
//! - [`dispatcher`]: the loop that runs the hub: files in, one transaction,
//!   files moved, answers delivered, timers fired.
//! - [`storing`]: faults of one mailbox or file, reported and kept apart so
//!   every other participant's mail flows on.
//! - [`bewaking`]: what `serve`'s supervisor knows about itself (serving,
//!   standby, disk full), for the log and a later metrics endpoint.
//! - [`verbergen`]: URLs and error texts without passwords, for every print.
//! - [`cli`]: the `clearinghuis` command and its subcommands.

pub mod bericht;
pub mod bewaking;
pub mod cli;
pub mod codec;
pub mod config;
pub mod deelnemers;
pub mod dispatcher;
pub mod engine;
pub mod hub;
pub mod metingen;
pub mod replay;
pub mod schemas;
pub mod simulatie;
pub mod store;
pub mod storing;
pub mod transport;
pub mod verbergen;
pub mod web;

/// Makes ring rustls's process-wide provider. Both ring and aws-lc-rs are in
/// the tree (lapin asks for ring, axum-server for aws-lc-rs), and rustls then
/// picks none by itself: every TLS user (broker, web) calls this first.
pub fn kies_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
