//! `clearinghuis schema …`: the published schemas and their documentation.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::schemas;

#[derive(Debug, clap::Subcommand)]
pub enum Opdracht {
    /// Write the XSD files (the envelope clearinghuis.xsd and its families) into DIR.
    Export { map: PathBuf },
    /// Print the integrator documentation generated from the XSD (docs/berichten.md).
    Docs,
    /// Print the claim lifecycle (docs/levenscyclus.md) from the engine's transition table.
    Lifecycle,
}

pub fn run(opdracht: Opdracht) -> ExitCode {
    match opdracht {
        Opdracht::Export { map } => {
            if let Err(e) = std::fs::create_dir_all(&map) {
                eprintln!("clearinghuis: {}: {e}", map.display());
                return ExitCode::from(2);
            }
            for (naam, tekst) in schemas::BESTANDEN {
                if let Err(e) = std::fs::write(map.join(naam), tekst) {
                    eprintln!("clearinghuis: {}: {e}", map.join(naam).display());
                    return ExitCode::from(2);
                }
            }
            ExitCode::SUCCESS
        }
        Opdracht::Lifecycle => {
            print!("{}", crate::engine::levenscyclus::document());
            ExitCode::SUCCESS
        }
        Opdracht::Docs => match crate::schemas::documentatie() {
            Ok(md) => {
                print!("{md}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("clearinghuis: {e}");
                ExitCode::from(2)
            }
        },
    }
}
