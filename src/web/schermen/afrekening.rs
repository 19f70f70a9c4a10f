//! A settlement, a damage specification and a position as a handler reads
//! them, the same on screen and in the PDF: typed from the dossier's JSON
//! (the message types' own serde), not its keys in alphabetical order.

use crate::bericht::inkomend::Component;
use crate::bericht::uitgaand::{Eindafrekening, Standpunt};

use super::{bedrag, datum, json_tekst};

/// A settlement laid out: its facts, its components, its interest
/// stretches and its amounts, each as display text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Afrekening {
    /// Betaalkenmerk, Datum, Soort, Vervaldatum, Betaald op, IBAN, Begunstigde.
    pub gegevens: Vec<(&'static str, String)>,
    /// Component, Geclaimd, Verhaalpercentage, Te betalen.
    pub componenten: Vec<[String; 4]>,
    /// Van, Tot, Dagen, Grondslag, Percentage, Rente (to the hub's precision).
    pub perioden: Vec<[String; 6]>,
    /// Hoofdsom, Wettelijke rente, BGK, Totaal.
    pub bedragen: Vec<(&'static str, String)>,
}

pub const COMPONENTKOPPEN: [&str; 4] = ["Component", "Geclaimd", "Verhaalpercentage", "Te betalen"];
pub const PERIODEKOPPEN: [&str; 6] = ["Van", "Tot", "Dagen", "Grondslag", "Percentage", "Rente"];
pub const SPECIFICATIEKOPPEN: [&str; 3] = ["Component", "Omschrijving", "Bedrag"];

/// An amount at the hub's full precision, the Dutch way: `€ 69,5376`
/// (at least two decimals).
pub fn precies(tekst: &str) -> String {
    let Some((heel, rest)) = tekst.split_once('.') else {
        return bedrag(tekst);
    };
    let rond = bedrag(&format!("{heel}.00"));
    let rest = format!("{rest:0<2}");
    match rond.rsplit_once(',') {
        Some((voor, _)) => format!("{voor},{rest}"),
        None => rond,
    }
}

/// The settlement of the dossier's JSON (an `Eindafrekening` with `Betaald`).
pub fn afrekening(v: &serde_json::Value) -> Option<Afrekening> {
    let e: Eindafrekening = serde_json::from_value(v.clone()).ok()?;
    let betaald = v
        .get("Betaald")
        .and_then(|b| b.as_str())
        .map(datum)
        .unwrap_or_else(|| "nog niet".into());
    Some(Afrekening {
        gegevens: vec![
            ("Betaalkenmerk", e.betaalkenmerk.to_string()),
            ("Datum", datum(&e.datum.to_string())),
            ("Soort", tekst(&e.soort)),
            ("Vervaldatum", datum(&e.vervaldatum.to_string())),
            ("Betaald op", betaald),
            ("IBAN", e.iban.to_string()),
            ("Begunstigde", e.begunstigde.to_string()),
        ],
        componenten: e
            .component
            .iter()
            .map(|c| {
                [
                    tekst(&c.code),
                    bedrag(&c.geclaimd.to_string()),
                    format!("{} %", c.verhaalpercentage),
                    bedrag(&c.te_betalen.to_string()),
                ]
            })
            .collect(),
        perioden: e
            .wettelijke_rente
            .periode
            .iter()
            .map(|p| {
                [
                    datum(&p.van.to_string()),
                    datum(&p.tot.to_string()),
                    p.dagen.to_string(),
                    precies(&p.grondslag.to_string()),
                    format!("{} %", p.percentage.to_string().replace('.', ",")),
                    precies(&p.rente.to_string()),
                ]
            })
            .collect(),
        bedragen: vec![
            ("Hoofdsom", bedrag(&e.hoofdsom.to_string())),
            (
                "Wettelijke rente",
                bedrag(&e.wettelijke_rente.bedrag.to_string()),
            ),
            ("BGK", bedrag(&e.bgk.to_string())),
            ("Totaal", bedrag(&e.totaal.to_string())),
        ],
    })
}

/// The damage specification of the dossier's JSON (its components).
pub fn specificatie(v: &serde_json::Value) -> Vec<[String; 3]> {
    let componenten: Vec<Component> = serde_json::from_value(v.clone()).unwrap_or_default();
    componenten
        .iter()
        .map(|c| {
            [
                tekst(&c.code),
                c.omschrijving
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                bedrag(&c.bedrag.to_string()),
            ]
        })
        .collect()
}

/// A position of the dossier's JSON: Nr, Datum, Partij (code), Soort, OVS,
/// Percentage, Toelichting.
pub fn standpunt(v: &serde_json::Value) -> Option<[String; 7]> {
    let s: Standpunt = serde_json::from_value(v.clone()).ok()?;
    Some([
        s.volgnummer.to_string(),
        datum(&s.tijdstip.to_rfc3339()),
        s.partij.to_string(),
        tekst(&s.soort),
        s.ovs_code
            .map(|o| o.to_string())
            .unwrap_or_else(|| "–".into()),
        s.verhaalpercentage
            .map(|p| format!("{p} %"))
            .unwrap_or_else(|| "–".into()),
        s.toelichting.map(|t| t.to_string()).unwrap_or_default(),
    ])
}

/// A code's name as the messages write it (serde's, without quotes).
fn tekst<T: serde::Serialize>(t: &T) -> String {
    json_tekst(&serde_json::to_value(t).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precies_houdt_de_decimalen() {
        assert_eq!(precies("69.5376"), "€ 69,5376");
        assert_eq!(precies("4862.7"), "€ 4.862,70");
        assert_eq!(precies("12"), "€ 12,00");
    }

    #[test]
    fn een_afrekening_op_volgorde() {
        let v = serde_json::json!({
            "Soort": "Regulier", "Datum": "2026-12-01",
            "Component": [{"Code": "Voertuigschade", "Geclaimd": "4287.35", "Verhaalpercentage": "100", "TeBetalen": "4287.35"}],
            "Hoofdsom": "4287.35",
            "WettelijkeRente": {"Bedrag": "69.54", "Periode": [
                {"Van": "2025-10-06", "Tot": "2026-01-01", "Dagen": "87", "Percentage": "6", "Grondslag": "4862.70", "Rente": "69.5371"}]},
            "BGK": "611.27", "Totaal": "4968.16", "IBAN": "NL91ABNA0417164300",
            "Begunstigde": "Voorbeeld", "Betaalkenmerk": "CL-00000001-1", "Vervaldatum": "2026-12-15",
            "Betaald": "2026-12-10", "Bericht": 16
        });
        let a = afrekening(&v).expect("a settlement");
        assert_eq!(a.gegevens[0], ("Betaalkenmerk", "CL-00000001-1".into()));
        assert_eq!(a.gegevens[4], ("Betaald op", "10-12-2026".into()));
        assert_eq!(
            a.componenten,
            [[
                "Voertuigschade".to_string(),
                "€ 4.287,35".into(),
                "100 %".into(),
                "€ 4.287,35".into()
            ]]
        );
        assert_eq!(a.perioden[0][0..3], ["06-10-2025", "01-01-2026", "87"]);
        assert_eq!(a.perioden[0][5], "€ 69,5371");
        assert_eq!(a.bedragen[3], ("Totaal", "€ 4.968,16".into()));
    }
}
