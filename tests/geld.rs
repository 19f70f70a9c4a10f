//! Properties of the settlement arithmetic (rules.md §5), on the shipped
//! reference data: every part is non-negative and adds up, BGK stays within
//! its scale and grows with the hoofdsom, interest grows with the period and
//! is zero for an empty one, and a 50 % settlement is never more than half
//! the 100 % one (plus a cent per component for rounding).

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

use clearinghuis::bericht::{Codelijst, Schadecomponent, Verhaalpercentage};
use clearinghuis::engine::Instellingen;
use clearinghuis::engine::eindafrekening::{Grondslag, bedragen};

fn centen() -> impl Strategy<Value = Decimal> {
    (0u64..2_000_000_000).prop_map(|c| Decimal::new(c as i64, 2))
}

fn componenten() -> impl Strategy<Value = Vec<(Schadecomponent, Decimal)>> {
    proptest::sample::subsequence(Schadecomponent::ALLE.to_vec(), 1..=8).prop_flat_map(|codes| {
        let n = codes.len();
        proptest::collection::vec((0u64..1_000_000).prop_map(|c| Decimal::new(c as i64, 2)), n)
            .prop_map(move |bedragen| codes.iter().copied().zip(bedragen).collect())
    })
}

fn datum() -> impl Strategy<Value = NaiveDate> {
    // From the first rate in the table to well after the last.
    (0u64..9_500).prop_map(|d| {
        NaiveDate::from_ymd_opt(2002, 1, 1)
            .and_then(|s| s.checked_add_days(Days::new(d)))
            .expect("date")
    })
}

fn grondslag(
    componenten: &[(Schadecomponent, Decimal)],
    pct: Verhaalpercentage,
    van: NaiveDate,
    tot: NaiveDate,
) -> Grondslag<'_> {
    Grondslag {
        componenten,
        verhaalpercentage: pct,
        met_rente: true,
        met_bgk: true,
        schadedatum: van,
        datum: tot,
        hoofdsom_eerder: Decimal::ZERO,
        bgk_eerder: Decimal::ZERO,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn delen_tellen_op_en_zijn_niet_negatief(
        c in componenten(),
        pct in proptest::sample::select(Verhaalpercentage::ALLE.to_vec()),
        van in datum(),
        dagen in 0u64..3_000,
    ) {
        let i = Instellingen::default();
        let tot = van.checked_add_days(Days::new(dagen)).expect("date");
        let b = bedragen(&i, &grondslag(&c, pct, van, tot)).expect("inside the table");
        prop_assert_eq!(b.totaal, b.hoofdsom + b.rente + b.bgk);
        prop_assert!(b.hoofdsom >= Decimal::ZERO && b.rente >= Decimal::ZERO && b.bgk >= Decimal::ZERO);
        prop_assert_eq!(b.hoofdsom, b.componenten.iter().map(|(_, _, t)| *t).sum::<Decimal>());
        for d in [b.hoofdsom, b.rente, b.bgk, b.totaal] {
            prop_assert!(d.scale() <= 2, "{} has more than 2 decimals", d);
        }
        // The stretches cover the period exactly, without gaps.
        let dagen_samen: u64 = b.stukken.iter().map(|s| u64::from(s.dagen)).sum();
        prop_assert_eq!(dagen_samen, if b.hoofdsom.is_zero() && b.stukken.is_empty() { 0 } else { dagen });
        for w in b.stukken.windows(2) {
            prop_assert_eq!(w[0].tot, w[1].van);
        }
    }

    #[test]
    fn bgk_binnen_de_staffel_en_stijgend(a in centen(), b in centen()) {
        let i = Instellingen::default();
        let (laag, hoog) = if a <= b { (a, b) } else { (b, a) };
        let (bl, bh) = (i.bgk.bereken(laag), i.bgk.bereken(hoog));
        prop_assert!(bl <= bh, "BGK({laag}) = {bl} > BGK({hoog}) = {bh}");
        for (h, k) in [(laag, bl), (hoog, bh)] {
            if h > Decimal::ZERO {
                prop_assert!(k >= Decimal::new(40, 0) && k <= Decimal::new(6775, 0), "BGK({h}) = {k}");
            } else {
                prop_assert_eq!(k, Decimal::ZERO);
            }
        }
    }

    #[test]
    fn rente_stijgt_met_de_dagen_en_is_nul_zonder_periode(
        hoofdsom in centen(),
        van in datum(),
        d1 in 0u64..4_000,
        d2 in 0u64..4_000,
    ) {
        let i = Instellingen::default();
        let (kort, lang) = (d1.min(d2), d1.max(d2));
        let r = |d: u64| {
            i.rente
                .bereken(hoofdsom, van, van.checked_add_days(Days::new(d)).expect("date"))
                .expect("inside the table")
        };
        let (rk, rl) = (r(kort), r(lang));
        prop_assert!(rk.exact <= rl.exact && rk.bedrag <= rl.bedrag);
        let nul = r(0);
        prop_assert_eq!(nul.bedrag, Decimal::ZERO);
        prop_assert!(nul.stukken.is_empty());
    }

    #[test]
    fn vijftig_procent_is_hooguit_de_helft_plus_een_cent_per_component(
        c in componenten(),
        van in datum(),
        dagen in 0u64..2_000,
    ) {
        let i = Instellingen::default();
        let tot = van.checked_add_days(Days::new(dagen)).expect("date");
        let heel = bedragen(&i, &grondslag(&c, Verhaalpercentage::Honderd, van, tot)).expect("table");
        let half = bedragen(&i, &grondslag(&c, Verhaalpercentage::Vijftig, van, tot)).expect("table");
        let speling = Decimal::new(c.len() as i64, 2);
        prop_assert!(half.hoofdsom <= heel.hoofdsom / Decimal::TWO + speling,
            "50 %: {} vs 100 %: {}", half.hoofdsom, heel.hoofdsom);
        prop_assert!(half.rente <= heel.rente);
        prop_assert!(half.bgk <= heel.bgk);
    }
}

#[test]
fn een_datum_voor_de_rentetabel_is_een_fout() {
    let i = Instellingen::default();
    let c = [(Schadecomponent::Voertuigschade, Decimal::new(100_000, 2))];
    let van = NaiveDate::from_ymd_opt(2001, 6, 1).expect("date");
    let tot = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
    assert!(bedragen(&i, &grondslag(&c, Verhaalpercentage::Honderd, van, tot)).is_err());
}
