//! The overview rows (web.md "Overview"): one per party of a claim, as that
//! party sees it, written with the claim in the same transaction so the
//! web part can page, sort and search 100,000 claims without reading their
//! JSON. Derived: [`rijen`] of a claim is all there is to them.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

use crate::engine::{Claim, Rol};

/// One party's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partijrij {
    pub deelnemer: String,
    pub claim_id: String,
    /// "V" or "A".
    pub rol: &'static str,
    pub werkmap: String,
    pub status: String,
    pub status_tegenpartij: String,
    pub tegenpartij: String,
    pub schadenummer: Option<String>,
    pub kenteken: String,
    pub kenteken_tegenpartij: String,
    pub schadedatum: String,
    pub ongeval_id: String,
    pub aangemaakt: String,
    pub gewijzigd: String,
    pub fase: String,
    pub ovs_code: Option<String>,
    pub afmeldreden: Option<String>,
    pub overeenstemming: Option<String>,
    pub afgerekend: Option<String>,
    pub vervaldatum: Option<String>,
    pub betaald: Option<String>,
}

/// The columns of `claim_partijen`, in the order of [`Partijrij::velden`].
pub const KOLOMMEN: [&str; 21] = [
    "deelnemer",
    "claim_id",
    "rol",
    "werkmap",
    "status",
    "status_tegenpartij",
    "tegenpartij",
    "schadenummer",
    "kenteken",
    "kenteken_tegenpartij",
    "schadedatum",
    "ongeval_id",
    "aangemaakt",
    "gewijzigd",
    "fase",
    "ovs_code",
    "afmeldreden",
    "overeenstemming",
    "afgerekend",
    "vervaldatum",
    "betaald",
];

impl Partijrij {
    /// The values in the order of [`KOLOMMEN`].
    pub fn velden(self) -> [Option<String>; 21] {
        [
            Some(self.deelnemer),
            Some(self.claim_id),
            Some(self.rol.to_string()),
            Some(self.werkmap),
            Some(self.status),
            Some(self.status_tegenpartij),
            Some(self.tegenpartij),
            self.schadenummer,
            Some(self.kenteken),
            Some(self.kenteken_tegenpartij),
            Some(self.schadedatum),
            Some(self.ongeval_id),
            Some(self.aangemaakt),
            Some(self.gewijzigd),
            Some(self.fase),
            self.ovs_code,
            self.afmeldreden,
            self.overeenstemming,
            self.afgerekend,
            self.vervaldatum,
            self.betaald,
        ]
    }
}

/// A time as the overview keeps it: UTC, so text order is time order.
pub fn utc(t: &DateTime<FixedOffset>) -> String {
    t.with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Both parties' rows of `claim`, changed at `gewijzigd`.
pub fn rijen(claim: &Claim, gewijzigd: &DateTime<FixedOffset>) -> [Partijrij; 2] {
    let eerste = claim.afrekeningen.first();
    let rij = |rol: Rol| {
        let ander = match rol {
            Rol::Verhaler => Rol::Aansprakelijke,
            Rol::Aansprakelijke => Rol::Verhaler,
        };
        let (status, werkmap) = claim.fase.van(rol);
        let (status_t, _) = claim.fase.van(ander);
        let (schadenummer, kenteken, kenteken_t) = match rol {
            Rol::Verhaler => (
                &claim.schadenummer_verhaler,
                &claim.kenteken_verhaler,
                &claim.kenteken_aansprakelijke,
            ),
            Rol::Aansprakelijke => (
                &claim.schadenummer_aansprakelijke,
                &claim.kenteken_aansprakelijke,
                &claim.kenteken_verhaler,
            ),
        };
        Partijrij {
            deelnemer: claim.deelnemer(rol).to_string(),
            claim_id: claim.id.to_string(),
            rol: match rol {
                Rol::Verhaler => "V",
                Rol::Aansprakelijke => "A",
            },
            werkmap: werkmap.to_string(),
            status: status.to_string(),
            status_tegenpartij: status_t.to_string(),
            tegenpartij: claim.deelnemer(ander).to_string(),
            schadenummer: schadenummer.as_ref().map(ToString::to_string),
            kenteken: kenteken.as_str().to_string(),
            kenteken_tegenpartij: kenteken_t.as_str().to_string(),
            schadedatum: claim.schadedatum.to_string(),
            ongeval_id: claim.ongeval.to_string(),
            aangemaakt: utc(&claim.aangemaakt),
            gewijzigd: utc(gewijzigd),
            fase: format!("{:?}", claim.fase),
            ovs_code: claim.ovs_code.map(|c| c.to_string()),
            afmeldreden: claim.afmeldreden.map(|r| r.to_string()),
            // Liability is matched when a percentage stands; the step that
            // matched it is the last of the history.
            overeenstemming: claim
                .verhaalpercentage
                .and(claim.standpunten.last())
                .map(|s| s.tijdstip.date_naive().to_string()),
            afgerekend: eerste.map(|a| a.datum.to_string()),
            vervaldatum: eerste.map(|a| a.vervaldatum.to_string()),
            betaald: eerste.and_then(|a| a.betaald).map(|d| d.to_string()),
        }
    };
    [rij(Rol::Verhaler), rij(Rol::Aansprakelijke)]
}
