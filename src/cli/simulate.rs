//! `clearinghuis simulate`: the sandbox of [`crate::simulatie`] on a script or
//! standard input. Prints one line per message (and its XML with `--xml`);
//! `--log` keeps the session as a message log that `replay` verifies.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};

use crate::bericht::{ClaimBlok, Inhoud, tijdstip, xml};
use crate::engine::Context;
use crate::hub::{Hub, Logregel, Richting};
use crate::simulatie::{Uitvoer, Zandbak};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The participants file (TOML, operations.md).
    #[arg(long)]
    participants: PathBuf,
    /// clearinghuis.toml (durations and reference data); CLEARINGHUIS_* variables apply too.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The clock at the start (otherwise the script's first `klok`).
    #[arg(long, value_parser = tijd)]
    start: Option<DateTime<FixedOffset>>,
    /// Print every message's XML under its summary line.
    #[arg(long)]
    xml: bool,
    /// Write the session (in and out lines) as a message log to this file.
    #[arg(long)]
    log: Option<PathBuf>,
    /// The script (default: standard input). File names in `stuur` are
    /// relative to the script's folder.
    script: Option<PathBuf>,
}

fn tijd(s: &str) -> Result<DateTime<FixedOffset>, String> {
    tijdstip::parse(s).map_err(|e| e.to_string())
}

fn fout(tekst: impl std::fmt::Display) -> ExitCode {
    eprintln!("clearinghuis simulate: {tekst}");
    ExitCode::from(2)
}

/// One line about a message: direction, time, mailbox, type, ids, status.
fn samenvatting(r: &Logregel) -> String {
    let pijl = match r.direction {
        Richting::In => "in ",
        Richting::Out => "out",
    };
    let kop = format!("{} {pijl} {}", tijdstip::format(&r.at), r.mailbox);
    let Ok(b) = xml::lees(&r.xml) else {
        return format!("{kop}  (not a readable message)");
    };
    let mut tekst = format!("{kop}  {} {}", b.inhoud.naam(), b.kop.bericht_id);
    match &b.inhoud {
        Inhoud::Foutbericht(f) => {
            let codes: Vec<String> = f.fout.iter().map(|p| p.code.to_string()).collect();
            tekst.push_str(&format!(" [{}]", codes.join(", ")));
        }
        Inhoud::Rappel(x) => tekst.push_str(&format!(
            " [{} nr {}{}, since {}]",
            x.soort,
            x.volgnummer,
            if x.kopie { ", copy" } else { "" },
            x.sinds_datum
        )),
        Inhoud::Systeemmelding(m) => tekst.push_str(&format!(" [{}]", m.soort)),
        _ => {}
    }
    if let Some(ClaimBlok::Volledig(c)) = &b.kop.claim {
        tekst.push_str(&format!("  {} {} / {}", c.claim_id, c.status, c.werkmap));
    }
    tekst
}

pub fn run(args: Args) -> ExitCode {
    let (deelnemers, instellingen, pipeline) =
        match super::onderdelen(&args.participants, args.config.as_deref()) {
            Ok(o) => o,
            Err(e) => return fout(e),
        };
    let (invoer, map): (Box<dyn BufRead>, PathBuf) = match &args.script {
        Some(p) => match File::open(p) {
            Ok(f) => (
                Box::new(BufReader::new(f)),
                p.parent().map(PathBuf::from).unwrap_or_default(),
            ),
            Err(e) => return fout(format!("{}: {e}", p.display())),
        },
        None => (
            Box::new(BufReader::new(std::io::stdin())),
            PathBuf::from("."),
        ),
    };
    let mut log: Option<Box<dyn Write>> = match &args.log {
        Some(p) => match File::create(p) {
            Ok(f) => Some(Box::new(BufWriter::new(f))),
            Err(e) => return fout(format!("{}: {e}", p.display())),
        },
        None => None,
    };
    let ctx = Context {
        deelnemers: &deelnemers,
        instellingen: &instellingen,
    };
    let mut zandbak = Zandbak::new(Hub::new(&pipeline, ctx), args.start, &map);
    let mut stdout = std::io::stdout().lock();
    for (i, regel) in invoer.lines().enumerate() {
        let regel = match regel {
            Ok(r) => r,
            Err(e) => return fout(e),
        };
        let uitvoer = match zandbak.voer_uit(i + 1, &regel) {
            Ok(u) => u,
            Err(e) => return fout(e),
        };
        for u in uitvoer {
            let geschreven = match u {
                Uitvoer::Tekst(t) => writeln!(stdout, "{}", t.trim_end()),
                Uitvoer::Log(r) => {
                    if let Some(l) = log.as_mut()
                        && let Err(e) = writeln!(l, "{}", r.als_json())
                    {
                        return fout(e);
                    }
                    writeln!(stdout, "{}", samenvatting(&r)).and_then(|()| {
                        if args.xml {
                            writeln!(stdout, "{}", r.xml.trim_end())
                        } else {
                            Ok(())
                        }
                    })
                }
            };
            if let Err(e) = geschreven {
                return fout(e);
            }
        }
    }
    if let Err(e) = stdout.flush() {
        return fout(e);
    }
    if let Some(mut l) = log {
        if let Err(e) = l.flush() {
            return fout(e);
        }
        if let (Some(p), Some(t)) = (&args.log, zandbak.klok()) {
            eprintln!(
                "clearinghuis simulate: session log in {}; check it with: clearinghuis replay --participants {} --input {} --until {} --verify",
                p.display(),
                args.participants.display(),
                p.display(),
                tijdstip::format(&t)
            );
        }
    }
    ExitCode::SUCCESS
}
