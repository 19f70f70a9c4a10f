//! Replay of a message log (operations.md "Replay"): the `in` lines of a JSON
//! Lines file, in file order, through the same checks and engine as the live
//! hub ([`crate::hub::Hub`]), with the clock set to each line's `at`. The
//! produced `out` lines are written in order and, with verify, compared with
//! the file's own.

use std::collections::VecDeque;
use std::io::{BufRead, Write};

use chrono::{DateTime, FixedOffset};

use crate::bericht::{Codelijst as _, Deelnemercode, tijdstip};
use crate::engine::{self, Toestand};
use crate::hub::{Hub, HubFout, Logregel, Richting};

#[derive(Debug, thiserror::Error)]
pub enum ReplayFout {
    #[error("line {regel}: {reden}")]
    Regel { regel: u64, reden: String },
    #[error("reading the log: {0}")]
    Lezen(#[from] std::io::Error),
    #[error("line {regel}: {bron}")]
    Hub { regel: u64, bron: HubFout },
}

/// The first place where the produced output and the file's `out` lines differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verschil {
    /// Line number in the input file of the expected `out` line (if any).
    pub regel: Option<u64>,
    pub beschrijving: String,
}

/// What a replay did.
#[derive(Debug, Default)]
pub struct Verslag {
    pub in_regels: u64,
    pub uit_regels: u64,
    pub verschil: Option<Verschil>,
}

fn eerste_verschil(verwacht: &str, gemaakt: &str) -> String {
    for (i, (a, b)) in verwacht.lines().zip(gemaakt.lines()).enumerate() {
        if a != b {
            return format!(
                "XML line {}: expected `{}`, produced `{}`",
                i + 1,
                a.trim(),
                b.trim()
            );
        }
    }
    format!(
        "XML of {} lines expected, {} produced",
        verwacht.lines().count(),
        gemaakt.lines().count()
    )
}

fn vergelijk(regel: u64, verwacht: &Logregel, gemaakt: &Logregel) -> Option<Verschil> {
    let wat = if verwacht.mailbox != gemaakt.mailbox {
        format!(
            "mailbox: expected {}, produced {}",
            verwacht.mailbox, gemaakt.mailbox
        )
    } else if verwacht.at != gemaakt.at || verwacht.at.offset() != gemaakt.at.offset() {
        format!(
            "at: expected {}, produced {}",
            tijdstip::format(&verwacht.at),
            tijdstip::format(&gemaakt.at)
        )
    } else if verwacht.seq.is_some() && verwacht.seq != gemaakt.seq {
        format!(
            "seq: expected {:?}, produced {:?}",
            verwacht.seq, gemaakt.seq
        )
    } else if verwacht.xml != gemaakt.xml {
        eerste_verschil(&verwacht.xml, &gemaakt.xml)
    } else {
        return None;
    };
    Some(Verschil {
        regel: Some(regel),
        beschrijving: format!(
            "out line at line {regel} (to {}) differs: {wat}",
            verwacht.mailbox
        ),
    })
}

/// How to replay.
#[derive(Debug, Clone, Copy, Default)]
pub struct Opties {
    /// Compare with the file's own `out` lines and stop at the first difference.
    pub verify: bool,
    /// Also write the `in` lines (numbered), so the output is a whole message
    /// log as `log export` gives it: how conversation fixtures are recorded.
    pub met_invoer: bool,
    /// After the last line, fire every timer due up to this moment (`--until`).
    pub tot: Option<DateTime<FixedOffset>>,
}

/// Replays `invoer` into `hub`, writing the produced `out` lines to `uit`.
/// `voortgang` is told the number of bytes read after every line.
pub fn speel(
    hub: &mut Hub<'_>,
    invoer: impl BufRead,
    uit: &mut dyn Write,
    opties: Opties,
    voortgang: &mut dyn FnMut(u64),
) -> Result<Verslag, ReplayFout> {
    let verify = opties.verify;
    let mut verslag = Verslag::default();
    let mut verwacht: VecDeque<(u64, Logregel)> = VecDeque::new();
    let mut gemaakt: VecDeque<Logregel> = VecDeque::new();
    let mut gelezen = 0u64;
    for (i, regel) in invoer.lines().enumerate() {
        let nummer = i as u64 + 1;
        let regel = regel?;
        gelezen += regel.len() as u64 + 1;
        if regel.trim().is_empty() {
            continue;
        }
        let log: Logregel = serde_json::from_str(&regel).map_err(|e| ReplayFout::Regel {
            regel: nummer,
            reden: format!("not a message-log line: {e}"),
        })?;
        match log.direction {
            Richting::Out => {
                if verify {
                    verwacht.push_back((nummer, log));
                }
            }
            Richting::In => {
                let mailbox =
                    Deelnemercode::new(log.mailbox.as_str()).map_err(|e| ReplayFout::Regel {
                        regel: nummer,
                        reden: format!("mailbox: {e}"),
                    })?;
                let v = hub
                    .ontvang_ontvangen(&mailbox, &log.herkomst, log.at, &log.ontvangen())
                    .map_err(|bron| ReplayFout::Hub {
                        regel: nummer,
                        bron,
                    })?;
                verslag.in_regels += 1;
                for g in v.gewekt {
                    schrijf_uit(uit, &mut verslag, &mut gemaakt, verify, g.uit)?;
                }
                if opties.met_invoer {
                    let in_regel = Logregel {
                        seq: Some(v.seq_in),
                        ..log
                    };
                    writeln!(uit, "{}", in_regel.als_json())?;
                }
                schrijf_uit(uit, &mut verslag, &mut gemaakt, verify, v.uit)?;
            }
        }
        if let Some(d) = vergelijk_rij(&mut verwacht, &mut gemaakt) {
            verslag.verschil = Some(d);
            return Ok(verslag);
        }
        voortgang(gelezen);
    }
    if let Some(tot) = opties.tot {
        let gewekt = hub.wek_tot(tot).map_err(|bron| ReplayFout::Hub {
            regel: verslag.in_regels,
            bron,
        })?;
        for g in gewekt {
            schrijf_uit(uit, &mut verslag, &mut gemaakt, verify, g.uit)?;
        }
        if let Some(d) = vergelijk_rij(&mut verwacht, &mut gemaakt) {
            verslag.verschil = Some(d);
            return Ok(verslag);
        }
    }
    if verify {
        if let Some((r, v)) = verwacht.pop_front() {
            verslag.verschil = Some(Verschil {
                regel: Some(r),
                beschrijving: format!("out line at line {r} (to {}) was not produced", v.mailbox),
            });
        } else if let Some(g) = gemaakt.pop_front() {
            verslag.verschil = Some(Verschil {
                regel: None,
                beschrijving: format!(
                    "produced out line seq {} (to {}) is not in the file",
                    g.seq.unwrap_or_default(),
                    g.mailbox
                ),
            });
        }
    }
    uit.flush()?;
    Ok(verslag)
}

fn schrijf_uit(
    uit: &mut dyn Write,
    verslag: &mut Verslag,
    gemaakt: &mut VecDeque<Logregel>,
    verify: bool,
    regels: Vec<Logregel>,
) -> std::io::Result<()> {
    for u in regels {
        writeln!(uit, "{}", u.als_json())?;
        verslag.uit_regels += 1;
        if verify {
            gemaakt.push_back(u);
        }
    }
    Ok(())
}

/// Compares produced and expected `out` lines as far as both go.
fn vergelijk_rij(
    verwacht: &mut VecDeque<(u64, Logregel)>,
    gemaakt: &mut VecDeque<Logregel>,
) -> Option<Verschil> {
    while let (Some(_), Some(_)) = (verwacht.front(), gemaakt.front()) {
        if let (Some((r, v)), Some(g)) = (verwacht.pop_front(), gemaakt.pop_front())
            && let Some(d) = vergelijk(r, &v, &g)
        {
            return Some(d);
        }
    }
    None
}

/// The final state of every claim, as `--state` writes it (operations.md).
pub fn toestand_json(toestand: &Toestand) -> serde_json::Value {
    use serde_json::{Value, json};
    let tekst = |s: Option<String>| s.map_or(Value::Null, Value::String);
    let claims: Vec<Value> = toestand
        .claims()
        .map(|c| {
            let (sv, wv) = c.fase.van(engine::Rol::Verhaler);
            let (sa, wa) = c.fase.van(engine::Rol::Aansprakelijke);
            json!({
                "claimId": c.id.to_string(),
                "ongevalId": c.ongeval.to_string(),
                "verhaler": c.verhaler.to_string(),
                "aansprakelijke": c.aansprakelijke.to_string(),
                "schadenummerVerhaler": tekst(c.schadenummer_verhaler.as_ref().map(|s| s.to_string())),
                "schadenummerAansprakelijke": tekst(c.schadenummer_aansprakelijke.as_ref().map(|s| s.to_string())),
                "statusVerhaler": sv.to_string(),
                "werkmapVerhaler": wv.to_string(),
                "statusAansprakelijke": sa.to_string(),
                "werkmapAansprakelijke": wa.to_string(),
                "verhaalpercentage": c.verhaalpercentage.map_or(Value::Null, |p| json!(p.procent())),
                "ovsCode": c.ovs_code.map_or(Value::Null, |o| json!(o.als_tekst().parse::<u8>().unwrap_or_default())),
                "posities": c.posities(),
                "afmeldreden": tekst(c.afmeldreden.map(|r| r.to_string())),
                "tegenclaimVan": tekst(c.tegenclaim_van.as_ref().map(|s| s.to_string())),
                "tegenclaim": tekst(c.tegenclaim.as_ref().map(|s| s.to_string())),
                "kentekenVerhaler": c.kenteken_verhaler.to_string(),
                "kentekenAansprakelijke": c.kenteken_aansprakelijke.to_string(),
                "schadedatum": c.schadedatum.to_string(),
                "timers": c.timers.iter().map(|t| {
                    let tijd = tijdstip::format(&t.tijd);
                    match &t.soort {
                        engine::Timersoort::Rappel(r) => json!({
                            "soort": "rappel",
                            "tijd": tijd,
                            "rappelsoort": r.soort.to_string(),
                            "aan": c.deelnemer(r.aan).to_string(),
                            "volgnummer": r.volgnummer,
                            "sindsDatum": r.sinds.to_string(),
                        }),
                        engine::Timersoort::Betaaltermijn { betaalkenmerk } => json!({
                            "soort": "betaaltermijn",
                            "tijd": tijd,
                            "betaalkenmerk": betaalkenmerk.to_string(),
                        }),
                        engine::Timersoort::Passief => json!({ "soort": "passief", "tijd": tijd }),
                    }
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    Value::Array(claims)
}
