//! Reference data the rules use, as data: the toedracht list and the caps.
//! The shipped files are compiled in; the configuration may name others
//! (operations.md, `[referentie]`). Reading is pure: text in, checked table out.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::bericht::{Bedrag, OvsCode, Schadecomponent, Toedrachtcode, Verhaalpercentage};

pub const TOEDRACHT_STANDAARD: &str = include_str!("referentie/toedracht.toml");
pub const PLAFONDS_STANDAARD: &str = include_str!("referentie/plafonds.toml");

#[derive(Debug, thiserror::Error)]
pub enum ReferentieFout {
    #[error("{bestand}: not valid TOML for this table: {reden}")]
    Toml {
        bestand: &'static str,
        reden: String,
    },
    #[error("{bestand}: {reden}")]
    Inhoud {
        bestand: &'static str,
        reden: String,
    },
}

/// Per toedracht code: the allowed (OVS-code, verhaalpercentage) pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toedrachtlijst {
    codes: BTreeMap<Toedrachtcode, Toedrachtregel>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toedrachtregel {
    pub paren: Vec<(OvsCode, Verhaalpercentage)>,
    pub omschrijving_verplicht: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToedrachtBestand {
    toedracht: Vec<ToedrachtInvoer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToedrachtInvoer {
    code: String,
    paren: Vec<(u8, u8)>,
    #[serde(default)]
    omschrijving_verplicht: bool,
}

impl Toedrachtlijst {
    pub fn lees(tekst: &str) -> Result<Toedrachtlijst, ReferentieFout> {
        const B: &str = "toedracht list";
        let inhoud = |reden: String| ReferentieFout::Inhoud { bestand: B, reden };
        let bestand: ToedrachtBestand =
            toml::from_str(tekst).map_err(|e| ReferentieFout::Toml {
                bestand: B,
                reden: e.to_string(),
            })?;
        let mut codes = BTreeMap::new();
        for t in bestand.toedracht {
            let code = Toedrachtcode::from_str(&t.code).map_err(|e| inhoud(e.to_string()))?;
            let mut paren = Vec::new();
            for (ovs, pct) in t.paren {
                let o = OvsCode::from_str(&ovs.to_string()).map_err(|e| inhoud(e.to_string()))?;
                let p = Verhaalpercentage::from_str(&pct.to_string())
                    .map_err(|e| inhoud(e.to_string()))?;
                paren.push((o, p));
            }
            let regel = Toedrachtregel {
                paren,
                omschrijving_verplicht: t.omschrijving_verplicht,
            };
            if codes.insert(code, regel).is_some() {
                return Err(inhoud(format!("code {code} is listed twice")));
            }
        }
        Ok(Toedrachtlijst { codes })
    }

    pub fn standaard() -> Toedrachtlijst {
        Toedrachtlijst::lees(TOEDRACHT_STANDAARD).unwrap_or_else(|e| {
            unreachable!("the shipped toedracht list is checked by a test: {e}")
        })
    }

    /// `None` when the code is not in the list (the message is refused, F03).
    pub fn regel(&self, code: Toedrachtcode) -> Option<&Toedrachtregel> {
        self.codes.get(&code)
    }
}

/// Caps per component and on the total claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plafonds {
    pub totaal: Bedrag,
    pub component: BTreeMap<Schadecomponent, Bedrag>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlafondsBestand {
    totaal: String,
    #[serde(default)]
    component: BTreeMap<String, String>,
}

impl Plafonds {
    pub fn lees(tekst: &str) -> Result<Plafonds, ReferentieFout> {
        const B: &str = "caps";
        let inhoud = |reden: String| ReferentieFout::Inhoud { bestand: B, reden };
        let bedrag = |s: &str| {
            Decimal::from_str_exact(s)
                .ok()
                .and_then(|d| Bedrag::new(d).ok())
                .ok_or_else(|| inhoud(format!("'{s}' is not an amount with at most 2 decimals")))
        };
        let bestand: PlafondsBestand = toml::from_str(tekst).map_err(|e| ReferentieFout::Toml {
            bestand: B,
            reden: e.to_string(),
        })?;
        let mut component = BTreeMap::new();
        for (code, cap) in &bestand.component {
            let c = Schadecomponent::from_str(code).map_err(|e| inhoud(e.to_string()))?;
            component.insert(c, bedrag(cap)?);
        }
        Ok(Plafonds {
            totaal: bedrag(&bestand.totaal)?,
            component,
        })
    }

    pub fn standaard() -> Plafonds {
        Plafonds::lees(PLAFONDS_STANDAARD)
            .unwrap_or_else(|e| unreachable!("the shipped caps are checked by a test: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bericht::Codelijst;

    #[test]
    fn de_meegeleverde_bestanden_laden_en_dekken_elke_code() {
        let t = Toedrachtlijst::lees(TOEDRACHT_STANDAARD).expect("toedracht");
        for code in Toedrachtcode::ALLE {
            assert!(t.regel(*code).is_some(), "{code}");
        }
        let kruispunt = t.regel(Toedrachtcode::Kruispunt).expect("listed");
        assert_eq!(
            kruispunt.paren,
            vec![
                (OvsCode::Twee, Verhaalpercentage::Honderd),
                (OvsCode::Zes, Verhaalpercentage::Vijftig)
            ]
        );
        assert!(
            t.regel(Toedrachtcode::Anders)
                .expect("listed")
                .omschrijving_verplicht
        );
        let p = Plafonds::lees(PLAFONDS_STANDAARD).expect("caps");
        assert_eq!(p.totaal.to_string(), "50000.00");
        assert_eq!(
            p.component[&Schadecomponent::Autohuur].to_string(),
            "750.00"
        );
        assert!(!p.component.contains_key(&Schadecomponent::Expertisekosten));
    }

    #[test]
    fn fouten_in_een_vervangend_bestand_worden_genoemd() {
        let e = Toedrachtlijst::lees("[[toedracht]]\ncode = \"Vliegen\"\nparen = []\n")
            .expect_err("unknown code");
        assert!(e.to_string().contains("Vliegen"), "{e}");
        let e = Plafonds::lees("totaal = \"1.234\"\n").expect_err("3 decimals");
        assert!(e.to_string().contains("1.234"), "{e}");
    }
}
