//! Statutory interest (art. 6:119 BW), docs/reference/wettelijke-rente.md:
//! from the damage date (inclusive) to the settlement date (exclusive),
//! compounding on every anniversary of the start, simple interest day by day
//! (/365) inside a year, split at every rate change, full decimal precision
//! and one rounding at the very end.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::referentie::ReferentieFout;

pub const STANDAARD: &str = include_str!("referentie/wettelijke-rente.toml");

/// The rate table: (in force from, percentage per year), sorted by date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rentetabel {
    tarieven: Vec<(NaiveDate, Decimal)>,
}

/// One stretch with one rate and one principal, as the `Eindafrekening` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuk {
    pub van: NaiveDate,
    pub tot: NaiveDate,
    pub dagen: u32,
    pub procent: Decimal,
    pub grondslag: Decimal,
    pub rente: Decimal,
}

/// The interest over a period: every stretch, the exact sum and the amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rente {
    pub stukken: Vec<Stuk>,
    pub exact: Decimal,
    /// Rounded half away from zero to cents, once.
    pub bedrag: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenteFout {
    #[error("no statutory interest rate is known for {0}: the rate table starts on {1}")]
    VoorTabel(NaiveDate, NaiveDate),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Bestand {
    tarief: Vec<Rij>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rij {
    vanaf: toml::value::Datetime,
    procent: String,
}

impl Rentetabel {
    pub fn lees(tekst: &str) -> Result<Rentetabel, ReferentieFout> {
        const B: &str = "statutory interest table";
        let inhoud = |reden: String| ReferentieFout::Inhoud { bestand: B, reden };
        let bestand: Bestand = toml::from_str(tekst).map_err(|e| ReferentieFout::Toml {
            bestand: B,
            reden: e.to_string(),
        })?;
        let mut tarieven = Vec::new();
        for rij in bestand.tarief {
            let datum = rij
                .vanaf
                .date
                .filter(|_| rij.vanaf.time.is_none())
                .and_then(|d| NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()))
                .ok_or_else(|| inhoud(format!("vanaf {} is not a date", rij.vanaf)))?;
            let procent = Decimal::from_str_exact(&rij.procent)
                .ok()
                .filter(|p| *p >= Decimal::ZERO && *p <= Decimal::ONE_HUNDRED)
                .ok_or_else(|| inhoud(format!("procent '{}' is not a percentage", rij.procent)))?;
            if tarieven.last().is_some_and(|(d, _)| *d >= datum) {
                return Err(inhoud(format!("the rows are not in date order at {datum}")));
            }
            tarieven.push((datum, procent));
        }
        if tarieven.is_empty() {
            return Err(inhoud("the table has no rate".to_owned()));
        }
        Ok(Rentetabel { tarieven })
    }

    pub fn standaard() -> Rentetabel {
        Rentetabel::lees(STANDAARD)
            .unwrap_or_else(|e| unreachable!("the shipped rate table is checked by a test: {e}"))
    }

    /// The rate in force on `dag`.
    fn tarief(&self, dag: NaiveDate) -> Result<Decimal, RenteFout> {
        self.tarieven
            .iter()
            .rev()
            .find(|(vanaf, _)| *vanaf <= dag)
            .map(|(_, p)| *p)
            .ok_or(RenteFout::VoorTabel(dag, self.tarieven[0].0))
    }

    /// The first rate change after `dag`, if any.
    fn volgende_wijziging(&self, dag: NaiveDate) -> Option<NaiveDate> {
        self.tarieven.iter().map(|(d, _)| *d).find(|d| *d > dag)
    }

    /// Interest on `hoofdsom` from `van` (inclusive) to `tot` (exclusive).
    pub fn bereken(
        &self,
        hoofdsom: Decimal,
        van: NaiveDate,
        tot: NaiveDate,
    ) -> Result<Rente, RenteFout> {
        let mut stukken = Vec::new();
        let mut grondslag = hoofdsom;
        let mut totaal = Decimal::ZERO;
        let mut jaar = 0u32;
        let mut begin = van;
        while begin < tot {
            jaar += 1;
            // The anniversary; a start on 29 February has its anniversary on 28 February.
            let verjaardag = van
                .checked_add_months(Months::new(12 * jaar))
                .unwrap_or(NaiveDate::MAX);
            let eind = verjaardag.min(tot);
            let mut jaarrente = Decimal::ZERO;
            let mut dag = begin;
            while dag < eind {
                let procent = self.tarief(dag)?;
                let tot_stuk = self.volgende_wijziging(dag).map_or(eind, |w| w.min(eind));
                let dagen = (tot_stuk - dag).num_days() as u32;
                // Multiply first, divide once: the only inexact step.
                let rente = grondslag * procent * Decimal::from(dagen) / Decimal::from(36_500u32);
                stukken.push(Stuk {
                    van: dag,
                    tot: tot_stuk,
                    dagen,
                    procent,
                    grondslag,
                    rente,
                });
                jaarrente += rente;
                dag = tot_stuk;
            }
            totaal += jaarrente;
            grondslag += jaarrente;
            begin = eind;
        }
        Ok(Rente {
            stukken,
            exact: totaal,
            bedrag: rond_af(totaal),
        })
    }
}

/// `round2`: half away from zero, to cents.
pub fn rond_af(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn bedrag(s: &str) -> Decimal {
        Decimal::from_str_exact(s).expect("amount")
    }

    /// The four worked examples of wettelijke-rente.md, on 1000.00.
    #[test]
    fn uitgewerkte_voorbeelden() {
        let t = Rentetabel::standaard();
        let r = t
            .bereken(bedrag("1000"), d("2024-03-01"), d("2024-03-31"))
            .expect("rate");
        assert_eq!(r.bedrag, bedrag("5.75"));
        assert_eq!(r.stukken.len(), 1);
        assert_eq!(r.stukken[0].dagen, 30);

        let r = t
            .bereken(bedrag("1000"), d("2023-06-01"), d("2023-08-01"))
            .expect("rate");
        assert_eq!(r.bedrag, bedrag("8.38"));
        let dagen: Vec<u32> = r.stukken.iter().map(|s| s.dagen).collect();
        assert_eq!(dagen, vec![30, 31]);
        assert!(
            r.exact > bedrag("8.3835") && r.exact < bedrag("8.3836"),
            "{}",
            r.exact
        );

        let r = t
            .bereken(bedrag("1000"), d("2024-01-01"), d("2025-01-01"))
            .expect("rate");
        assert_eq!(r.bedrag, bedrag("70.19"));
        assert_eq!(r.stukken.len(), 1);
        assert_eq!(r.stukken[0].dagen, 366);

        let r = t
            .bereken(bedrag("1000"), d("2024-01-01"), d("2025-07-01"))
            .expect("rate");
        assert_eq!(r.bedrag, bedrag("102.03"));
        assert_eq!(r.stukken.len(), 2);
        assert_eq!(r.stukken[1].dagen, 181);
        assert!(
            r.stukken[1].grondslag > bedrag("1070.1917")
                && r.stukken[1].grondslag < bedrag("1070.1918")
        );
        // The reference shows 31.8419… (31.84187… to four places).
        assert_eq!(r.stukken[1].rente.round_dp(4), bedrag("31.8419"));
        assert_eq!(r.exact.round_dp(4), bedrag("102.0337"));
    }

    #[test]
    fn lege_periode_en_datum_voor_de_tabel() {
        let t = Rentetabel::standaard();
        let r = t
            .bereken(bedrag("1000"), d("2026-03-01"), d("2026-03-01"))
            .expect("empty");
        assert_eq!(r.bedrag, Decimal::ZERO);
        assert!(r.stukken.is_empty());
        let r = t
            .bereken(bedrag("1000"), d("2026-03-02"), d("2026-03-01"))
            .expect("negative");
        assert_eq!(r.bedrag, Decimal::ZERO);
        let e = t
            .bereken(bedrag("1000"), d("2001-12-31"), d("2002-01-05"))
            .expect_err("before");
        assert!(e.to_string().contains("2001-12-31"), "{e}");
    }

    #[test]
    fn een_vervangende_tabel_wordt_gecontroleerd() {
        let e = Rentetabel::lees("tarief = [{ vanaf = 2020-01-01, procent = \"x\" }]")
            .expect_err("bad");
        assert!(e.to_string().contains("'x'"), "{e}");
        let e = Rentetabel::lees(
            "tarief = [{ vanaf = 2020-01-01, procent = \"2\" }, { vanaf = 2019-01-01, procent = \"3\" }]",
        )
        .expect_err("order");
        assert!(e.to_string().contains("order"), "{e}");
    }
}
