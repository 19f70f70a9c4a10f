//! The hub's Prometheus metrics (web.md "HTTP API", `/metrics`), kept with
//! prometheus-client: the dispatcher counts messages by outcome and code
//! and times its rounds; what the store knows (outbox backlog, held
//! messages, timers due, claims per phase) is read when scraped.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct Uitslaglabels {
    /// accepted, refused, duplicate, held, timer.
    pub outcome: String,
    /// The refusal's code (F01, T02, …), empty otherwise.
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct Faselabels {
    pub phase: String,
}

pub struct Metingen {
    pub registry: Registry,
    pub berichten: Family<Uitslaglabels, Counter>,
    pub ronde: Histogram,
    pub outbox: Gauge,
    pub vastgehouden: Gauge,
    pub timers_verlopen: Gauge,
    pub claims: Family<Faselabels, Gauge>,
    /// When the dispatcher last had work (a message, a timer or an answer
    /// to deliver), in ms on a monotonic clock: the web part gives way then
    /// (`web::voorrang`).
    werk_ms: std::sync::atomic::AtomicU64,
    begin: std::time::Instant,
    /// The last round, and the last one that processed something (Beheer).
    rondes: std::sync::Mutex<(Option<Rondeverslag>, Option<Rondeverslag>)>,
}

/// One dispatcher round as Beheer shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rondeverslag {
    /// When it ended (wall clock).
    pub eind: std::time::SystemTime,
    pub duur: std::time::Duration,
    pub berichten: usize,
    pub timers: usize,
    pub verzonden: usize,
}

impl Default for Metingen {
    fn default() -> Self {
        Metingen::new()
    }
}

impl Metingen {
    pub fn new() -> Metingen {
        let mut registry = Registry::with_prefix("clearinghuis");
        let berichten = Family::<Uitslaglabels, Counter>::default();
        registry.register(
            "messages",
            "Inbound messages and fired timers by outcome and code",
            berichten.clone(),
        );
        // 1 ms to about 16 s.
        let ronde = Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
            0.001, 2.0, 15,
        ));
        registry.register(
            "round_duration_seconds",
            "Duration of a dispatcher round, commit included",
            ronde.clone(),
        );
        let outbox = Gauge::default();
        registry.register(
            "outbox_backlog",
            "Outbound messages committed but not yet delivered",
            outbox.clone(),
        );
        let vastgehouden = Gauge::default();
        registry.register(
            "held_messages",
            "Early messages held (rules.md section 7)",
            vastgehouden.clone(),
        );
        let timers_verlopen = Gauge::default();
        registry.register(
            "timers_due",
            "Timers due now or earlier that have not fired",
            timers_verlopen.clone(),
        );
        let claims = Family::<Faselabels, Gauge>::default();
        registry.register("claims", "Claims per phase", claims.clone());
        Metingen {
            registry,
            berichten,
            ronde,
            outbox,
            vastgehouden,
            timers_verlopen,
            claims,
            werk_ms: std::sync::atomic::AtomicU64::new(0),
            begin: std::time::Instant::now(),
            rondes: std::sync::Mutex::new((None, None)),
        }
    }

    /// The dispatcher had work in the round that just ended.
    pub fn werk_gedaan(&self) {
        let ms = self.begin.elapsed().as_millis() as u64 + 1;
        self.werk_ms.store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// A round ended (also one that found nothing: it shows the loop runs).
    pub fn ronde_klaar(&self, r: Rondeverslag) {
        let mut rondes = self.rondes.lock().unwrap_or_else(|p| p.into_inner());
        rondes.0 = Some(r);
        if r.berichten > 0 || r.timers > 0 || r.verzonden > 0 {
            rondes.1 = Some(r);
        }
    }

    /// The last round and the last round with work, if any.
    pub fn laatste_rondes(&self) -> (Option<Rondeverslag>, Option<Rondeverslag>) {
        *self.rondes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the dispatcher had work within the last `binnen`.
    pub fn druk(&self, binnen: std::time::Duration) -> bool {
        let laatst = self.werk_ms.load(std::sync::atomic::Ordering::Relaxed);
        laatst > 0
            && (self.begin.elapsed().as_millis() as u64 + 1).saturating_sub(laatst)
                <= binnen.as_millis() as u64
    }

    /// One processed message or timer with its outcome as logged
    /// (`accepted`, `refused F01`, …).
    pub fn uitslag(&self, uitslag: &str) {
        let (outcome, code) = uitslag.split_once(' ').unwrap_or((uitslag, ""));
        self.berichten
            .get_or_create(&Uitslaglabels {
                outcome: outcome.to_string(),
                code: code.to_string(),
            })
            .inc();
    }

    pub fn tekst(&self) -> String {
        let mut s = String::new();
        if prometheus_client::encoding::text::encode(&mut s, &self.registry).is_err() {
            s.clear();
        }
        s
    }
}
