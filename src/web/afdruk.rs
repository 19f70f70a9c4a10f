//! Afdrukken (web.md screen 3): the dossier as a PDF, made in the hub by
//! pdf-writer (no browser on the server). A4 pages of text in the PDF's
//! built-in Helvetica (WinAnsi encoding, nothing to embed): the parties,
//! the positions, the specification, every settlement and the history,
//! with dates and amounts as on screen.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use super::App;
use super::claims as api;
use super::probleem::Probleem;
use super::schermen::{afrekening, datum};
use super::toegang::Gezag;

/// One line of the printout.
#[derive(Debug, Clone, PartialEq)]
pub enum Regel {
    Titel(String),
    Kop(String),
    Tekst(String),
    Witruimte,
}

const BREED: f32 = 595.0;
const HOOG: f32 = 842.0;
const MARGE: f32 = 50.0;

/// Text in Windows-1252 (the built-in fonts' WinAnsi encoding); what it
/// cannot show becomes `?`.
fn winansi(tekst: &str) -> Vec<u8> {
    tekst
        .chars()
        .map(|c| match c {
            '€' => 0x80,
            '–' => 0x96,
            '—' => 0x97,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// Cuts a line at spaces to at most `max` characters.
fn breek(tekst: &str, max: usize) -> Vec<String> {
    let mut uit = Vec::new();
    let mut regel = String::new();
    for woord in tekst.split(' ') {
        if !regel.is_empty() && regel.chars().count() + 1 + woord.chars().count() > max {
            uit.push(std::mem::take(&mut regel));
        }
        if !regel.is_empty() {
            regel.push(' ');
        }
        regel.push_str(woord);
    }
    uit.push(regel);
    uit
}

/// The PDF of `regels`, as many A4 pages as they need, each with `voet`
/// and its number at the bottom.
pub fn pdf(regels: &[Regel], voet: &str) -> Vec<u8> {
    // Lay out first: (font, size, text) per line, pages by height.
    let mut paginas: Vec<Vec<(f32, bool, String, f32)>> = vec![Vec::new()];
    let mut y = HOOG - MARGE;
    for r in regels {
        let (grootte, vet, tekst, voor) = match r {
            Regel::Titel(t) => (16.0, true, t.as_str(), 0.0),
            Regel::Kop(t) => (12.0, true, t.as_str(), 8.0),
            Regel::Tekst(t) => (9.5, false, t.as_str(), 0.0),
            Regel::Witruimte => {
                y -= 6.0;
                continue;
            }
        };
        let max = if vet { 70 } else { 100 };
        for deel in breek(tekst, max) {
            let hoogte = grootte * 1.35 + voor;
            if y - hoogte < MARGE + 20.0 {
                paginas.push(Vec::new());
                y = HOOG - MARGE;
            }
            y -= hoogte;
            if let Some(p) = paginas.last_mut() {
                p.push((grootte, vet, deel, y));
            }
        }
    }

    let mut pdf = Pdf::new();
    let catalogus = Ref::new(1);
    let boom = Ref::new(2);
    let gewoon = Ref::new(3);
    let vet = Ref::new(4);
    let mut volgende = 5;
    let mut kinderen = Vec::new();
    let aantal = paginas.len();
    for (i, regels) in paginas.iter().enumerate() {
        let pagina = Ref::new(volgende);
        let inhoud = Ref::new(volgende + 1);
        volgende += 2;
        kinderen.push(pagina);
        let mut p = pdf.page(pagina);
        p.media_box(Rect::new(0.0, 0.0, BREED, HOOG));
        p.parent(boom);
        p.contents(inhoud);
        let mut bronnen = p.resources();
        let mut fonts = bronnen.fonts();
        fonts.pair(Name(b"F1"), gewoon);
        fonts.pair(Name(b"F2"), vet);
        fonts.finish();
        bronnen.finish();
        p.finish();
        let mut c = Content::new();
        for (grootte, is_vet, tekst, y) in regels {
            c.begin_text();
            c.set_font(Name(if *is_vet { b"F2" } else { b"F1" }), *grootte);
            c.next_line(MARGE, *y);
            c.show(Str(&winansi(tekst)));
            c.end_text();
        }
        c.begin_text();
        c.set_font(Name(b"F1"), 8.0);
        c.next_line(MARGE, MARGE - 10.0);
        c.show(Str(&winansi(&format!(
            "{voet} – pagina {} van {aantal}",
            i + 1
        ))));
        c.end_text();
        pdf.stream(inhoud, &c.finish());
    }
    pdf.catalog(catalogus).pages(boom);
    pdf.pages(boom).kids(kinderen).count(aantal as i32);
    pdf.type1_font(gewoon)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(vet)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.finish()
}

/// `GET /api/v1/claims/{claimId}/pdf`: the dossier as a PDF.
#[utoipa::path(get, path = "/api/v1/claims/{claimId}/pdf", params(("claimId" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Probleem)))]
pub async fn dossier_pdf(
    State(app): State<App>,
    Extension(g): Extension<Gezag>,
    Path(id): Path<String>,
) -> Result<Response, Probleem> {
    let (d, historie, _) = api::volledig(&app, &g, &id, "afdruk").await?;
    let mut r = vec![
        Regel::Titel(format!("Dossier {}", d.claim_id)),
        Regel::Tekst(format!(
            "ClaimId: {}    OngevalId: {}",
            d.claim_id, d.ongeval_id
        )),
        Regel::Tekst(format!(
            "Schadedatum: {}    Type: materieel{}",
            datum(&d.schadedatum),
            d.verhaalpercentage
                .as_ref()
                .map(|p| format!("    Verhaalpercentage: {p} %"))
                .unwrap_or_default()
        )),
    ];
    if let Some(t) = &d.tegenclaim {
        r.push(Regel::Tekst(format!("Tegenclaim: {t}")));
    }
    if let Some(t) = &d.tegenclaim_van {
        r.push(Regel::Tekst(format!("Tegenclaim van: {t}")));
    }
    r.push(Regel::Kop("Partijen".into()));
    for (rol, p) in [
        ("Verhaler", &d.verhaler),
        ("Aansprakelijke", &d.aansprakelijke),
    ] {
        r.push(Regel::Tekst(format!(
            "{rol}: {} ({}), schadenummer {}, kenteken {}, status {}",
            p.naam,
            p.code,
            p.schadenummer.as_deref().unwrap_or("–"),
            p.kenteken,
            p.status
        )));
    }
    r.push(Regel::Kop("Standpunten".into()));
    for [nr, tijd, partij, soort, ovs, procent, toelichting] in d
        .standpunten
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(afrekening::standpunt)
    {
        r.push(Regel::Tekst(format!(
            "{nr}. {tijd} – {} – {soort} – OVS {ovs} – {procent}{}",
            app.naam(&partij),
            if toelichting.is_empty() {
                String::new()
            } else {
                format!(" – {toelichting}")
            }
        )));
    }
    r.push(Regel::Kop("Schadespecificatie".into()));
    let specificatie = afrekening::specificatie(&d.specificatie);
    if specificatie.is_empty() {
        r.push(Regel::Tekst("Nog niet gespecificeerd.".into()));
    }
    for [component, omschrijving, bedrag] in specificatie {
        r.push(Regel::Tekst(if omschrijving.is_empty() {
            format!("{component}: {bedrag}")
        } else {
            format!("{component} ({omschrijving}): {bedrag}")
        }));
    }
    r.push(Regel::Kop("Eindafrekeningen".into()));
    if d.afrekeningen.is_empty() {
        r.push(Regel::Tekst("Nog geen eindafrekening.".into()));
    }
    for a in d.afrekeningen.iter().filter_map(afrekening::afrekening) {
        for (k, w) in &a.gegevens {
            r.push(Regel::Tekst(format!("{k}: {w}")));
        }
        for [c, geclaimd, procent, te_betalen] in &a.componenten {
            r.push(Regel::Tekst(format!(
                "   {c}: geclaimd {geclaimd} × {procent} = {te_betalen}"
            )));
        }
        for [van, tot, dagen, grondslag, procent, rente] in &a.perioden {
            r.push(Regel::Tekst(format!(
                "   Wettelijke rente van {van} tot {tot}: {dagen} dagen × {procent} over {grondslag} = {rente}"
            )));
        }
        for (k, w) in &a.bedragen {
            r.push(Regel::Tekst(format!("{k}: {w}")));
        }
        r.push(Regel::Witruimte);
    }
    r.push(Regel::Kop("Historie".into()));
    for h in &historie {
        r.push(Regel::Tekst(format!(
            "{}  {}  {}  {}{}",
            datum(&h.tijd),
            h.partij_naam,
            h.behandelaar,
            h.actie.as_deref().unwrap_or(""),
            h.uitslag
                .as_deref()
                .map(|u| format!(" ({u})"))
                .unwrap_or_default()
        )));
    }
    let bytes = pdf(&r, &format!("Clearinghuis Regres – dossier {}", d.claim_id));
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"dossier-{}.pdf\"", d.claim_id),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tekst_in_winansi() {
        assert_eq!(
            winansi("€ 3.715,20 – é"),
            b"\x80 3.715,20 \x96 \xe9".to_vec()
        );
        assert_eq!(winansi("日"), b"?".to_vec());
    }

    #[test]
    fn lange_dossiers_krijgen_meer_paginas() {
        let regels: Vec<Regel> = (0..300)
            .map(|i| Regel::Tekst(format!("regel {i}")))
            .collect();
        let pdf = pdf(&regels, "voet");
        assert!(pdf.starts_with(b"%PDF-"));
        let tekst = String::from_utf8_lossy(&pdf);
        assert!(
            tekst.contains("/Count 6") || tekst.contains("/Count 5"),
            "pages"
        );
    }
}
