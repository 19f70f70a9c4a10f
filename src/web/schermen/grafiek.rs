//! Charts drawn on the server as SVG by plotters (web.md screen 5): bars
//! only, so no font is needed on the server; the labels and values are the
//! table beside each chart, and the SVG carries a text alternative.

use plotters::prelude::*;

/// A bar chart of `waarden` (0 and up), `max` at the top, as an SVG
/// document of `breed` × `hoog` pixels.
pub fn staven(waarden: &[f64], max: f64, breed: u32, hoog: u32) -> String {
    let mut svg = String::new();
    {
        let achtergrond = SVGBackend::with_string(&mut svg, (breed, hoog)).into_drawing_area();
        let _ = achtergrond.fill(&WHITE);
        let n = waarden.len().max(1) as f64;
        let top = if max > 0.0 { max } else { 1.0 };
        if let Ok(mut grafiek) = ChartBuilder::on(&achtergrond)
            .margin(6)
            .build_cartesian_2d(0f64..n, 0f64..top)
        {
            let kleur = RGBColor(0x15, 0x42, 0x73);
            let _ = grafiek.draw_series(waarden.iter().enumerate().map(|(i, w)| {
                let x = i as f64;
                Rectangle::new([(x + 0.15, 0.0), (x + 0.85, w.min(top))], kleur.filled())
            }));
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
    fn een_staaf_per_waarde() {
        let svg = super::staven(&[1.0, 0.5, 0.0], 1.0, 300, 120);
        assert!(svg.starts_with("<svg"), "{svg}");
        // The background, two bars with height and the zero bar.
        assert!(svg.matches("<rect").count() >= 3, "{svg}");
    }
}
