//! What a load phase measured, and the latency histogram behind it.
//!
//! The histogram is log-linear (exact below 2,048 µs, then 1,024 buckets per
//! power of two, so under 0.1 % error) with a fixed size: a run of two million
//! claims costs it no more memory than a run of ten.

use serde::Serialize;

/// Exact buckets below this many microseconds.
const EXACT: u64 = 2048;
/// Buckets per power of two above [`EXACT`] (10 bits of mantissa).
const PER_MACHT: u64 = 1024;
/// Powers of two from 2^11 to 2^63.
const BUCKETS: usize = (EXACT + (64 - 11) * PER_MACHT) as usize;

#[derive(Debug, Clone)]
pub struct Histogram {
    tellers: Vec<u64>,
    aantal: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            tellers: vec![0; BUCKETS],
            aantal: 0,
            max: 0,
        }
    }
}

fn bucket(us: u64) -> usize {
    if us < EXACT {
        return us as usize;
    }
    let macht = 63 - u64::from(us.leading_zeros()); // ≥ 11
    let mantisse = (us >> (macht - 10)) & (PER_MACHT - 1);
    (EXACT + (macht - 11) * PER_MACHT + mantisse) as usize
}

/// The smallest value of a bucket.
fn ondergrens(b: usize) -> u64 {
    let b = b as u64;
    if b < EXACT {
        return b;
    }
    let macht = (b - EXACT) / PER_MACHT + 11;
    let mantisse = (b - EXACT) % PER_MACHT;
    (1 << macht) | (mantisse << (macht - 10))
}

impl Histogram {
    pub fn neem_op(&mut self, us: u64) {
        self.tellers[bucket(us)] += 1;
        self.aantal += 1;
        self.max = self.max.max(us);
    }

    pub fn aantal(&self) -> u64 {
        self.aantal
    }

    pub fn max_us(&self) -> u64 {
        self.max
    }

    /// The value below which a fraction `q` (0–1) of the samples lie, in µs.
    pub fn kwantiel_us(&self, q: f64) -> u64 {
        if self.aantal == 0 {
            return 0;
        }
        let doel = ((q * self.aantal as f64).ceil() as u64).clamp(1, self.aantal);
        let mut som = 0;
        for (b, n) in self.tellers.iter().enumerate() {
            som += n;
            if som >= doel {
                return ondergrens(b).min(self.max);
            }
        }
        self.max
    }
}

/// One RSS reading of the hub, taken when `claims` claims were complete.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rss {
    pub claims: u64,
    pub rss_kib: u64,
}

/// The figures of one phase (`raw` or `hub`), as printed and written to `--json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Meting {
    pub fase: String,
    pub deelnemers: usize,
    pub claims: u64,
    pub window: usize,
    /// Inbound messages that completed (received by the loadgen in the raw
    /// phase; answered with an Ontvangstbevestiging in the hub phase).
    pub berichten: u64,
    pub seconden: f64,
    pub berichten_per_seconde: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub gemiddelde_bytes: f64,
    /// Hub phase: claims archived, and claims stopped by a Foutbericht or a surprise.
    pub claims_klaar: u64,
    pub claims_afgebroken: u64,
    /// Hub phase: distinct outbound messages received, and how many the model expects.
    pub antwoorden: u64,
    pub antwoorden_verwacht: u64,
    /// Outbound messages received again under a hub BerichtId already seen.
    pub duplicaten: u64,
    pub foutberichten: u64,
    /// Messages the model did not expect (wrong status, unreadable, receipt to another party).
    pub onverwacht: u64,
    /// The first few Foutberichten and surprises, for the report.
    pub voorbeelden: Vec<String>,
    /// CPU seconds (user + system) during the phase: the loadgen's own and,
    /// in the hub phase, the hub's. On a shared machine they show who had the cores.
    pub loadgen_cpu_s: Option<f64>,
    pub hub_cpu_s: Option<f64>,
    /// CPU seconds during the phase of RabbitMQ and PostgreSQL when they run
    /// on this machine, and of all cores together.
    pub broker_cpu_s: Option<f64>,
    pub database_cpu_s: Option<f64>,
    pub machine_cpu_s: Option<f64>,
    /// Hub phase: whether the PostgreSQL server had autovacuum on.
    pub autovacuum: Option<bool>,
    pub piek_rss_kib: Option<u64>,
    pub vm_hwm_kib: Option<u64>,
    pub rss: Vec<Rss>,
}

impl Meting {
    /// Takes the loadgen's, the services' and the machine's CPU between two readings.
    pub fn met_verbruik(mut self, v: super::proces::Verbruik) -> Meting {
        self.loadgen_cpu_s = v.loadgen_s;
        self.broker_cpu_s = v.broker_s;
        self.database_cpu_s = v.database_s;
        self.machine_cpu_s = v.machine_s;
        self
    }

    /// CPU microseconds per message of `seconden` (a CPU figure of this phase).
    pub fn per_bericht_us(&self, seconden: Option<f64>) -> Option<f64> {
        if self.berichten == 0 {
            return None;
        }
        Some(seconden? * 1e6 / self.berichten as f64)
    }

    /// Fills the rate and latency fields from the counts and the histogram.
    pub fn met_latentie(mut self, h: &Histogram, seconden: f64) -> Meting {
        self.seconden = seconden;
        self.berichten_per_seconde = if seconden > 0.0 {
            self.berichten as f64 / seconden
        } else {
            0.0
        };
        self.p50_ms = h.kwantiel_us(0.50) as f64 / 1000.0;
        self.p99_ms = h.kwantiel_us(0.99) as f64 / 1000.0;
        self.max_ms = h.max_us() as f64 / 1000.0;
        self
    }
}

/// `1234567` as `1,234,567`.
pub fn duizendtallen(n: u64) -> String {
    let tekst = n.to_string();
    let mut uit = String::with_capacity(tekst.len() + tekst.len() / 3);
    for (i, c) in tekst.chars().enumerate() {
        if i > 0 && (tekst.len() - i).is_multiple_of(3) {
            uit.push(',');
        }
        uit.push(c);
    }
    uit
}

/// Milliseconds with two significant decimals at most: `9.1 ms`, `21 ms`.
pub fn ms(waarde: f64) -> String {
    if waarde < 10.0 {
        format!("{waarde:.1} ms")
    } else {
        format!("{} ms", duizendtallen(waarde.round() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kwantielen_binnen_een_promille() {
        let mut h = Histogram::default();
        for us in 1..=100_000u64 {
            h.neem_op(us);
        }
        assert_eq!(h.aantal(), 100_000);
        let p50 = h.kwantiel_us(0.5) as f64;
        let p99 = h.kwantiel_us(0.99) as f64;
        assert!((p50 - 50_000.0).abs() / 50_000.0 < 0.001, "{p50}");
        assert!((p99 - 99_000.0).abs() / 99_000.0 < 0.001, "{p99}");
        assert_eq!(h.max_us(), 100_000);
        assert_eq!(h.kwantiel_us(1.0), 100_000 - 100_000 % 64);
    }

    #[test]
    fn buckets_omkeerbaar() {
        for us in [0, 1, 2047, 2048, 2049, 4095, 4096, 1 << 40, u64::MAX] {
            let b = bucket(us);
            assert!(b < BUCKETS);
            assert!(ondergrens(b) <= us, "{us}");
            assert_eq!(bucket(ondergrens(b)), b, "{us}");
        }
        let h = Histogram::default();
        assert_eq!(h.kwantiel_us(0.5), 0);
    }

    #[test]
    fn opmaak() {
        assert_eq!(duizendtallen(0), "0");
        assert_eq!(duizendtallen(1234), "1,234");
        assert_eq!(duizendtallen(9_412_000), "9,412,000");
        assert_eq!(ms(9.14), "9.1 ms");
        assert_eq!(ms(21.4), "21 ms");
    }
}
