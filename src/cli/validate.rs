//! `clearinghuis validate FILE…`

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::bericht::{Foutcode, Probleem};
use crate::codec::{Pipeline, Toegestaan};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Message files; `-` reads standard input.
    #[arg(required = true)]
    bestanden: Vec<PathBuf>,
    /// Accept only what participants may send to the hub (refuse the hub's own
    /// message types and apply the inbound envelope rules).
    #[arg(long)]
    inkomend: bool,
}

fn lees(pad: &PathBuf) -> std::io::Result<Vec<u8>> {
    if pad.as_os_str() == "-" {
        let mut v = Vec::new();
        std::io::stdin().lock().read_to_end(&mut v)?;
        Ok(v)
    } else {
        std::fs::read(pad)
    }
}

/// One output line: `FILE:LINE:COL: CODE text`; 1:1 when the problem concerns
/// the whole file. Newlines in libxml2's texts are folded so a line stays a line.
pub fn regel(bestand: &str, p: &Probleem) -> String {
    let tekst = p.tekst.split_whitespace().collect::<Vec<_>>().join(" ");
    let pad = p
        .pad
        .as_deref()
        .map(|p| format!(" [{p}]"))
        .unwrap_or_default();
    format!(
        "{bestand}:{}:{}: {} {tekst}{pad}",
        p.regel.unwrap_or(1),
        p.kolom.unwrap_or(1),
        p.code
    )
}

pub fn run(args: Args) -> ExitCode {
    let pipeline = match Pipeline::start() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("clearinghuis: {e}");
            return ExitCode::from(2);
        }
    };
    let toegestaan = if args.inkomend {
        Toegestaan::Inkomend
    } else {
        Toegestaan::Alle
    };
    // (Afzender, BerichtId) → content of the first file that used it, for T05.
    let mut gezien: BTreeMap<(String, String), Vec<u8>> = BTreeMap::new();
    let (mut geldig, mut geweigerd, mut onleesbaar) = (0usize, 0usize, 0usize);
    let stdout = std::io::stdout();
    let mut uit = stdout.lock();
    for pad in &args.bestanden {
        let naam = pad.display().to_string();
        let bytes = match lees(pad) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{naam}: cannot read: {e}");
                onleesbaar += 1;
                continue;
            }
        };
        let uitslag = match pipeline.controleer(&bytes, toegestaan) {
            Ok(u) => u,
            Err(e) => {
                eprintln!("clearinghuis: {e}");
                return ExitCode::from(2);
            }
        };
        let problemen = match uitslag {
            Err(w) => w.problemen,
            Ok(b) => {
                let sleutel = (b.kop.afzender.to_string(), b.kop.bericht_id.to_string());
                match gezien.get(&sleutel) {
                    Some(eerder) if *eerder != bytes => vec![Probleem::new(
                        Foutcode::T05,
                        format!(
                            "BerichtId {} of {} is already used by an earlier file for a different message",
                            sleutel.1, sleutel.0
                        ),
                    )],
                    Some(_) => Vec::new(),
                    None => {
                        gezien.insert(sleutel, bytes);
                        Vec::new()
                    }
                }
            }
        };
        if problemen.is_empty() {
            geldig += 1;
        } else {
            geweigerd += 1;
            for p in &problemen {
                let _ = writeln!(uit, "{}", regel(&naam, p));
            }
        }
    }
    eprintln!(
        "{} files: {geldig} valid, {geweigerd} refused{}",
        args.bestanden.len(),
        if onleesbaar > 0 {
            format!(", {onleesbaar} unreadable")
        } else {
            String::new()
        }
    );
    if onleesbaar > 0 {
        ExitCode::from(2)
    } else if geweigerd > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
