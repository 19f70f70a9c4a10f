//! `clearinghuis log export`: the message log as the JSON Lines of
//! operations.md, which `replay --verify` reproduces byte for byte.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Configuratie;
use crate::store::postgres::PgStore;
use crate::store::sqlite::SqliteStore;
use crate::store::{Store, StoreFout};

#[derive(Debug, clap::Subcommand)]
pub enum Opdracht {
    /// Write every logged message, in and out, in processing order.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Where to write (default: standard output).
    #[arg(long)]
    output: Option<PathBuf>,
    #[arg(long)]
    config: Option<PathBuf>,
    /// The embedded default's folder (as for `serve`).
    #[arg(long, default_value = "clearinghuis-data")]
    data: PathBuf,
}

fn fout(tekst: impl std::fmt::Display) -> ExitCode {
    eprintln!("clearinghuis log export: {tekst}");
    ExitCode::from(2)
}

pub fn run(opdracht: Opdracht) -> ExitCode {
    let Opdracht::Export(args) = opdracht;
    let config = match Configuratie::laad(args.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => return fout(e),
    };
    let (url, _) = match super::serve::plaatsen(&config, &args.data) {
        Ok(p) => p,
        Err(e) => return fout(e),
    };
    let mut uit: Box<dyn Write + Send> = match &args.output {
        Some(p) => match File::create(p) {
            Ok(f) => Box::new(BufWriter::new(f)),
            Err(e) => return fout(format!("{}: {e}", p.display())),
        },
        None => Box::new(BufWriter::new(std::io::stdout())),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fout(e),
    };
    let r = runtime.block_on(async {
        let mut schrijf = |regel: crate::hub::Logregel| {
            writeln!(uit, "{}", regel.als_json())?;
            Ok::<(), StoreFout>(())
        };
        let n = if url.starts_with("sqlite:") {
            SqliteStore::open(&url)
                .await?
                .exporteer(&mut schrijf)
                .await?
        } else {
            PgStore::open(&url).await?.exporteer(&mut schrijf).await?
        };
        uit.flush()?;
        Ok::<u64, StoreFout>(n)
    });
    match r {
        Ok(n) => {
            eprintln!("clearinghuis log export: {n} lines");
            ExitCode::SUCCESS
        }
        // A driver's message may echo the URL: never its password.
        Err(e) => fout(crate::verbergen::Geheimen::van([url.as_str()]).verberg(&e.to_string())),
    }
}
