//! Charts drawn on the server as SVG by plotters (web.md screen 5): bars
//! only, so no font is needed on the server; the labels and values are the
//! table beside each chart, and the SVG carries a text alternative.

use plotters::prelude::*;

/// The colours of the series, in order (the hub's blue, then a light blue).
const KLEUREN: [RGBColor; 3] = [
    RGBColor(0x15, 0x42, 0x73),
    RGBColor(0x7f, 0xa7, 0xd4),
    RGBColor(0xb3, 0x5c, 0x00),
];

/// A bar chart as an SVG document of `breed` × `hoog` pixels: one slot per
/// position, in each slot one bar per series (side by side), values 0 and
/// up, `max` at the top (0: the highest value).
pub fn staven(reeksen: &[&[f64]], max: f64, breed: u32, hoog: u32) -> String {
    let mut svg = String::new();
    {
        let achtergrond = SVGBackend::with_string(&mut svg, (breed, hoog)).into_drawing_area();
        let _ = achtergrond.fill(&WHITE);
        let plaatsen = reeksen.iter().map(|r| r.len()).max().unwrap_or(0).max(1);
        let n = plaatsen as f64;
        let hoogste = reeksen
            .iter()
            .flat_map(|r| r.iter().copied())
            .fold(0.0, f64::max);
        let top = if max > 0.0 { max } else { hoogste };
        let top = if top > 0.0 { top } else { 1.0 };
        if let Ok(mut grafiek) = ChartBuilder::on(&achtergrond)
            .margin(6)
            .build_cartesian_2d(0f64..n, 0f64..top)
        {
            // Each slot: 70 % bars, shared by the series.
            let breedte = 0.7 / reeksen.len().max(1) as f64;
            for (s, reeks) in reeksen.iter().enumerate() {
                let kleur = KLEUREN[s % KLEUREN.len()];
                let _ = grafiek.draw_series(reeks.iter().enumerate().map(|(i, w)| {
                    let x = i as f64 + 0.15 + s as f64 * breedte;
                    Rectangle::new([(x, 0.0), (x + breedte, w.clamp(0.0, top))], kleur.filled())
                }));
            }
            // The base line.
            let _ = grafiek.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (n, 0.0)],
                BLACK.stroke_width(1),
            )));
        }
        let _ = achtergrond.present();
    }
    svg
}

#[cfg(test)]
mod tests {
    #[test]
    fn een_staaf_per_waarde_en_reeks() {
        let svg = super::staven(&[&[1.0, 0.5, 0.0]], 1.0, 300, 120);
        assert!(svg.starts_with("<svg"), "{svg}");
        // The background, two bars with height and the zero bar.
        assert!(svg.matches("<rect").count() >= 3, "{svg}");
        let twee = super::staven(&[&[1.0, 2.0], &[3.0, 4.0]], 0.0, 300, 120);
        // The background and four bars, the second series in its colour.
        assert_eq!(twee.matches("<rect").count(), 5, "{twee}");
        assert!(twee.to_uppercase().contains("7FA7D4"), "{twee}");
    }
}
