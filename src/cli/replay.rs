//! `clearinghuis replay` (operations.md "Replay").

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};

use crate::engine::Context;
use crate::hub::Hub;
use crate::replay::{Opties, speel, toestand_json};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The participants file (TOML, operations.md).
    #[arg(long)]
    participants: PathBuf,
    /// The message log to replay (JSON Lines); `in` lines are fed in file order.
    #[arg(long)]
    input: PathBuf,
    /// clearinghuis.toml (durations and reference data); CLEARINGHUIS_* variables apply too.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Fire every timer due up to this moment after the last line (rules.md §7).
    #[arg(long, value_parser = tijd)]
    until: Option<DateTime<FixedOffset>>,
    /// Where the `out` lines go (default: standard output).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Write the final state of every claim as a JSON array (`-`: standard output).
    #[arg(long)]
    state: Option<PathBuf>,
    /// Compare the produced `out` lines with the file's own; exit 1 on the first difference.
    #[arg(long)]
    verify: bool,
    /// Write the `in` lines too, numbered, so the output is a whole message log
    /// (how the conversation fixtures are recorded).
    #[arg(long)]
    with_input: bool,
}

fn tijd(s: &str) -> Result<DateTime<FixedOffset>, String> {
    crate::bericht::tijdstip::parse(s).map_err(|e| e.to_string())
}

/// Logs this large get a progress bar on a terminal.
const GROOT: u64 = 4 * 1024 * 1024;

fn fout(tekst: impl std::fmt::Display) -> ExitCode {
    eprintln!("clearinghuis replay: {tekst}");
    ExitCode::from(2)
}

pub fn run(args: Args) -> ExitCode {
    let (deelnemers, instellingen, pipeline) =
        match super::onderdelen(&args.participants, args.config.as_deref()) {
            Ok(o) => o,
            Err(e) => return fout(e),
        };
    let bestand = match File::open(&args.input) {
        Ok(f) => f,
        Err(e) => return fout(format!("{}: {e}", args.input.display())),
    };
    let totaal = bestand.metadata().map(|m| m.len()).unwrap_or(0);
    let mut uit: Box<dyn Write> = match &args.output {
        Some(p) => match File::create(p) {
            Ok(f) => Box::new(BufWriter::new(f)),
            Err(e) => return fout(format!("{}: {e}", p.display())),
        },
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let ctx = Context {
        deelnemers: &deelnemers,
        instellingen: &instellingen,
    };
    let mut hub = Hub::new(&pipeline, ctx);
    let balk = std::io::stderr().is_terminal() && totaal >= GROOT;
    let mut laatste = 0u64;
    let mut voortgang = |gelezen: u64| {
        let procent = gelezen.saturating_mul(100) / totaal.max(1);
        if balk && procent != laatste {
            laatste = procent;
            let vol = (procent / 2) as usize;
            eprint!(
                "\r[{}{}] {procent:>3}% of {} MiB",
                "#".repeat(vol),
                " ".repeat(50 - vol.min(50)),
                totaal / (1024 * 1024)
            );
        }
    };
    let verslag = match speel(
        &mut hub,
        BufReader::new(bestand),
        &mut uit,
        Opties {
            verify: args.verify,
            met_invoer: args.with_input,
            tot: args.until,
        },
        &mut voortgang,
    ) {
        Ok(v) => v,
        Err(e) => return fout(e),
    };
    if balk {
        eprintln!();
    }
    if let Err(e) = uit.flush() {
        return fout(e);
    }
    drop(uit);
    if let Some(pad) = &args.state {
        let json = toestand_json(&hub.toestand);
        let tekst = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
        let geschreven = if pad.as_os_str() == "-" {
            std::io::stdout().lock().write_all(tekst.as_bytes())
        } else {
            std::fs::write(pad, tekst)
        };
        if let Err(e) = geschreven {
            return fout(format!("{}: {e}", pad.display()));
        }
    }
    match verslag.verschil {
        Some(v) => {
            eprintln!(
                "clearinghuis replay: {}: {}",
                args.input.display(),
                v.beschrijving
            );
            ExitCode::from(1)
        }
        None => {
            if args.verify {
                eprintln!(
                    "clearinghuis replay: {} in, {} out: every out line verified",
                    verslag.in_regels, verslag.uit_regels
                );
            }
            ExitCode::SUCCESS
        }
    }
}
