//! The synthetic participants' behaviour: a reactive model of one complete,
//! valid conversation per claim, with no I/O, no clock and no randomness
//! beyond a seed (the caller passes the time).
//!
//! Claim `i` runs between V = participant `i mod N` and an A drawn round-robin
//! from the others, so every participant is V on some claims and A on others.
//! Its path (fixtures 01, 22 and 25; rules.md §3–6):
//!
//! | stap | sender | message | sent when the sender receives |
//! | --- | --- | --- | --- |
//! | 1 | V | `Aanmelding` with an `Aansprakelijkstelling` (KopStaart, OVS 1, 100) | — (start) |
//! | 2 | A | `ReactieAansprakelijkheid` `Akkoord` (OVS 1, A's schadenummer) | the forwarded `Aanmelding` |
//! | 3 | V | `Schadespecificatie` | the `Overeenstemming` |
//! | 4 | V | `Betaalverzoek` | the `Ontvangstbevestiging` of stap 3 |
//! | 5 | A | `Betaalbevestiging` (betaalkenmerk and date of the settlement) | the `Eindafrekening` |
//! | 6 | V | `Archivering` (after payment only V archives, §6) | the forwarded `Betaalbevestiging` |
//!
//! A specification sent after the match never settles by itself (fixture 25,
//! CL-00000003), so V asks for the settlement with a `Betaalverzoek` once its
//! specification is accepted. The claim is done at the `Ontvangstbevestiging`
//! of stap 6 (status "Dossier gearchiveerd"). The hub answers the six
//! messages with [`ANTWOORDEN_PER_CLAIM`] messages in all.
//!
//! Outbound messages are read with [`Kern::lees`], a single token pass that
//! keeps only what a participant reacts to: a load generator must not spend
//! the CPU the hub is measured on. The in-memory test checks it against the
//! full typed read.

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use quick_xml::events::Event;
use rust_decimal::Decimal;

use clearinghuis::bericht::{
    self, Aanmelding, AansprakelijkePartij, Aansprakelijkstelling, AkkoordA, Bedrag, Bericht,
    BerichtId, Bestuurder, Betaalbevestiging, Betaalkenmerk, ClaimBlok, ClaimId, Component,
    Deelnemercode, Dekking, Document, Documenten, KentekenInvoer, Kop, KorteTekst, Leeg,
    OngeldigeWaarde, OvsCode, Polisnummer, ReactieA, ReactieAansprakelijkheid, Schadecomponent,
    Schadeformulier, Schadenummer, Schadespecificatie, Telefoon, Toedracht, Toedrachtcode,
    Verhaalpercentage, VerhalendePartij, Voorval,
};

/// Inbound messages per claim (stappen 1–6).
pub const BERICHTEN_PER_CLAIM: usize = 6;

/// Outbound messages per claim: Aanmelding 2 (receipt, forward), Akkoord 3
/// (receipt, Overeenstemming to both), Schadespecificatie 2, Betaalverzoek 3
/// (receipt, Eindafrekening to both), Betaalbevestiging 2, Archivering 3
/// (receipt, Systeemmelding Gearchiveerd to both).
pub const ANTWOORDEN_PER_CLAIM: usize = 15;

/// Claims the plates, schadenummers and BerichtIds are unique for: two plates a
/// claim from the 6,760,000 of sidecode 1 (`XX-99-99`), numbers with 8 digits.
pub const MAX_CLAIMS: u64 = 3_380_000;

/// Prefix of V's schadenummer; the claim index follows (8 digits), so every
/// outbound message names its claim through `SchadenummerVerhaler`.
const SCHADENUMMER_V: &str = "LGV-";
const SCHADENUMMER_A: &str = "LGA-";
/// Prefix of a BerichtId: `LG-<claim, 8 digits>-<stap>`.
const BERICHT: &str = "LG-";

#[derive(Debug, thiserror::Error)]
pub enum GesprekFout {
    #[error("claim {claim} is beyond the {MAX_CLAIMS} claims plates and numbers are unique for")]
    TeVeelClaims { claim: u64 },
    #[error("a conversation needs at least 2 participants")]
    TeWeinigDeelnemers,
    #[error("a generated value is invalid (a bug in the load model): {0}")]
    Waarde(#[from] OngeldigeWaarde),
    #[error("writing a generated message: {0}")]
    Xml(#[from] bericht::xml::XmlFout),
    #[error("reading an outbound message: {0}")]
    Lezen(String),
    #[error(
        "claim {claim}: {soort} to {ontvanger} carries status '{status}', the load path expects '{verwacht}'"
    )]
    Onverwacht {
        claim: u64,
        soort: String,
        ontvanger: String,
        status: String,
        verwacht: &'static str,
    },
    #[error("claim {claim}: {soort} to {ontvanger} lacks {veld}")]
    Ontbreekt {
        claim: u64,
        soort: String,
        ontvanger: String,
        veld: &'static str,
    },
}

/// One step of the path, numbered as in the table above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stap {
    Aanmelding = 1,
    Akkoord = 2,
    Schadespecificatie = 3,
    Betaalverzoek = 4,
    Betaalbevestiging = 5,
    Archivering = 6,
}

impl Stap {
    fn van_nummer(n: u8) -> Option<Stap> {
        Some(match n {
            1 => Stap::Aanmelding,
            2 => Stap::Akkoord,
            3 => Stap::Schadespecificatie,
            4 => Stap::Betaalverzoek,
            5 => Stap::Betaalbevestiging,
            6 => Stap::Archivering,
            _ => return None,
        })
    }
}

/// A message a participant sends to the hub.
#[derive(Debug, Clone, PartialEq)]
pub struct Verzending {
    pub claim: u64,
    pub stap: Stap,
    /// The sender, who publishes to its own `in` mailbox.
    pub afzender: Deelnemercode,
    pub bericht_id: BerichtId,
    pub xml: String,
}

/// What a participant does on receiving one outbound message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reactie {
    pub sturen: Vec<Verzending>,
    /// The claim this message completes (V's receipt of its `Archivering`).
    pub klaar: Option<u64>,
}

/// The BerichtId of claim `claim`'s message at `stap`.
pub fn bericht_id(claim: u64, stap: Stap) -> String {
    format!("{BERICHT}{claim:08}-{}", stap as u8)
}

/// Claim and stap of a BerichtId made by [`bericht_id`].
pub fn uit_bericht_id(id: &str) -> Option<(u64, Stap)> {
    let rest = id.strip_prefix(BERICHT)?;
    let (claim, stap) = rest.split_once('-')?;
    if claim.len() != 8 || stap.len() != 1 {
        return None;
    }
    Some((claim.parse().ok()?, Stap::van_nummer(stap.parse().ok()?)?))
}

/// The claim a `SchadenummerVerhaler` of this model belongs to.
pub fn claim_van_schadenummer(s: &str) -> Option<u64> {
    let n = s.strip_prefix(SCHADENUMMER_V)?;
    (n.len() == 8 && n.bytes().all(|b| b.is_ascii_digit()))
        .then(|| n.parse().ok())
        .flatten()
}

/// Plate number `n` in sidecode 1 (`XX-99-99`): distinct for every `n` below
/// 6,760,000 and always a valid Dutch plate (reference/kenteken.md).
pub fn kenteken(n: u64) -> String {
    let letters = n / 10_000;
    let cijfers = n % 10_000;
    let l1 = (b'A' + ((letters / 26) % 26) as u8) as char;
    let l2 = (b'A' + (letters % 26) as u8) as char;
    format!("{l1}{l2}-{:02}-{:02}", cijfers / 100, cijfers % 100)
}

/// splitmix64: a small seeded generator, so amounts and dates vary per claim
/// but a run is the same for the same seed.
fn meng(seed: u64, claim: u64, wat: u64) -> u64 {
    let mut z = seed
        .wrapping_add(claim.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(wat.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The model: the participants and the seed.
#[derive(Debug, Clone)]
pub struct Model {
    deelnemers: Vec<Deelnemercode>,
    seed: u64,
}

impl Model {
    pub fn new(deelnemers: Vec<Deelnemercode>, seed: u64) -> Result<Model, GesprekFout> {
        if deelnemers.len() < 2 {
            return Err(GesprekFout::TeWeinigDeelnemers);
        }
        Ok(Model { deelnemers, seed })
    }

    pub fn deelnemers(&self) -> &[Deelnemercode] {
        &self.deelnemers
    }

    /// V and A of claim `claim`: V round-robin; A at an offset from V that
    /// moves on every round, so pairs vary and A is never V.
    pub fn partijen(&self, claim: u64) -> (&Deelnemercode, &Deelnemercode) {
        let n = self.deelnemers.len() as u64;
        let v = claim % n;
        let a = (v + 1 + (claim / n) % (n - 1)) % n;
        (&self.deelnemers[v as usize], &self.deelnemers[a as usize])
    }

    /// The first message of claim `claim`: V's `Aanmelding`.
    pub fn start(&self, claim: u64, nu: DateTime<FixedOffset>) -> Result<Verzending, GesprekFout> {
        if claim >= MAX_CLAIMS {
            return Err(GesprekFout::TeVeelClaims { claim });
        }
        self.aanmelding(claim, nu)
    }

    /// What the recipient of `kern` sends next. Messages about claims this
    /// model did not make, and messages that need no answer, give nothing.
    pub fn reageer(&self, kern: &Kern, nu: DateTime<FixedOffset>) -> Result<Reactie, GesprekFout> {
        let Some(claim) = kern
            .schadenummer_verhaler
            .as_deref()
            .and_then(claim_van_schadenummer)
        else {
            return Ok(Reactie::default());
        };
        let (v, a) = self.partijen(claim);
        let aan_v = kern.ontvanger == v.as_str();
        let aan_a = kern.ontvanger == a.as_str();
        let bevestigt = kern
            .bevestigd
            .as_deref()
            .and_then(uit_bericht_id)
            .filter(|(c, _)| *c == claim)
            .map(|(_, s)| s);
        let (verwacht, bericht) = match (kern.soort.as_str(), aan_v, aan_a, bevestigt) {
            ("Aanmelding", _, true, _) => (
                "Reageren op aansprakelijkheid",
                Some(self.akkoord(claim, nu)?),
            ),
            ("Overeenstemming", true, _, _) => (
                "Overeenstemming bereikt",
                Some(self.schadespecificatie(claim, nu)?),
            ),
            ("Ontvangstbevestiging", true, _, Some(Stap::Schadespecificatie)) => (
                "Overeenstemming bereikt",
                Some(self.betaalverzoek(claim, nu)?),
            ),
            ("Eindafrekening", _, true, _) => {
                let ontbreekt = |veld| GesprekFout::Ontbreekt {
                    claim,
                    soort: kern.soort.clone(),
                    ontvanger: kern.ontvanger.clone(),
                    veld,
                };
                let claim_id = kern
                    .claim_id
                    .as_deref()
                    .ok_or_else(|| ontbreekt("ClaimId"))?;
                let kenmerk = kern
                    .betaalkenmerk
                    .as_deref()
                    .ok_or_else(|| ontbreekt("Betaalkenmerk"))?;
                let datum = kern
                    .datum
                    .as_deref()
                    .and_then(|d| bericht::datum::parse(d).ok())
                    .ok_or_else(|| ontbreekt("Datum"))?;
                (
                    "Eindafrekening ontvangen",
                    Some(self.betaalbevestiging(claim, claim_id, kenmerk, datum, nu)?),
                )
            }
            ("Betaalbevestiging", true, _, _) => {
                ("Dossier afgerond", Some(self.archivering(claim, nu)?))
            }
            ("Ontvangstbevestiging", true, _, Some(Stap::Archivering)) => {
                ("Dossier gearchiveerd", None)
            }
            _ => return Ok(Reactie::default()),
        };
        let status = kern.status.as_deref().unwrap_or("");
        if status != verwacht {
            return Err(GesprekFout::Onverwacht {
                claim,
                soort: kern.soort.clone(),
                ontvanger: kern.ontvanger.clone(),
                status: status.to_owned(),
                verwacht,
            });
        }
        Ok(match bericht {
            Some(b) => Reactie {
                sturen: vec![b],
                klaar: None,
            },
            None => Reactie {
                sturen: Vec::new(),
                klaar: Some(claim),
            },
        })
    }

    /// All six messages of claim `claim`, as they are sent when the hub gave
    /// it ClaimId `CL-<claim + 1>` (claims started in order on an empty hub)
    /// and settled on the day of `nu`: the bytes the raw-broker phase sends.
    pub fn gesprek(
        &self,
        claim: u64,
        nu: DateTime<FixedOffset>,
    ) -> Result<Vec<Verzending>, GesprekFout> {
        let volgnummer =
            u32::try_from(claim + 1).map_err(|_| GesprekFout::TeVeelClaims { claim })?;
        let claim_id = ClaimId::van_volgnummer(volgnummer);
        let kenmerk = Betaalkenmerk::new_voor(&claim_id, 1);
        Ok(vec![
            self.start(claim, nu)?,
            self.akkoord(claim, nu)?,
            self.schadespecificatie(claim, nu)?,
            self.betaalverzoek(claim, nu)?,
            self.betaalbevestiging(
                claim,
                claim_id.as_str(),
                kenmerk.as_str(),
                nu.date_naive(),
                nu,
            )?,
            self.archivering(claim, nu)?,
        ])
    }

    fn kop(
        &self,
        claim: u64,
        stap: Stap,
        afzender: &Deelnemercode,
        nu: DateTime<FixedOffset>,
        claim_blok: Option<ClaimBlok>,
        in_antwoord_op: Option<BerichtId>,
    ) -> Result<Kop, GesprekFout> {
        Ok(Kop {
            bericht_id: BerichtId::new(bericht_id(claim, stap))?,
            afzender: afzender.clone(),
            ontvanger: Deelnemercode::hub(),
            namens: None,
            tijdstip: nu,
            claim: claim_blok,
            in_antwoord_op,
        })
    }

    fn verzend(
        &self,
        claim: u64,
        stap: Stap,
        afzender: &Deelnemercode,
        kop: Kop,
        inhoud: bericht::Inhoud,
    ) -> Result<Verzending, GesprekFout> {
        let bericht_id = kop.bericht_id.clone();
        let xml = bericht::xml::schrijf(&Bericht::new(kop, inhoud))?;
        Ok(Verzending {
            claim,
            stap,
            afzender: afzender.clone(),
            bericht_id,
            xml,
        })
    }

    /// V's natural key: the claim block of V's and A's messages (fixtures 01, 22).
    fn sleutel(&self, claim: u64) -> Result<ClaimBlok, GesprekFout> {
        let (v, _) = self.partijen(claim);
        Ok(ClaimBlok::Sleutel {
            verhaler: v.clone(),
            schadenummer_verhaler: Schadenummer::new(format!("{SCHADENUMMER_V}{claim:08}"))?,
        })
    }

    /// A damage date between 2025-06-01 and 2025-12-17, never after the day of `nu`.
    fn schadedatum(&self, claim: u64, nu: DateTime<FixedOffset>) -> NaiveDate {
        let basis = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default();
        let dag = basis
            .checked_add_days(Days::new(meng(self.seed, claim, 1) % 200))
            .unwrap_or(basis);
        let gisteren = nu
            .date_naive()
            .checked_sub_days(Days::new(1))
            .unwrap_or(dag);
        dag.min(gisteren)
    }

    fn aanmelding(&self, claim: u64, nu: DateTime<FixedOffset>) -> Result<Verzending, GesprekFout> {
        let (v, a) = self.partijen(claim);
        let kop = self.kop(claim, Stap::Aanmelding, v, nu, None, None)?;
        let met_bestuurder = meng(self.seed, claim, 2).is_multiple_of(2);
        let aanmelding = Aanmelding {
            voorval: Voorval {
                schadedatum: self.schadedatum(claim, nu),
                locatie: Some(KorteTekst::new(format!("Loadgen, kruispunt {claim}"))?),
                schadeformulier: Schadeformulier::BeidePartijenOndertekend,
                documenten_aanwezig: Some(Documenten {
                    document: vec![Document::Schadeformulier, Document::Fotos],
                }),
            },
            verhalende_partij: VerhalendePartij {
                kenteken: KentekenInvoer::new(kenteken(2 * claim))?,
                schadenummer: Schadenummer::new(format!("{SCHADENUMMER_V}{claim:08}"))?,
                polisnummer: Some(Polisnummer::new(format!("PV-{claim:08}"))?),
                dekking: Dekking::Casco,
            },
            aansprakelijke_partij: AansprakelijkePartij {
                deelnemer: a.clone(),
                kenteken: KentekenInvoer::new(kenteken(2 * claim + 1))?,
                polisnummer: Some(Polisnummer::new(format!("PA-{claim:08}"))?),
                bestuurder: if met_bestuurder {
                    Some(Bestuurder {
                        voorletters: KorteTekst::new("J.")?,
                        voorvoegsels: Some(KorteTekst::new("van der")?),
                        achternaam: KorteTekst::new("Berg")?,
                        telefoon: Some(Telefoon::new("+31612345678")?),
                    })
                } else {
                    None
                },
            },
            aansprakelijkstelling: Some(Aansprakelijkstelling {
                toedracht: Toedracht {
                    code: Toedrachtcode::KopStaart,
                    omschrijving: None,
                },
                ovs_code: OvsCode::Een,
                verhaalpercentage: Verhaalpercentage::Honderd,
                schadespecificatie: None,
                betaalbaar_stellen: None,
            }),
        };
        self.verzend(
            claim,
            Stap::Aanmelding,
            v,
            kop,
            bericht::Inhoud::Aanmelding(aanmelding),
        )
    }

    fn akkoord(&self, claim: u64, nu: DateTime<FixedOffset>) -> Result<Verzending, GesprekFout> {
        let (_, a) = self.partijen(claim);
        let kop = self.kop(
            claim,
            Stap::Akkoord,
            a,
            nu,
            Some(self.sleutel(claim)?),
            Some(BerichtId::new(bericht_id(claim, Stap::Aanmelding))?),
        )?;
        let reactie = ReactieAansprakelijkheid {
            keuze: ReactieA::Akkoord(AkkoordA {
                ovs_code: Some(OvsCode::Een),
                schadenummer: Some(Schadenummer::new(format!("{SCHADENUMMER_A}{claim:08}"))?),
            }),
        };
        self.verzend(
            claim,
            Stap::Akkoord,
            a,
            kop,
            bericht::Inhoud::ReactieAansprakelijkheid(reactie),
        )
    }

    /// Vehicle damage 500.00–10,499.99, car hire (two claims in three)
    /// 80.00–749.99 (under its cap of 750.00), expertise 100.00–299.99.
    fn schadespecificatie(
        &self,
        claim: u64,
        nu: DateTime<FixedOffset>,
    ) -> Result<Verzending, GesprekFout> {
        let (v, _) = self.partijen(claim);
        let kop = self.kop(
            claim,
            Stap::Schadespecificatie,
            v,
            nu,
            Some(self.sleutel(claim)?),
            None,
        )?;
        let centen = |wat: u64, van: u64, bereik: u64| -> Result<Bedrag, OngeldigeWaarde> {
            let c = van + meng(self.seed, claim, wat) % bereik;
            Bedrag::new(Decimal::new(c as i64, 2))
        };
        let mut component = vec![Component {
            code: Schadecomponent::Voertuigschade,
            bedrag: centen(3, 50_000, 1_000_000)?,
            omschrijving: Some(KorteTekst::new("Herstel volgens expertiserapport")?),
        }];
        if !meng(self.seed, claim, 4).is_multiple_of(3) {
            component.push(Component {
                code: Schadecomponent::Autohuur,
                bedrag: centen(5, 8_000, 67_000)?,
                omschrijving: None,
            });
        }
        component.push(Component {
            code: Schadecomponent::Expertisekosten,
            bedrag: centen(6, 10_000, 20_000)?,
            omschrijving: None,
        });
        let specificatie = Schadespecificatie {
            component,
            betaalbaar_stellen: Some(false),
        };
        self.verzend(
            claim,
            Stap::Schadespecificatie,
            v,
            kop,
            bericht::Inhoud::Schadespecificatie(specificatie),
        )
    }

    fn betaalverzoek(
        &self,
        claim: u64,
        nu: DateTime<FixedOffset>,
    ) -> Result<Verzending, GesprekFout> {
        let (v, _) = self.partijen(claim);
        let kop = self.kop(
            claim,
            Stap::Betaalverzoek,
            v,
            nu,
            Some(self.sleutel(claim)?),
            None,
        )?;
        self.verzend(
            claim,
            Stap::Betaalverzoek,
            v,
            kop,
            bericht::Inhoud::Betaalverzoek(Leeg {}),
        )
    }

    /// A pays on the settlement's own date (never before it: F08).
    fn betaalbevestiging(
        &self,
        claim: u64,
        claim_id: &str,
        kenmerk: &str,
        datum: NaiveDate,
        nu: DateTime<FixedOffset>,
    ) -> Result<Verzending, GesprekFout> {
        let (_, a) = self.partijen(claim);
        let kop = self.kop(
            claim,
            Stap::Betaalbevestiging,
            a,
            nu,
            Some(ClaimBlok::Id(ClaimId::new(claim_id)?)),
            None,
        )?;
        let betaling = Betaalbevestiging {
            betaalkenmerk: Betaalkenmerk::new(kenmerk)?,
            betaaldatum: datum,
        };
        self.verzend(
            claim,
            Stap::Betaalbevestiging,
            a,
            kop,
            bericht::Inhoud::Betaalbevestiging(betaling),
        )
    }

    fn archivering(
        &self,
        claim: u64,
        nu: DateTime<FixedOffset>,
    ) -> Result<Verzending, GesprekFout> {
        let (v, _) = self.partijen(claim);
        let kop = self.kop(
            claim,
            Stap::Archivering,
            v,
            nu,
            Some(self.sleutel(claim)?),
            None,
        )?;
        self.verzend(
            claim,
            Stap::Archivering,
            v,
            kop,
            bericht::Inhoud::Archivering(Leeg {}),
        )
    }
}

/// What a participant reads from an outbound message: the envelope, the body's
/// name and the few body fields the load path reacts to or counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kern {
    /// The hub's BerichtId (`CR-HUB-…`): duplicates are recognised by it.
    pub bericht_id: String,
    pub ontvanger: String,
    pub namens: Option<String>,
    pub in_antwoord_op: Option<String>,
    pub claim_id: Option<String>,
    pub schadenummer_verhaler: Option<String>,
    /// The recipient's status.
    pub status: Option<String>,
    /// The body element's name.
    pub soort: String,
    /// `Ontvangstbevestiging`/`Foutbericht`: the BerichtId accepted or refused.
    pub bevestigd: Option<String>,
    /// `Eindafrekening`/`Betaalbevestiging`: the betaalkenmerk.
    pub betaalkenmerk: Option<String>,
    /// `Eindafrekening`: the settlement date.
    pub datum: Option<String>,
    /// `Foutbericht`: every `Fout/Code`.
    pub foutcodes: Vec<String>,
}

/// The elements [`Kern::lees`] looks at; everything else is `Ander`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Naam {
    Kop,
    BerichtId,
    Ontvanger,
    Namens,
    InAntwoordOp,
    Claim,
    ClaimId,
    SchadenummerVerhaler,
    Status,
    Fout,
    Code,
    Betaalkenmerk,
    Datum,
    Ander,
}

impl Naam {
    fn van(lokaal: &str) -> Naam {
        match lokaal {
            "Kop" => Naam::Kop,
            "BerichtId" => Naam::BerichtId,
            "Ontvanger" => Naam::Ontvanger,
            "Namens" => Naam::Namens,
            "InAntwoordOp" => Naam::InAntwoordOp,
            "Claim" => Naam::Claim,
            "ClaimId" => Naam::ClaimId,
            "SchadenummerVerhaler" => Naam::SchadenummerVerhaler,
            "Status" => Naam::Status,
            "Fout" => Naam::Fout,
            "Code" => Naam::Code,
            "Betaalkenmerk" => Naam::Betaalkenmerk,
            "Datum" => Naam::Datum,
            _ => Naam::Ander,
        }
    }
}

/// Which field of [`Kern`] the text at the current path fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Veld {
    BerichtId,
    Ontvanger,
    Namens,
    InAntwoordOp,
    ClaimId,
    SchadenummerVerhaler,
    Status,
    Bevestigd,
    Betaalkenmerk,
    Datum,
    Foutcode,
}

impl Kern {
    /// Reads an outbound message (one pass over the tokens, no schema: the
    /// hub's output is valid by construction and checked by its own tests).
    pub fn lees(xml: &str) -> Result<Kern, GesprekFout> {
        let mut lezer = quick_xml::Reader::from_str(xml);
        let mut kern = Kern::default();
        // Path below the root: [Kop, Claim, Status] or [body, Fout, Code].
        let mut pad: Vec<Naam> = Vec::with_capacity(8);
        let mut diepte = 0usize;
        let mut veld: Option<Veld> = None;
        let mut tekst = String::new();
        loop {
            let event = lezer
                .read_event()
                .map_err(|e| GesprekFout::Lezen(e.to_string()))?;
            match event {
                Event::Start(e) => {
                    diepte += 1;
                    if diepte == 2 {
                        let naam = e.local_name();
                        if naam.as_ref() != "Kop" {
                            kern.soort = naam.as_ref().to_owned();
                        }
                    }
                    if diepte >= 2 {
                        pad.push(Naam::van(e.local_name().as_ref()));
                    }
                    veld = Kern::veld(&pad, &kern.soort);
                    tekst.clear();
                }
                // An empty body (`<Betaalverzoek/>`) still names the message.
                Event::Empty(e) if diepte == 1 => {
                    kern.soort = e.local_name().as_ref().to_owned();
                }
                Event::Text(t) if veld.is_some() => tekst.push_str(&t),
                Event::GeneralRef(r) if veld.is_some() => tekst.push_str(match &*r {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                }),
                Event::End(_) => {
                    if let Some(v) = veld.take() {
                        kern.vul(v, tekst.trim());
                    }
                    tekst.clear();
                    pad.pop();
                    diepte = diepte.saturating_sub(1);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if kern.bericht_id.is_empty() || kern.soort.is_empty() {
            return Err(GesprekFout::Lezen(
                "no Kop/BerichtId or no body element".into(),
            ));
        }
        Ok(kern)
    }

    fn veld(pad: &[Naam], soort: &str) -> Option<Veld> {
        use Naam as N;
        Some(match pad {
            [N::Kop, N::BerichtId] => Veld::BerichtId,
            [N::Kop, N::Ontvanger] => Veld::Ontvanger,
            [N::Kop, N::Namens] => Veld::Namens,
            [N::Kop, N::InAntwoordOp] => Veld::InAntwoordOp,
            [N::Kop, N::Claim, N::ClaimId] => Veld::ClaimId,
            [N::Kop, N::Claim, N::SchadenummerVerhaler] => Veld::SchadenummerVerhaler,
            [N::Kop, N::Claim, N::Status] => Veld::Status,
            [_, N::BerichtId] if matches!(soort, "Ontvangstbevestiging" | "Foutbericht") => {
                Veld::Bevestigd
            }
            [_, N::Betaalkenmerk] => Veld::Betaalkenmerk,
            [_, N::Datum] if soort == "Eindafrekening" => Veld::Datum,
            [_, N::Fout, N::Code] if soort == "Foutbericht" => Veld::Foutcode,
            _ => return None,
        })
    }

    fn vul(&mut self, veld: Veld, tekst: &str) {
        let waarde = || Some(tekst.to_owned());
        match veld {
            Veld::BerichtId => self.bericht_id = tekst.to_owned(),
            Veld::Ontvanger => self.ontvanger = tekst.to_owned(),
            Veld::Namens => self.namens = waarde(),
            Veld::InAntwoordOp => self.in_antwoord_op = waarde(),
            Veld::ClaimId => self.claim_id = waarde(),
            Veld::SchadenummerVerhaler => self.schadenummer_verhaler = waarde(),
            Veld::Status => self.status = waarde(),
            Veld::Bevestigd => self.bevestigd = waarde(),
            Veld::Betaalkenmerk => self.betaalkenmerk = waarde(),
            Veld::Datum => self.datum = waarde(),
            Veld::Foutcode => self.foutcodes.push(tekst.to_owned()),
        }
    }

    /// The same fields from a fully typed message: how the test proves
    /// [`Kern::lees`] reads what the typed reader reads.
    pub fn van_bericht(b: &Bericht) -> Kern {
        use bericht::Inhoud as I;
        let tekst = |s: &dyn std::fmt::Display| s.to_string();
        let (claim_id, schadenummer_verhaler, status) = match &b.kop.claim {
            Some(ClaimBlok::Volledig(o)) => (
                Some(tekst(&o.claim_id)),
                o.schadenummer_verhaler.as_ref().map(|s| tekst(s)),
                Some(tekst(&o.status)),
            ),
            Some(ClaimBlok::Id(id)) => (Some(tekst(id)), None, None),
            Some(ClaimBlok::Sleutel {
                schadenummer_verhaler,
                ..
            }) => (None, Some(tekst(schadenummer_verhaler)), None),
            None => (None, None, None),
        };
        let mut kern = Kern {
            bericht_id: tekst(&b.kop.bericht_id),
            ontvanger: tekst(&b.kop.ontvanger),
            namens: b.kop.namens.as_ref().map(|n| tekst(n)),
            in_antwoord_op: b.kop.in_antwoord_op.as_ref().map(|n| tekst(n)),
            claim_id,
            schadenummer_verhaler,
            status,
            soort: b.inhoud.naam().to_owned(),
            ..Kern::default()
        };
        match &b.inhoud {
            I::Ontvangstbevestiging(o) => kern.bevestigd = Some(tekst(&o.bericht_id)),
            I::Foutbericht(f) => {
                kern.bevestigd = f.bericht_id.as_ref().map(|i| tekst(i));
                kern.foutcodes = f.fout.iter().map(|f| tekst(&f.code)).collect();
            }
            I::Eindafrekening(e) => {
                kern.betaalkenmerk = Some(tekst(&e.betaalkenmerk));
                kern.datum = Some(e.datum.format("%Y-%m-%d").to_string());
            }
            I::Betaalbevestiging(p) => kern.betaalkenmerk = Some(tekst(&p.betaalkenmerk)),
            _ => {}
        }
        kern
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearinghuis::engine::kenteken::Kenteken;

    fn nu() -> DateTime<FixedOffset> {
        bericht::tijdstip::parse("2026-11-20T09:00:00+01:00").expect("time")
    }

    fn model(n: usize) -> Model {
        let codes = crate::deelnemers::codes(n, 70_000_001).expect("codes");
        Model::new(codes, 7).expect("model")
    }

    #[test]
    fn kentekens_zijn_geldig_en_verschillend() {
        let mut gezien = std::collections::HashSet::new();
        let mut nummers: std::collections::BTreeSet<u64> =
            (0..2 * MAX_CLAIMS).step_by(997).collect();
        nummers.extend([1, 9_999, 10_000, 259_999, 260_000, 2 * MAX_CLAIMS - 1]);
        for n in nummers {
            let k = kenteken(n);
            let norm = Kenteken::normaliseer(&k).unwrap_or_else(|| panic!("{k} invalid"));
            assert_eq!(norm.sidecode(), 1, "{k}");
            assert!(gezien.insert(norm), "{k} twice");
        }
        // Injective by construction: the plate spells n in base 26·26·10⁴.
        assert_eq!(kenteken(0), "AA-00-00");
        assert_eq!(kenteken(10_000), "AB-00-00");
        assert_eq!(kenteken(2 * MAX_CLAIMS - 1), "ZZ-99-99");
    }

    #[test]
    fn partijen_rondom_en_nooit_dezelfde() {
        let m = model(5);
        let mut als_v = [0u32; 5];
        let mut als_a = [0u32; 5];
        let mut paren = std::collections::HashSet::new();
        for claim in 0..100 {
            let (v, a) = m.partijen(claim);
            assert_ne!(v, a);
            let iv = m.deelnemers().iter().position(|d| d == v).expect("v");
            let ia = m.deelnemers().iter().position(|d| d == a).expect("a");
            als_v[iv] += 1;
            als_a[ia] += 1;
            paren.insert((iv, ia));
        }
        assert!(als_v.iter().all(|n| *n == 20), "{als_v:?}");
        assert!(als_a.iter().all(|n| *n > 0), "{als_a:?}");
        assert_eq!(paren.len(), 20, "every ordered pair occurs");
    }

    #[test]
    fn berichtids_en_schadenummers_terug_te_lezen() {
        assert_eq!(bericht_id(1_999_999, Stap::Archivering), "LG-01999999-6");
        assert_eq!(
            uit_bericht_id("LG-01999999-6"),
            Some((1_999_999, Stap::Archivering))
        );
        assert_eq!(uit_bericht_id("LG-01999999-7"), None);
        assert_eq!(uit_bericht_id("VS-2026-1"), None);
        assert_eq!(claim_van_schadenummer("LGV-00000042"), Some(42));
        assert_eq!(claim_van_schadenummer("LGA-00000042"), None);
    }

    #[test]
    fn gesprek_heeft_zes_berichten_van_de_juiste_afzenders() {
        let m = model(3);
        let g = m.gesprek(4, nu()).expect("conversation");
        assert_eq!(g.len(), BERICHTEN_PER_CLAIM);
        let (v, a) = m.partijen(4);
        let afzenders: Vec<_> = g.iter().map(|b| &b.afzender).collect();
        assert_eq!(afzenders, [v, a, v, v, a, v]);
        for b in &g {
            let terug = bericht::xml::lees(&b.xml).expect("reads back");
            assert_eq!(terug.kop.bericht_id, b.bericht_id);
        }
        assert!(
            g[4].xml
                .contains("<Betaalkenmerk>CL-00000005-1</Betaalkenmerk>")
        );
    }

    #[test]
    fn te_veel_claims() {
        assert!(matches!(
            model(2).start(MAX_CLAIMS, nu()),
            Err(GesprekFout::TeVeelClaims { .. })
        ));
    }

    #[test]
    fn kern_van_een_ontvangstbevestiging() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Bericht xmlns="urn:clearinghuis-regres:berichten:1" versie="1">
  <Kop>
    <BerichtId>CR-HUB-0000000003</BerichtId>
    <Afzender>CR-HUB</Afzender>
    <Ontvanger>CR-70000001</Ontvanger>
    <Tijdstip>2026-03-03T09:15:00+01:00</Tijdstip>
    <Claim>
      <ClaimId>CL-00000001</ClaimId>
      <OngevalId>OG-00000001</OngevalId>
      <Verhaler>CR-70000001</Verhaler>
      <SchadenummerVerhaler>LGV-00000000</SchadenummerVerhaler>
      <Aansprakelijke>CR-70000002</Aansprakelijke>
      <Status>Betaling(en) ontvangen</Status>
      <Werkmap>WachtOp</Werkmap>
    </Claim>
    <InAntwoordOp>LG-00000000-1</InAntwoordOp>
  </Kop>
  <Ontvangstbevestiging>
    <BerichtId>LG-00000000-1</BerichtId>
  </Ontvangstbevestiging>
</Bericht>
"#;
        let k = Kern::lees(xml).expect("reads");
        assert_eq!(
            k,
            Kern::van_bericht(&bericht::xml::lees(xml).expect("typed"))
        );
        assert_eq!(k.soort, "Ontvangstbevestiging");
        assert_eq!(k.bevestigd.as_deref(), Some("LG-00000000-1"));
        assert_eq!(k.status.as_deref(), Some("Betaling(en) ontvangen"));
    }
}
