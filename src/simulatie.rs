//! The sandbox behind `clearinghuis simulate`: an in-memory hub driven by a
//! small script with a clock the integrator sets, so a back office can see
//! every answer, rappel and timeout it will get, weeks ahead, in seconds.
//!
//! Commands, one per line (`#` starts a comment):
//!
//! - `klok T`: set the clock to T (RFC 3339); timers due up to T fire;
//! - `wacht N[s|m|h|d]`: move the clock on by N seconds, minutes, hours or days;
//! - `stuur MAILBOX FILE`: FILE arrives in MAILBOX's `in` at the clock;
//! - `timers`: list the live timers and held messages;
//! - `claims`: the state of every claim, as `replay --state` writes it.
//!
//! Everything that happens is a [`Logregel`], so the session is a message log
//! that `replay --until <last clock> --verify` reproduces.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, FixedOffset};

use crate::bericht::{Deelnemercode, tijdstip};
use crate::codec::Ontvangen;
use crate::engine::{Doel, Timersoort, Zicht};
use crate::hub::{Herkomst, Hub, HubFout, Logregel};

#[derive(Debug, thiserror::Error)]
pub enum SimulatieFout {
    #[error("line {regel}: {reden}")]
    Regel { regel: usize, reden: String },
    #[error("line {regel}: {bron}")]
    Hub { regel: usize, bron: HubFout },
}

/// What one command produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Uitvoer {
    /// A line of the message log (in or out), in order.
    Log(Logregel),
    /// An answer to `timers` or `claims`.
    Tekst(String),
}

/// The sandbox: a hub and a clock that only moves forward.
pub struct Zandbak<'a> {
    pub hub: Hub<'a>,
    klok: Option<DateTime<FixedOffset>>,
    /// Where `stuur` looks for relative file names.
    map: PathBuf,
}

impl<'a> Zandbak<'a> {
    pub fn new(hub: Hub<'a>, start: Option<DateTime<FixedOffset>>, map: &Path) -> Zandbak<'a> {
        Zandbak {
            hub,
            klok: start,
            map: map.to_owned(),
        }
    }

    /// The clock now (none until `klok` or the start time set it).
    pub fn klok(&self) -> Option<DateTime<FixedOffset>> {
        self.klok
    }

    /// Runs one script line (`regel` is its number, for errors).
    pub fn voer_uit(&mut self, regel: usize, tekst: &str) -> Result<Vec<Uitvoer>, SimulatieFout> {
        let fout = |reden: String| SimulatieFout::Regel { regel, reden };
        let tekst = tekst.split('#').next().unwrap_or("").trim();
        let mut delen = tekst.split_whitespace();
        let Some(opdracht) = delen.next() else {
            return Ok(Vec::new());
        };
        let args: Vec<&str> = delen.collect();
        match (opdracht, args.as_slice()) {
            ("klok", [t]) => {
                let t = tijdstip::parse(t).map_err(|e| fout(format!("klok: {e}")))?;
                self.zet_klok(regel, t)
            }
            ("wacht", [d]) => {
                let nu = self
                    .klok
                    .ok_or_else(|| fout("set the clock first: klok T".into()))?;
                let d = duur(d).map_err(fout)?;
                self.zet_klok(regel, nu + d)
            }
            ("stuur", [mailbox, bestand]) => {
                let nu = self
                    .klok
                    .ok_or_else(|| fout("set the clock first: klok T".into()))?;
                let code = Deelnemercode::new(*mailbox)
                    .map_err(|e| fout(format!("mailbox {mailbox}: {e}")))?;
                let pad = self.map.join(bestand);
                // Read as the hub reads a mailbox: at most the limit plus one byte.
                let ontvangen = std::fs::File::open(&pad)
                    .and_then(|f| {
                        let grootte = f.metadata()?.len();
                        Ontvangen::lees(f, Some(grootte))
                    })
                    .map_err(|e| fout(format!("{}: {e}", pad.display())))?;
                let v = self
                    .hub
                    .ontvang_ontvangen(&code, &Herkomst::Map, nu, &ontvangen)
                    .map_err(|bron| SimulatieFout::Hub { regel, bron })?;
                let mut uit: Vec<Uitvoer> = v
                    .gewekt
                    .into_iter()
                    .flat_map(|g| g.uit)
                    .map(Uitvoer::Log)
                    .collect();
                uit.push(Uitvoer::Log(Logregel::binnen(
                    Some(v.seq_in),
                    nu,
                    code.to_string(),
                    Herkomst::Map,
                    ontvangen,
                )));
                uit.extend(v.uit.into_iter().map(Uitvoer::Log));
                Ok(uit)
            }
            ("timers", []) => Ok(vec![Uitvoer::Tekst(self.timers())]),
            ("claims", []) => Ok(vec![Uitvoer::Tekst(
                serde_json::to_string_pretty(&crate::replay::toestand_json(&self.hub.toestand))
                    .unwrap_or_default(),
            )]),
            _ => Err(fout(format!(
                "unknown command `{tekst}` (klok T, wacht N[s|m|h|d], stuur MAILBOX FILE, timers, claims)"
            ))),
        }
    }

    fn zet_klok(
        &mut self,
        regel: usize,
        t: DateTime<FixedOffset>,
    ) -> Result<Vec<Uitvoer>, SimulatieFout> {
        if let Some(nu) = self.klok
            && t < nu
        {
            return Err(SimulatieFout::Regel {
                regel,
                reden: format!(
                    "the clock only moves forward: it is {}",
                    tijdstip::format(&nu)
                ),
            });
        }
        self.klok = Some(t);
        let gewekt = self
            .hub
            .wek_tot(t)
            .map_err(|bron| SimulatieFout::Hub { regel, bron })?;
        Ok(gewekt
            .into_iter()
            .flat_map(|g| g.uit)
            .map(Uitvoer::Log)
            .collect())
    }

    /// The live timers and held messages, due first, one per line.
    pub fn timers(&self) -> String {
        let toestand = &self.hub.toestand;
        let mut uit = String::new();
        for w in toestand.wekkers() {
            let wat = match &w.doel {
                Doel::Claim(id) => {
                    let soort = toestand
                        .claim(id)
                        .and_then(|c| c.timers.into_iter().find(|t| t.volgorde == w.volgorde))
                        .map(|t| match t.soort {
                            Timersoort::Rappel(r) => format!(
                                "rappel {} nr {} to {} (since {})",
                                r.soort,
                                r.volgnummer,
                                r.aan.letter(),
                                r.sinds
                            ),
                            Timersoort::Betaaltermijn { betaalkenmerk } => {
                                format!("payment term of {betaalkenmerk}")
                            }
                            Timersoort::Passief => "passive timeout (M22)".to_owned(),
                        })
                        .unwrap_or_default();
                    format!("{id}: {soort}")
                }
                Doel::Vastgehouden => toestand
                    .vastgehouden()
                    .into_iter()
                    .find(|h| h.volgorde == w.volgorde)
                    .map(|h| {
                        format!(
                            "held {} {} from {}: refused unless its claim or status comes",
                            h.bericht.inhoud.naam(),
                            h.bericht.kop.bericht_id,
                            h.bericht.kop.afzender
                        )
                    })
                    .unwrap_or_default(),
            };
            uit.push_str(&format!("{}  {wat}\n", tijdstip::format(&w.tijd)));
        }
        if uit.is_empty() {
            uit.push_str("no live timers\n");
        }
        uit
    }
}

/// `90s`, `15m`, `4h`, `21d` (a bare number is seconds).
fn duur(tekst: &str) -> Result<Duration, String> {
    let (getal, eenheid) = match tekst.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => tekst.split_at(i),
        None => (tekst, "s"),
    };
    let n: i64 = getal
        .parse()
        .map_err(|_| format!("wacht: `{tekst}` is not a duration like 90s, 15m, 4h or 21d"))?;
    match eenheid {
        "s" => Ok(Duration::seconds(n)),
        "m" => Ok(Duration::minutes(n)),
        "h" => Ok(Duration::hours(n)),
        "d" => Ok(Duration::days(n)),
        _ => Err(format!("wacht: unit `{eenheid}` is not s, m, h or d")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duren() {
        assert_eq!(duur("90s"), Ok(Duration::seconds(90)));
        assert_eq!(duur("100"), Ok(Duration::seconds(100)));
        assert_eq!(duur("21d"), Ok(Duration::days(21)));
        assert_eq!(duur("4h"), Ok(Duration::hours(4)));
        assert!(duur("3w").is_err());
        assert!(duur("d").is_err());
    }
}
