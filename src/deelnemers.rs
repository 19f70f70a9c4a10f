//! The participants file (operations.md "Participants file"): who may send
//! and receive, in which role, and where they are paid.
//!
//! [`Deelnemers::lees`] is pure (text in, checked register out); only
//! [`Deelnemers::laad`] touches the file system. A bad file stops the hub at
//! start with a message naming the participant and the field.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::bericht::{Deelnemercode, Iban, KorteTekst};

/// Kind of participant (rules.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Soort {
    Verzekeraar,
    Gevolmachtigde,
    Belangenbehartiger,
    Claimservice,
}

impl Soort {
    /// Belangenbehartiger and claimservice settle under general law: OVS 0,
    /// CASCO, verhaalpercentage 100 or 50, no counter-claim (rules.md §1).
    pub fn is_beperkt(self) -> bool {
        matches!(self, Soort::Belangenbehartiger | Soort::Claimservice)
    }

    /// As the participants file writes it.
    pub fn naam(self) -> &'static str {
        match self {
            Soort::Verzekeraar => "verzekeraar",
            Soort::Gevolmachtigde => "gevolmachtigde",
            Soort::Belangenbehartiger => "belangenbehartiger",
            Soort::Claimservice => "claimservice",
        }
    }
}

/// One registered participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deelnemer {
    pub code: Deelnemercode,
    pub naam: String,
    pub soort: Soort,
    pub wettelijke_rente: bool,
    pub bgk: bool,
    pub iban: Iban,
    pub begunstigde: KorteTekst,
    pub actief: bool,
}

/// The register, ordered by code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deelnemers {
    register: BTreeMap<Deelnemercode, Deelnemer>,
}

#[derive(Debug, thiserror::Error)]
pub enum DeelnemersFout {
    #[error("{pad}: {bron}")]
    Lezen { pad: String, bron: std::io::Error },
    #[error("participants file is not valid TOML for [[deelnemer]] tables: {0}")]
    Toml(String),
    #[error("participant {deelnemer}: field {veld}: {reden}")]
    Veld {
        deelnemer: String,
        veld: &'static str,
        reden: String,
    },
    #[error("participant {0} is registered twice")]
    Dubbel(String),
    #[error("the participants file registers no participant")]
    Leeg,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Bestand {
    #[serde(default)]
    deelnemer: Vec<Invoer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Invoer {
    code: String,
    naam: String,
    soort: Soort,
    #[serde(default)]
    wettelijke_rente: bool,
    #[serde(default)]
    bgk: bool,
    iban: String,
    begunstigde: String,
    #[serde(default = "waar")]
    actief: bool,
}

fn waar() -> bool {
    true
}

/// Checks an IBAN (reference/iban.md): spaces stripped, upper case, country
/// code, two check digits, the country's length (NL: 18), mod-97 equal to 1.
pub fn controleer_iban(invoer: &str) -> Result<Iban, String> {
    let iban: String = invoer
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let b = iban.as_bytes();
    if b.len() < 5
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
    {
        return Err(format!(
            "'{invoer}' does not start with a country code and two check digits"
        ));
    }
    if !b.iter().all(u8::is_ascii_alphanumeric) {
        return Err(format!(
            "'{invoer}' has characters other than letters and digits"
        ));
    }
    // Lengths of the countries participants are registered in; others by the general maximum.
    let lengte = match &iban[..2] {
        "NL" => Some(18),
        "BE" => Some(16),
        "DE" => Some(22),
        "LU" => Some(20),
        _ => None,
    };
    match lengte {
        Some(n) if b.len() != n => {
            return Err(format!(
                "'{invoer}' has {} characters; an IBAN of {} has {n}",
                b.len(),
                &iban[..2]
            ));
        }
        None if b.len() > 34 => return Err(format!("'{invoer}' is longer than 34 characters")),
        _ => {}
    }
    // Mod-97 over the rearranged digits, folded as it goes so no big integer is needed.
    let rest = iban[4..]
        .bytes()
        .chain(iban[..4].bytes())
        .fold(0u32, |acc, c| {
            if c.is_ascii_digit() {
                (acc * 10 + u32::from(c - b'0')) % 97
            } else {
                (acc * 100 + u32::from(c - b'A') + 10) % 97
            }
        });
    if rest != 1 {
        return Err(format!(
            "'{invoer}' fails the mod-97 check (check digits wrong)"
        ));
    }
    Iban::new(iban).map_err(|e| e.to_string())
}

impl Deelnemers {
    /// Every participant, in code order.
    pub fn iter(&self) -> impl Iterator<Item = &Deelnemer> {
        self.register.values()
    }

    /// Reads and checks a participants file's text.
    pub fn lees(tekst: &str) -> Result<Deelnemers, DeelnemersFout> {
        let bestand: Bestand =
            toml::from_str(tekst).map_err(|e| DeelnemersFout::Toml(e.to_string()))?;
        let mut register = BTreeMap::new();
        for (i, d) in bestand.deelnemer.into_iter().enumerate() {
            let wie = if d.code.trim().is_empty() {
                format!("#{}", i + 1)
            } else {
                d.code.clone()
            };
            let veld = |veld: &'static str, reden: String| DeelnemersFout::Veld {
                deelnemer: wie.clone(),
                veld,
                reden,
            };
            let code =
                Deelnemercode::new(d.code.trim()).map_err(|e| veld("code", e.to_string()))?;
            if code.is_hub() {
                return Err(veld(
                    "code",
                    "CR-HUB is the hub itself, not a participant".into(),
                ));
            }
            if d.naam.trim().is_empty() {
                return Err(veld("naam", "is empty".into()));
            }
            let iban = controleer_iban(&d.iban).map_err(|r| veld("iban", r))?;
            let begunstigde = KorteTekst::new(d.begunstigde.trim())
                .map_err(|e| veld("begunstigde", e.to_string()))?;
            let deelnemer = Deelnemer {
                code: code.clone(),
                naam: d.naam.trim().to_owned(),
                soort: d.soort,
                wettelijke_rente: d.wettelijke_rente,
                bgk: d.bgk,
                iban,
                begunstigde,
                actief: d.actief,
            };
            if register.insert(code.clone(), deelnemer).is_some() {
                return Err(DeelnemersFout::Dubbel(code.to_string()));
            }
        }
        if register.is_empty() {
            return Err(DeelnemersFout::Leeg);
        }
        Ok(Deelnemers { register })
    }

    /// Reads and checks a participants file.
    pub fn laad(pad: &Path) -> Result<Deelnemers, DeelnemersFout> {
        let tekst = std::fs::read_to_string(pad).map_err(|bron| DeelnemersFout::Lezen {
            pad: pad.display().to_string(),
            bron,
        })?;
        Deelnemers::lees(&tekst)
    }

    pub fn get(&self, code: &Deelnemercode) -> Option<&Deelnemer> {
        self.register.get(code)
    }

    /// Every participant, ordered by code.
    pub fn alle(&self) -> impl Iterator<Item = &Deelnemer> {
        self.register.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_voorbeelden_uit_de_referentie() {
        for ok in [
            "NL91ABNA0417164300",
            "NL44RABO0123456789",
            "NL20INGB0001234567",
            "nl91 abna 0417 1643 00",
        ] {
            assert!(controleer_iban(ok).is_ok(), "{ok}");
        }
        let fout = controleer_iban("NL56INGB0123456789").expect_err("check digits");
        assert!(fout.contains("mod-97"), "{fout}");
        let fout = controleer_iban("NL91ABNA041716430").expect_err("length");
        assert!(fout.contains("18"), "{fout}");
    }

    #[test]
    fn het_voorbeeldbestand_laadt() {
        let pad = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/spec/participants.toml");
        let d = Deelnemers::laad(&pad).expect("the spec's participants file is valid");
        assert_eq!(d.alle().count(), 4);
        let volmacht = d
            .get(&Deelnemercode::new("CR-00770000").expect("code"))
            .expect("registered");
        assert!(!volmacht.actief);
        let verzekeraar = d
            .get(&Deelnemercode::new("CR-00820000").expect("code"))
            .expect("registered");
        assert!(verzekeraar.actief, "actief defaults to true");
        assert!(verzekeraar.wettelijke_rente && verzekeraar.bgk);
        let bb = d
            .get(&Deelnemercode::new("CR-00930000").expect("code"))
            .expect("registered");
        assert!(bb.soort.is_beperkt());
    }

    fn een(velden: &str) -> String {
        format!("[[deelnemer]]\n{velden}\n")
    }

    const GOED: &str = "code = \"CR-00820000\"\nnaam = \"X\"\nsoort = \"verzekeraar\"\niban = \"NL91ABNA0417164300\"\nbegunstigde = \"X\"";

    #[test]
    fn fouten_noemen_deelnemer_en_veld() {
        let fout = Deelnemers::lees(&een(
            &GOED.replace("NL91ABNA0417164300", "NL56INGB0123456789")
        ))
        .expect_err("bad iban");
        let tekst = fout.to_string();
        assert!(
            tekst.contains("CR-00820000") && tekst.contains("iban"),
            "{tekst}"
        );

        let fout =
            Deelnemers::lees(&een(&GOED.replace("CR-00820000", "CR-123"))).expect_err("bad code");
        assert!(fout.to_string().contains("field code"), "{fout}");

        let fout = Deelnemers::lees(&een(&GOED.replace("verzekeraar", "makelaar")))
            .expect_err("unknown soort");
        assert!(fout.to_string().contains("makelaar"), "{fout}");

        let fout = Deelnemers::lees(&format!("{}{}", een(GOED), een(GOED))).expect_err("twice");
        assert!(
            matches!(fout, DeelnemersFout::Dubbel(ref c) if c == "CR-00820000"),
            "{fout}"
        );

        let fout =
            Deelnemers::lees(&een(&format!("{GOED}\nwetelijke_rente = true"))).expect_err("typo");
        assert!(fout.to_string().contains("wetelijke_rente"), "{fout}");

        assert!(matches!(Deelnemers::lees(""), Err(DeelnemersFout::Leeg)));
    }
}
