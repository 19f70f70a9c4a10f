//! BGK, buitengerechtelijke kosten (docs/reference/bgk.md): the statutory
//! scale on the hoofdsom, with a minimum and a maximum, rounded once.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::referentie::ReferentieFout;
use super::wettelijke_rente::rond_af;

pub const STANDAARD: &str = include_str!("referentie/bgk.toml");

/// The scale: brackets (upper bound, percentage), the last without a bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bgkstaffel {
    schijven: Vec<(Option<Decimal>, Decimal)>,
    minimum: Decimal,
    maximum: Decimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Bestand {
    minimum: String,
    maximum: String,
    schijf: Vec<Schijf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Schijf {
    tot: Option<String>,
    procent: String,
}

impl Bgkstaffel {
    pub fn lees(tekst: &str) -> Result<Bgkstaffel, ReferentieFout> {
        const B: &str = "BGK scale";
        let inhoud = |reden: String| ReferentieFout::Inhoud { bestand: B, reden };
        let getal = |s: &str| {
            Decimal::from_str_exact(s)
                .ok()
                .filter(|d| *d >= Decimal::ZERO)
                .ok_or_else(|| inhoud(format!("'{s}' is not a non-negative number")))
        };
        let bestand: Bestand = toml::from_str(tekst).map_err(|e| ReferentieFout::Toml {
            bestand: B,
            reden: e.to_string(),
        })?;
        let mut schijven = Vec::new();
        let mut vorige = Decimal::ZERO;
        for (i, s) in bestand.schijf.iter().enumerate() {
            let tot = s.tot.as_deref().map(getal).transpose()?;
            let laatste = i + 1 == bestand.schijf.len();
            match tot {
                None if !laatste => return Err(inhoud("only the last bracket may be open".into())),
                Some(t) if t <= vorige => {
                    return Err(inhoud(format!("bracket bounds must rise (at {t})")));
                }
                Some(t) if laatste => {
                    return Err(inhoud(format!(
                        "the last bracket must be open, not end at {t}"
                    )));
                }
                _ => {}
            }
            vorige = tot.unwrap_or(vorige);
            schijven.push((tot, getal(&s.procent)?));
        }
        let (minimum, maximum) = (getal(&bestand.minimum)?, getal(&bestand.maximum)?);
        if minimum > maximum || schijven.is_empty() {
            return Err(inhoud("minimum above maximum, or no bracket".into()));
        }
        Ok(Bgkstaffel {
            schijven,
            minimum,
            maximum,
        })
    }

    pub fn standaard() -> Bgkstaffel {
        Bgkstaffel::lees(STANDAARD)
            .unwrap_or_else(|e| unreachable!("the shipped BGK scale is checked by a test: {e}"))
    }

    /// BGK on a hoofdsom: 0 for 0, else the scale between minimum and maximum.
    pub fn bereken(&self, hoofdsom: Decimal) -> Decimal {
        if hoofdsom <= Decimal::ZERO {
            return Decimal::ZERO;
        }
        let mut kosten = Decimal::ZERO;
        let mut onder = Decimal::ZERO;
        for (tot, procent) in &self.schijven {
            let boven = tot.unwrap_or(hoofdsom).min(hoofdsom);
            if boven > onder {
                kosten += (boven - onder) * procent / Decimal::ONE_HUNDRED;
            }
            onder = tot.unwrap_or(hoofdsom);
            if onder >= hoofdsom {
                break;
            }
        }
        rond_af(kosten.clamp(self.minimum, self.maximum))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of the table in bgk.md.
    #[test]
    fn uitgewerkte_voorbeelden() {
        let s = Bgkstaffel::standaard();
        for (hoofdsom, bgk) in [
            ("0.00", "0.00"),
            ("100.00", "40.00"),
            ("1000.00", "150.00"),
            ("2500.00", "375.00"),
            ("5000.00", "625.00"),
            ("10000.00", "875.00"),
            ("12345.67", "898.46"),
            ("50000.00", "1275.00"),
        ] {
            let h = Decimal::from_str_exact(hoofdsom).expect("amount");
            assert_eq!(
                s.bereken(h),
                Decimal::from_str_exact(bgk).expect("amount"),
                "{hoofdsom}"
            );
        }
        // The maximum is reached at a hoofdsom of one million.
        assert_eq!(s.bereken(Decimal::from(2_000_000)), Decimal::from(6775));
    }

    #[test]
    fn een_vervangende_staffel_wordt_gecontroleerd() {
        let e = Bgkstaffel::lees(
            "minimum = \"40\"\nmaximum = \"10\"\nschijf = [{ procent = \"1\" }]\n",
        )
        .expect_err("min > max");
        assert!(e.to_string().contains("minimum"), "{e}");
        let e = Bgkstaffel::lees(
            "minimum = \"0\"\nmaximum = \"10\"\nschijf = [{ procent = \"1\" }, { tot = \"5\", procent = \"1\" }]\n",
        )
        .expect_err("open bracket first");
        assert!(e.to_string().contains("open"), "{e}");
    }
}
