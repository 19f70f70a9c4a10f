//! The `clearinghuis` command: argument parsing and one file per subcommand.
//! Subcommands only parse arguments, call the library and map the outcome to
//! an exit status.

mod broker;
mod gebruiker;
mod log;
mod replay;
mod schema;
mod serve;
mod simulate;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "clearinghuis",
    version,
    about = "Clearinghuis Regres: the hub where insurers settle recovery claims by XML message"
)]
struct Cli {
    #[command(subcommand)]
    opdracht: Opdracht,
}

#[derive(Debug, Subcommand)]
enum Opdracht {
    /// Check messages against the contract: size, forbidden constructs,
    /// well-formedness, namespace and type, the XSD, and BerichtId reuse
    /// across the files given. One line per problem: FILE:LINE:COL: CODE text.
    /// Exit status 0 when all pass, 1 when any is refused, 2 when a file cannot be read.
    Validate(validate::Args),
    /// Replay a message log (JSON Lines) into an empty in-memory hub: writes the
    /// outbound messages as `out` lines, optionally the final state, and with
    /// --verify compares them with the file's own `out` lines.
    /// Exit status 0 on success, 1 when --verify finds a difference, 2 on an error.
    Replay(replay::Args),
    /// A sandbox to test a back-office link before going live: feed your own
    /// messages with a clock you set (`klok`, `wacht 21d`, `stuur MAILBOX FILE`)
    /// and see every answer, rappel and timeout. See docs/simulatie.md.
    Simulate(simulate::Args),
    /// Run the hub. Without configuration: SQLite and directory mailboxes under
    /// ./clearinghuis-data/ (drop messages in mailboxes/<code>/in/, read the
    /// answers in mailboxes/<code>/out/). Stops cleanly on SIGINT and SIGTERM.
    Serve(serve::Args),
    /// The message log of the store.
    #[command(subcommand)]
    Log(log::Opdracht),
    /// Work with the published schemas (write them out, or the integrator docs).
    #[command(subcommand)]
    Schema(schema::Opdracht),
    /// Prepare RabbitMQ: queues, one user per participant, permissions
    /// (run on the broker host; see docs/broker.md).
    #[command(subcommand)]
    Broker(broker::Opdracht),
    /// The web part's users (web.md): toevoegen, wijzigen, blokkeren, lijst.
    #[command(subcommand)]
    Gebruiker(gebruiker::Gebruiker),
    /// Bearer tokens for back offices: nieuw, lijst, intrekken.
    #[command(subcommand)]
    Token(gebruiker::Token),
}

/// What a hub in memory needs (replay, simulate): the participants, the
/// settings from `config` and the environment, and the validator threads.
fn onderdelen(
    participants: &std::path::Path,
    config: Option<&std::path::Path>,
) -> Result<
    (
        crate::deelnemers::Deelnemers,
        crate::engine::Instellingen,
        crate::codec::Pipeline,
    ),
    String,
> {
    let deelnemers =
        crate::deelnemers::Deelnemers::laad(participants).map_err(|e| e.to_string())?;
    let instellingen = crate::config::Configuratie::laad(config, std::env::vars())
        .and_then(|c| c.instellingen())
        .map_err(|e| e.to_string())?;
    let pipeline = crate::codec::Pipeline::start().map_err(|e| e.to_string())?;
    Ok((deelnemers, instellingen, pipeline))
}

pub fn main() -> ExitCode {
    crate::kies_crypto();
    let cli = Cli::parse();
    match cli.opdracht {
        Opdracht::Validate(args) => validate::run(args),
        Opdracht::Schema(opdracht) => schema::run(opdracht),
        Opdracht::Replay(args) => replay::run(args),
        Opdracht::Simulate(args) => simulate::run(args),
        Opdracht::Serve(args) => serve::run(args),
        Opdracht::Log(opdracht) => log::run(opdracht),
        Opdracht::Broker(opdracht) => broker::run(opdracht),
        Opdracht::Gebruiker(o) => gebruiker::gebruiker(o),
        Opdracht::Token(o) => gebruiker::token(o),
    }
}
