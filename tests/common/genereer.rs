//! proptest generators for every message of the catalogue, producing only
//! values the typed constructors accept (so every one must write as valid XML).

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use rust_decimal::Decimal;

use clearinghuis::bericht::*;

pub fn code<C: Codelijst + std::fmt::Debug>() -> impl Strategy<Value = C> {
    select(C::ALLE)
}

pub fn bericht_id() -> impl Strategy<Value = BerichtId> {
    "[A-Za-z0-9._:-]{1,64}".prop_map(|s| BerichtId::new(s).expect("pattern"))
}

pub fn deelnemer() -> impl Strategy<Value = Deelnemercode> {
    "CR-[0-9]{8}".prop_map(|s| Deelnemercode::new(s).expect("pattern"))
}

pub fn claim_id() -> impl Strategy<Value = ClaimId> {
    (1u32..99_999_999).prop_map(ClaimId::van_volgnummer)
}

pub fn ongeval_id() -> impl Strategy<Value = OngevalId> {
    (1u32..99_999_999).prop_map(OngevalId::van_volgnummer)
}

pub fn schadenummer() -> impl Strategy<Value = Schadenummer> {
    "[A-Za-z0-9/#é_-]{1,64}".prop_map(|s| Schadenummer::new(s).expect("pattern"))
}

pub fn polisnummer() -> impl Strategy<Value = Polisnummer> {
    "[A-Z0-9-]{1,20}".prop_map(|s| Polisnummer::new(s).expect("pattern"))
}

pub fn kenteken() -> impl Strategy<Value = KentekenInvoer> {
    "[A-Za-z0-9 -]{1,16}".prop_map(|s| KentekenInvoer::new(s).expect("pattern"))
}

/// Text with markup characters, non-ASCII and inner newlines; never only spaces, no CR.
pub fn tekst<const MAX: usize>() -> impl Strategy<Value = Tekst<MAX>> {
    let lengte = MAX.min(80);
    proptest::string::string_regex(&format!(
        "[A-Za-z0-9 <>&'\"éü€\\n.,;:()-]{{0,{}}}[A-Za-z<&€]",
        lengte - 1
    ))
    .expect("regex")
    .prop_map(|s| Tekst::new(s).expect("generated text fits"))
}

pub fn datum() -> impl Strategy<Value = NaiveDate> {
    (1990i32..2100, 1u32..=12, 1u32..=28)
        .prop_map(|(j, m, d)| NaiveDate::from_ymd_opt(j, m, d).expect("valid date"))
}

pub fn tijdstip() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (
        datum(),
        0u32..24,
        0u32..60,
        0u32..60,
        prop_oneof![Just(0u32), 1u32..1_000_000_000],
        -56i32..=56,
    )
        .prop_map(|(d, h, m, s, nano, kwartier)| {
            let offset = FixedOffset::east_opt(kwartier * 15 * 60).expect("offset");
            let naief = d.and_hms_nano_opt(h, m, s, nano).expect("time");
            offset
                .from_local_datetime(&naief)
                .single()
                .expect("fixed offsets are unambiguous")
        })
}

pub fn bedrag() -> impl Strategy<Value = Bedrag> {
    prop_oneof![
        (0i64..100_000_000).prop_map(|c| Decimal::new(c, 2)),
        (0i64..99_999_999_999_999).prop_map(|c| Decimal::new(c, 2)),
        (0i64..1000).prop_map(|e| Decimal::new(e, 0)),
        (0i64..10_000).prop_map(|e| Decimal::new(e, 1)),
    ]
    .prop_map(|d| Bedrag::new(d).expect("in range"))
}

pub fn rekenbedrag() -> impl Strategy<Value = Rekenbedrag> {
    (0i64..1_000_000_000_000_000, 0u32..=10).prop_map(|(m, s)| {
        let d = Decimal::new(m, s).min(Decimal::new(999_999_999_999, 0));
        Rekenbedrag::new(d).expect("in range")
    })
}

pub fn rentepercentage() -> impl Strategy<Value = Rentepercentage> {
    (0i64..1_000_000, 0u32..=4).prop_map(|(m, s)| {
        Rentepercentage::new(Decimal::new(m, s).min(Decimal::new(999, 0))).expect("in range")
    })
}

pub fn bestuurder() -> impl Strategy<Value = Bestuurder> {
    (
        tekst(),
        option::of(tekst()),
        tekst(),
        option::of("\\+?[0-9][0-9 -]{2,19}"),
    )
        .prop_map(|(voorletters, voorvoegsels, achternaam, tel)| Bestuurder {
            voorletters,
            voorvoegsels,
            achternaam,
            telefoon: tel.map(|t| Telefoon::new(t).expect("pattern")),
        })
}

/// 1 to `max` components with distinct codes.
pub fn componenten(min: usize, max: usize) -> impl Strategy<Value = Vec<Component>> {
    proptest::sample::subsequence(Schadecomponent::ALLE.to_vec(), min..=max)
        .prop_flat_map(|codes| {
            let n = codes.len();
            (Just(codes), vec((bedrag(), option::of(tekst())), n))
        })
        .prop_map(|(codes, waarden)| {
            codes
                .into_iter()
                .zip(waarden)
                .map(|(code, (bedrag, omschrijving))| Component {
                    code,
                    bedrag,
                    omschrijving,
                })
                .collect()
        })
}

pub fn documenten(min: usize) -> impl Strategy<Value = Documenten> {
    proptest::sample::subsequence(Document::ALLE.to_vec(), min..=5)
        .prop_map(|document| Documenten { document })
}

pub fn aansprakelijkstelling() -> impl Strategy<Value = Aansprakelijkstelling> {
    (
        code(),
        option::of(tekst()),
        code(),
        code(),
        option::of(componenten(1, 8)),
        option::of(any::<bool>()),
    )
        .prop_map(
            |(c, omschrijving, ovs_code, verhaalpercentage, spec, betaalbaar_stellen)| {
                Aansprakelijkstelling {
                    toedracht: Toedracht {
                        code: c,
                        omschrijving,
                    },
                    ovs_code,
                    verhaalpercentage,
                    schadespecificatie: spec.map(|component| Componenten { component }),
                    betaalbaar_stellen,
                }
            },
        )
}

pub fn aanmelding() -> impl Strategy<Value = Aanmelding> {
    (
        (
            datum(),
            option::of(tekst()),
            code(),
            option::of(documenten(1)),
        ),
        (
            kenteken(),
            schadenummer(),
            option::of(polisnummer()),
            code(),
        ),
        (
            deelnemer(),
            kenteken(),
            option::of(polisnummer()),
            option::of(bestuurder()),
        ),
        option::of(aansprakelijkstelling()),
    )
        .prop_map(
            |(
                (schadedatum, locatie, schadeformulier, documenten_aanwezig),
                v,
                a,
                aansprakelijkstelling,
            )| Aanmelding {
                voorval: Voorval {
                    schadedatum,
                    locatie,
                    schadeformulier,
                    documenten_aanwezig,
                },
                verhalende_partij: VerhalendePartij {
                    kenteken: v.0,
                    schadenummer: v.1,
                    polisnummer: v.2,
                    dekking: v.3,
                },
                aansprakelijke_partij: AansprakelijkePartij {
                    deelnemer: a.0,
                    kenteken: a.1,
                    polisnummer: a.2,
                    bestuurder: a.3,
                },
                aansprakelijkstelling,
            },
        )
}

pub fn standpunten() -> impl Strategy<Value = Standpunten> {
    vec(
        (
            deelnemer(),
            code(),
            option::of(code()),
            option::of(code()),
            option::of(tekst()),
            tijdstip(),
        ),
        1..=4,
    )
    .prop_map(|v| Standpunten {
        standpunt: v
            .into_iter()
            .enumerate()
            .map(
                |(i, (partij, soort, ovs_code, verhaalpercentage, toelichting, tijdstip))| {
                    Standpunt {
                        volgnummer: u32::try_from(i + 1).expect("small"),
                        partij,
                        soort,
                        ovs_code,
                        verhaalpercentage,
                        toelichting,
                        tijdstip,
                    }
                },
            )
            .collect(),
    })
}

pub fn eindafrekening() -> impl Strategy<Value = Eindafrekening> {
    (
        (code(), datum(), componenten(1, 8), code()),
        (
            bedrag(),
            bedrag(),
            vec(
                (
                    datum(),
                    datum(),
                    0u32..400,
                    rentepercentage(),
                    rekenbedrag(),
                    rekenbedrag(),
                ),
                0..4,
            ),
        ),
        (
            bedrag(),
            bedrag(),
            "[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}",
            tekst(),
            claim_id(),
            1u32..999_999,
            datum(),
        ),
    )
        .prop_map(
            |(
                (soort, datum, comps, pct),
                (hoofdsom, rente, perioden),
                (bgk, totaal, iban, begunstigde, claim, n, vervaldatum),
            )| Eindafrekening {
                soort,
                datum,
                component: comps
                    .into_iter()
                    .map(|c| Afrekeningcomponent {
                        code: c.code,
                        geclaimd: c.bedrag,
                        verhaalpercentage: pct,
                        te_betalen: c.bedrag,
                    })
                    .collect(),
                hoofdsom,
                wettelijke_rente: WettelijkeRente {
                    bedrag: rente,
                    periode: perioden
                        .into_iter()
                        .map(
                            |(van, tot, dagen, percentage, grondslag, rente)| Renteperiode {
                                van,
                                tot,
                                dagen,
                                percentage,
                                grondslag,
                                rente,
                            },
                        )
                        .collect(),
                },
                bgk,
                totaal,
                iban: Iban::new(iban).expect("pattern"),
                begunstigde,
                betaalkenmerk: Betaalkenmerk::new_voor(&claim, n),
                vervaldatum,
            },
        )
}

pub fn fout() -> impl Strategy<Value = Fout> {
    (
        code(),
        tekst(),
        option::of(tekst()),
        option::of(1u32..1_000_000),
        option::of(1u32..10_000),
    )
        .prop_map(|(code, omschrijving, pad, regel, kolom)| Fout {
            code,
            omschrijving,
            pad,
            regel,
            kolom,
        })
}

pub fn inhoud() -> impl Strategy<Value = Inhoud> {
    prop_oneof![
        aanmelding().prop_map(Inhoud::Aanmelding),
        schadenummer().prop_map(|schadenummer| Inhoud::SchadenummerWijziging(
            SchadenummerWijziging { schadenummer }
        )),
        aansprakelijkstelling().prop_map(Inhoud::Aansprakelijkstelling),
        prop_oneof![
            (option::of(code()), option::of(schadenummer())).prop_map(
                |(ovs_code, schadenummer)| ReactieA::Akkoord(AkkoordA {
                    ovs_code,
                    schadenummer
                })
            ),
            (code(), code(), tekst(), schadenummer()).prop_map(
                |(ovs_code, verhaalpercentage, toelichting, schadenummer)| ReactieA::Tegenvoorstel(
                    Tegenvoorstel {
                        ovs_code,
                        verhaalpercentage,
                        toelichting,
                        schadenummer
                    }
                )
            ),
            tekst().prop_map(|toelichting| ReactieA::Afwijzing(Afwijzing { toelichting })),
        ]
        .prop_map(|keuze| Inhoud::ReactieAansprakelijkheid(ReactieAansprakelijkheid { keuze })),
        prop_oneof![
            Just(ReactieV::Akkoord(Leeg {})),
            (code(), code(), tekst()).prop_map(|(ovs_code, verhaalpercentage, toelichting)| {
                ReactieV::NieuwVoorstel(NieuwVoorstel {
                    ovs_code,
                    verhaalpercentage,
                    toelichting,
                })
            }),
            tekst().prop_map(|toelichting| ReactieV::Afwijzing(Afwijzing { toelichting })),
        ]
        .prop_map(|keuze| Inhoud::ReactieTegenvoorstel(ReactieTegenvoorstel { keuze })),
        (
            documenten(0),
            option::of(proptest::sample::subsequence(Gegeven::ALLE.to_vec(), 1..=2)),
            code(),
            tekst()
        )
            .prop_map(|(documenten, gegeven, reden, toelichting)| {
                Inhoud::InformatieVerzoek(InformatieVerzoek {
                    documenten,
                    aanvullen: gegeven.map(|gegeven| Aanvullen { gegeven }),
                    reden,
                    toelichting,
                })
            }),
        (
            vec(
                (
                    "[A-Za-z0-9_][A-Za-z0-9 ._-]{0,30}",
                    "(image|application)/[a-z0-9.+-]{1,10}",
                    "([A-Za-z0-9+/]{4}){0,20}"
                ),
                0..3
            ),
            option::of((option::of(polisnummer()), option::of(bestuurder()))),
            tekst()
        )
            .prop_map(
                |(bijlagen, aanvulling, toelichting)| Inhoud::InformatieAanlevering(
                    InformatieAanlevering {
                        bijlage: bijlagen
                            .into_iter()
                            .map(|(n, m, b)| Bijlage {
                                bestandsnaam: Bestandsnaam::new(n).expect("pattern"),
                                mime_type: MimeType::new(m).expect("pattern"),
                                inhoud: Base64(b)
                            })
                            .collect(),
                        aanvulling: aanvulling.map(|(polisnummer, bestuurder)| Aanvulling {
                            polisnummer,
                            bestuurder
                        }),
                        toelichting
                    }
                )
            ),
        (componenten(1, 8), option::of(any::<bool>())).prop_map(
            |(component, betaalbaar_stellen)| Inhoud::Schadespecificatie(Schadespecificatie {
                component,
                betaalbaar_stellen
            })
        ),
        Just(Inhoud::Betaalverzoek(Leeg {})),
        (claim_id(), 1u32..999_999, datum()).prop_map(|(c, n, betaaldatum)| {
            Inhoud::Betaalbevestiging(Betaalbevestiging {
                betaalkenmerk: Betaalkenmerk::new_voor(&c, n),
                betaaldatum,
            })
        }),
        (componenten(0, 8), option::of(tekst())).prop_map(|(component, toelichting)| {
            Inhoud::NagekomenBetaalverzoek(NagekomenBetaalverzoek {
                component,
                toelichting,
            })
        }),
        (code(), option::of(tekst()))
            .prop_map(|(reden, toelichting)| Inhoud::Afmelding(Afmelding { reden, toelichting })),
        Just(Inhoud::Archivering(Leeg {})),
        bericht_id().prop_map(
            |bericht_id| Inhoud::Ontvangstbevestiging(Ontvangstbevestiging { bericht_id })
        ),
        (option::of(bericht_id()), vec(fout(), 1..4))
            .prop_map(|(bericht_id, fout)| Inhoud::Foutbericht(Foutbericht { bericht_id, fout })),
        (code(), code(), datum(), standpunten()).prop_map(
            |(verhaalpercentage, ovs_code, datum, standpunten)| Inhoud::Overeenstemming(
                Overeenstemming {
                    verhaalpercentage,
                    ovs_code,
                    datum,
                    standpunten
                }
            )
        ),
        (standpunten(), code()).prop_map(|(standpunten, reden)| Inhoud::GeenOvereenstemming(
            GeenOvereenstemming { standpunten, reden }
        )),
        eindafrekening().prop_map(Inhoud::Eindafrekening),
        (code(), datum(), 1u32..1000, any::<bool>()).prop_map(
            |(soort, sinds_datum, volgnummer, kopie)| Inhoud::Rappel(Rappel {
                soort,
                sinds_datum,
                volgnummer,
                kopie
            })
        ),
        (code(), tekst()).prop_map(
            |(soort, extra_info)| Inhoud::Systeemmelding(Systeemmelding { soort, extra_info })
        ),
    ]
}

pub fn claim_blok() -> impl Strategy<Value = ClaimBlok> {
    prop_oneof![
        claim_id().prop_map(ClaimBlok::Id),
        (deelnemer(), schadenummer()).prop_map(|(verhaler, schadenummer_verhaler)| {
            ClaimBlok::Sleutel {
                verhaler,
                schadenummer_verhaler,
            }
        }),
        (
            claim_id(),
            ongeval_id(),
            deelnemer(),
            option::of(schadenummer()),
            deelnemer(),
            option::of(schadenummer()),
            code(),
            code()
        )
            .prop_map(
                |(
                    claim_id,
                    ongeval_id,
                    verhaler,
                    schadenummer_verhaler,
                    aansprakelijke,
                    schadenummer_aansprakelijke,
                    status,
                    werkmap,
                )| {
                    ClaimBlok::Volledig(ClaimOverzicht {
                        claim_id,
                        ongeval_id,
                        verhaler,
                        schadenummer_verhaler,
                        aansprakelijke,
                        schadenummer_aansprakelijke,
                        status,
                        werkmap,
                    })
                }
            ),
    ]
}

pub fn kop() -> impl Strategy<Value = Kop> {
    (
        bericht_id(),
        deelnemer(),
        prop_oneof![Just(Deelnemercode::hub()), deelnemer().boxed()],
        option::of(deelnemer()),
        tijdstip(),
        option::of(claim_blok()),
        option::of(bericht_id()),
    )
        .prop_map(
            |(bericht_id, afzender, ontvanger, namens, tijdstip, claim, in_antwoord_op)| Kop {
                bericht_id,
                afzender,
                ontvanger,
                namens,
                tijdstip,
                claim,
                in_antwoord_op,
            },
        )
}

pub fn bericht() -> impl Strategy<Value = Bericht> {
    (kop(), inhoud()).prop_map(|(kop, inhoud)| Bericht::new(kop, inhoud))
}
