//! The load generator of issue 8, a crate of its own beside the product
//! (benches/loadgen; the binary `clearinghuis-loadgen` is `src/main.rs`): N
//! synthetic participants run complete, valid conversations against a hub
//! over AMQP, and the same bytes go through the bare broker for comparison.
//! It uses the product only through the `clearinghuis` library (the message
//! types and writers, the AMQP topology) and runs the hub as the product's
//! own `clearinghuis serve`.
//!
//! - [`deelnemers`]: the participants file for N generated insurers.
//! - [`gesprek`]: the pure participant model (what to send, what to answer).
//! - [`meting`]: the figures and the latency histogram.
//! - this module: the hub phase driver — one connection, one publishing
//!   channel in confirm mode, a consumer on every participant's `out` queue,
//!   a semaphore that caps the inbound messages in flight (published, not yet
//!   answered) at the window.
//! - [`raw`]: the broker alone: the same messages published persistent with
//!   confirms to the `in` queues and consumed from them by the loadgen.
//! - [`proces`]: the hub as a child process, its database and its memory.
//! - [`vul`]: a store filled with many claims through the in-memory hub
//!   (the API benchmark's 100,000 claims), and [`api`]: its HTTP side.
//!
//! **Architecture Invariant:** the loadgen never names or declares a queue
//! itself; it goes through `clearinghuis::transport::amqp::topologie`.
//! **Architecture Invariant:** a run is the same for the same seed, apart from
//! the wall-clock `Tijdstip` of the messages.

pub mod api;
pub mod deelnemers;
pub mod gesprek;
pub mod meting;
pub mod proces;
pub mod raw;
pub mod vul;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use futures_lite::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, QueuePurgeOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Confirmation, Connection, PublisherConfirm};
use tokio::sync::{Notify, Semaphore, mpsc};
use tokio::task::JoinSet;

use clearinghuis::bericht::Deelnemercode;
use clearinghuis::transport::amqp::{AmqpFout, Verbinding, topologie};
use gesprek::{ANTWOORDEN_PER_CLAIM, GesprekFout, Kern, Model, Verzending};
use meting::{Histogram, Meting};

#[derive(Debug, thiserror::Error)]
pub enum LoadgenFout {
    #[error(transparent)]
    Amqp(#[from] AmqpFout),
    #[error("AMQP: {0}")]
    Lapin(#[from] lapin::Error),
    #[error(transparent)]
    Gesprek(#[from] GesprekFout),
    #[error(transparent)]
    Deelnemers(#[from] deelnemers::DeelnemersFout),
    #[error("the broker refused (nack) the publish of {0}")]
    Nack(String),
    #[error("{0}")]
    Afgebroken(String),
    #[error(
        "no progress for {seconden} s: {klaar} of {claims} claims done, {in_vlucht} messages unanswered"
    )]
    Stil {
        seconden: u64,
        klaar: u64,
        claims: u64,
        in_vlucht: usize,
    },
    #[error("the hub: {0}")]
    Hub(String),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("{pad}: {bron}")]
    Bestand { pad: String, bron: std::io::Error },
    #[error("{0}")]
    Queue(String),
}

/// What a phase runs: the broker, the model (participants and seed), the
/// number of claims and the window.
#[derive(Debug, Clone)]
pub struct Opzet {
    pub verbinding: Verbinding,
    pub model: Model,
    pub claims: u64,
    /// The model's number of the first claim (a second phase on the same
    /// hub goes on after the first's, so plates and numbers stay distinct).
    pub eerste: u64,
    pub window: usize,
    /// Give up when nothing arrives for this long.
    pub stil_na: Duration,
}

impl Opzet {
    /// Per consumer: enough to keep the window busy, within the quorum-queue cap.
    fn prefetch(&self) -> u16 {
        self.window.clamp(32, 2000) as u16
    }
}

/// Told the number of archived claims every `elke` claims (the CLI prints the
/// hub's RSS then).
pub type Voortgang = Arc<dyn Fn(u64) + Send + Sync>;

/// The wall clock for the messages' `Tijdstip`, in whole seconds (sizes stay fixed).
pub fn nu() -> DateTime<FixedOffset> {
    let s = Utc::now().timestamp();
    DateTime::from_timestamp(s, 0)
        .unwrap_or_default()
        .fixed_offset()
}

fn slot<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not hide the figures: the data stays usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hub BerichtIds seen, as a bitset on their number (`CR-HUB-` + 10 digits):
/// 15 messages a claim for two million claims fit in 4 MB. Other ids, if
/// any, go into a set.
#[derive(Debug, Default)]
struct Gezien {
    bits: Vec<u64>,
    anders: std::collections::HashSet<String>,
}

impl Gezien {
    /// True the first time `id` is seen.
    fn nieuw(&mut self, id: &str) -> bool {
        let nummer = id
            .strip_prefix("CR-HUB-")
            .filter(|n| n.len() == 10)
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|n| *n < 1 << 32);
        let Some(n) = nummer else {
            return self.anders.insert(id.to_owned());
        };
        let (woord, bit) = ((n / 64) as usize, n % 64);
        if woord >= self.bits.len() {
            self.bits.resize((woord + 1).next_power_of_two(), 0);
        }
        let nieuw = self.bits[woord] & (1 << bit) == 0;
        self.bits[woord] |= 1 << bit;
        nieuw
    }
}

/// At most this many Foutberichten and surprises are kept as examples.
const VOORBEELDEN: usize = 10;

/// The state the hub phase's tasks share.
struct Gedeeld {
    model: Model,
    claims: u64,
    eerste: u64,
    venster: Semaphore,
    /// Published and not yet answered: BerichtId → (publish time, sender).
    uitstaand: Mutex<HashMap<String, (Instant, Deelnemercode)>>,
    gezien: Mutex<Gezien>,
    latentie: Mutex<Histogram>,
    voorbeelden: Mutex<Vec<String>>,
    verstuurd: AtomicU64,
    verstuurd_bytes: AtomicU64,
    beantwoord: AtomicU64,
    antwoorden: AtomicU64,
    duplicaten: AtomicU64,
    foutberichten: AtomicU64,
    onverwacht: AtomicU64,
    klaar: AtomicU64,
    /// Claims that cannot finish: a message of theirs was refused, or an
    /// answer was not what the path expects. The run ends without them.
    afgebroken: AtomicU64,
    te_sturen: mpsc::UnboundedSender<Verzending>,
    gedaan: Notify,
    elke: u64,
    voortgang: Voortgang,
}

impl Gedeeld {
    /// The shared state, and the queue of reactions the sender task reads.
    fn nieuw(
        model: Model,
        claims: u64,
        window: usize,
        elke: u64,
        voortgang: Voortgang,
    ) -> (Gedeeld, mpsc::UnboundedReceiver<Verzending>) {
        let (te_sturen, rij) = mpsc::unbounded_channel();
        let gedeeld = Gedeeld {
            model,
            claims,
            eerste: 0,
            venster: Semaphore::new(window),
            uitstaand: Mutex::new(HashMap::with_capacity(window * 2)),
            gezien: Mutex::default(),
            latentie: Mutex::default(),
            voorbeelden: Mutex::default(),
            verstuurd: AtomicU64::new(0),
            verstuurd_bytes: AtomicU64::new(0),
            beantwoord: AtomicU64::new(0),
            antwoorden: AtomicU64::new(0),
            duplicaten: AtomicU64::new(0),
            foutberichten: AtomicU64::new(0),
            onverwacht: AtomicU64::new(0),
            klaar: AtomicU64::new(0),
            afgebroken: AtomicU64::new(0),
            te_sturen,
            gedaan: Notify::new(),
            elke,
            voortgang,
        };
        (gedeeld, rij)
    }

    fn noteer(&self, teller: &AtomicU64, tekst: impl FnOnce() -> String) {
        teller.fetch_add(1, Ordering::Relaxed);
        let mut v = slot(&self.voorbeelden);
        if v.len() < VOORBEELDEN {
            v.push(tekst());
        }
    }

    fn verwacht(&self) -> u64 {
        self.claims * ANTWOORDEN_PER_CLAIM as u64
    }

    fn is_klaar(&self) -> bool {
        self.klaar.load(Ordering::Relaxed) >= self.claims
            && self.antwoorden.load(Ordering::Relaxed) >= self.verwacht()
    }

    /// One outbound message that arrived in `mailbox`'s `out` queue.
    fn verwerk(&self, mailbox: &Deelnemercode, data: &[u8]) {
        let kern = match std::str::from_utf8(data)
            .map_err(|e| GesprekFout::Lezen(e.to_string()))
            .and_then(Kern::lees)
        {
            Ok(k) => k,
            Err(e) => {
                return self.noteer(&self.onverwacht, || {
                    format!("unreadable message in {mailbox}'s out queue: {e}")
                });
            }
        };
        if !slot(&self.gezien).nieuw(&kern.bericht_id) {
            self.duplicaten.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.antwoorden.fetch_add(1, Ordering::Relaxed);
        if kern.ontvanger != mailbox.as_str() {
            self.noteer(&self.onverwacht, || {
                format!(
                    "{} for {} arrived in {mailbox}'s out queue",
                    kern.bericht_id, kern.ontvanger
                )
            });
        }
        let antwoord = matches!(kern.soort.as_str(), "Ontvangstbevestiging" | "Foutbericht");
        if let Some(id) = kern.bevestigd.as_deref().filter(|_| antwoord) {
            let wacht = slot(&self.uitstaand).remove(id);
            if let Some((sinds, afzender)) = wacht {
                if kern.soort == "Ontvangstbevestiging" {
                    let us = sinds.elapsed().as_micros() as u64;
                    slot(&self.latentie).neem_op(us);
                    self.beantwoord.fetch_add(1, Ordering::Relaxed);
                }
                if afzender.as_str() != kern.ontvanger {
                    self.noteer(&self.onverwacht, || {
                        format!(
                            "the answer to {id} of {afzender} went to {}",
                            kern.ontvanger
                        )
                    });
                }
                self.venster.add_permits(1);
            }
        }
        if kern.soort == "Foutbericht" {
            if kern
                .bevestigd
                .as_deref()
                .and_then(gesprek::uit_bericht_id)
                .is_some()
            {
                self.afgebroken.fetch_add(1, Ordering::Relaxed);
            }
            self.noteer(&self.foutberichten, || {
                format!(
                    "Foutbericht {} to {} on {}: {}",
                    kern.bericht_id,
                    kern.ontvanger,
                    kern.bevestigd.as_deref().unwrap_or("?"),
                    kern.foutcodes.join(", ")
                )
            });
        }
        match self.model.reageer(&kern, nu()) {
            Ok(reactie) => {
                for v in reactie.sturen {
                    // The sender task only ends at shutdown; a lost send then is harmless.
                    let _ = self.te_sturen.send(v);
                }
                if reactie.klaar.is_some() {
                    let n = self.klaar.fetch_add(1, Ordering::Relaxed) + 1;
                    if self.elke > 0 && n.is_multiple_of(self.elke) {
                        (self.voortgang)(n);
                    }
                }
            }
            Err(e) => {
                if matches!(
                    e,
                    GesprekFout::Onverwacht { .. } | GesprekFout::Ontbreekt { .. }
                ) {
                    self.afgebroken.fetch_add(1, Ordering::Relaxed);
                }
                self.noteer(&self.onverwacht, || e.to_string());
            }
        }
        if self.is_klaar() {
            self.gedaan.notify_one();
        }
    }
}

/// Publishes persistent messages through `afzender`'s exchange into
/// `cr.<afzender>.in`, with `afzender` as `user_id` (the hub refuses a
/// message without it), confirms checked by [`bevestiger`] in order. The
/// load generator speaks for every generated participant on one connection,
/// so its broker user needs the `impersonator` tag (docs/PERFORMANCE.md);
/// without it the broker closes the channel (406 PRECONDITION_FAILED).
async fn publiceer(
    kanaal: &Channel,
    afzender: &Deelnemercode,
    xml: &[u8],
    eigenschappen: BasicProperties,
) -> Result<PublisherConfirm, LoadgenFout> {
    Ok(kanaal
        .basic_publish(
            topologie::in_exchange(afzender).as_str().into(),
            "".into(),
            BasicPublishOptions::default(),
            xml,
            eigenschappen
                .with_delivery_mode(2)
                .with_user_id(afzender.as_str().into()),
        )
        .await?)
}

/// Awaits the confirms in publish order; a nack stops the run.
async fn bevestiger(
    mut rij: mpsc::Receiver<(PublisherConfirm, String)>,
) -> Result<(), LoadgenFout> {
    while let Some((bevestiging, id)) = rij.recv().await {
        match bevestiging.await? {
            Confirmation::Ack(_) => {}
            Confirmation::Nack(_) | Confirmation::NotRequested => {
                return Err(LoadgenFout::Nack(id));
            }
        }
    }
    Err(LoadgenFout::Afgebroken("the publisher stopped".into()))
}

/// A channel in confirm mode for publishing.
async fn publicatiekanaal(verbinding: &Connection) -> Result<Channel, LoadgenFout> {
    let kanaal = verbinding.create_channel().await?;
    kanaal
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    Ok(kanaal)
}

/// A channel with a per-consumer prefetch for consuming.
async fn consumptiekanaal(verbinding: &Connection, prefetch: u16) -> Result<Channel, LoadgenFout> {
    let kanaal = verbinding.create_channel().await?;
    kanaal
        .basic_qos(prefetch, BasicQosOptions::default())
        .await?;
    Ok(kanaal)
}

/// Empties `cr.<code>.in` and `cr.<code>.out` of every participant (all must exist).
pub async fn leeg(kanaal: &Channel, codes: &[Deelnemercode]) -> Result<u64, LoadgenFout> {
    let mut weg = 0u64;
    for code in codes {
        for q in [topologie::in_queue(code), topologie::out_queue(code)] {
            weg += u64::from(
                kanaal
                    .queue_purge(q.as_str().into(), QueuePurgeOptions::default())
                    .await?,
            );
        }
    }
    Ok(weg)
}

/// Waits until `gedaan` fires, a task stops (an error), or nothing moves for
/// `stil_na`. `stand` gives (a counter that moves on progress, whether only
/// stragglers are missing, details for the error).
async fn wacht_tot_klaar(
    taken: &mut JoinSet<Result<(), LoadgenFout>>,
    gedaan: &Notify,
    stil_na: Duration,
    stand: impl Fn() -> (u64, bool, LoadgenFout),
) -> Result<(), LoadgenFout> {
    let mut laatst = (stand().0, Instant::now());
    loop {
        tokio::select! {
            _ = gedaan.notified() => return Ok(()),
            klaar = taken.join_next() => {
                return Err(match klaar {
                    Some(Ok(Err(e))) => e,
                    Some(Ok(Ok(()))) | None => LoadgenFout::Afgebroken("a loadgen task stopped early".into()),
                    Some(Err(e)) => LoadgenFout::Afgebroken(format!("a loadgen task failed: {e}")),
                });
            }
            _ = tokio::time::sleep(Duration::from_millis(500)) => {
                let (teller, alleen_nakomers, fout) = stand();
                if teller != laatst.0 {
                    laatst = (teller, Instant::now());
                } else if alleen_nakomers && laatst.1.elapsed() > Duration::from_secs(5) {
                    // Every claim is archived or cannot go on: what is missing is reported.
                    return Ok(());
                } else if laatst.1.elapsed() > stil_na {
                    return Err(fout);
                }
            }
        }
    }
}

/// The hub phase: the hub must be running and consuming the participants'
/// `in` queues (the caller started it and purged the queues). Claims start in
/// order 0, 1, …; answers are reacted to first, so open claims stay near the
/// window.
pub async fn hub_fase(
    opzet: &Opzet,
    elke: u64,
    voortgang: Voortgang,
) -> Result<Meting, LoadgenFout> {
    let verbinding = opzet.verbinding.open().await?;
    let publicatie = publicatiekanaal(&verbinding).await?;
    let consumptie = consumptiekanaal(&verbinding, opzet.prefetch()).await?;
    let (mut gedeeld, rij) = Gedeeld::nieuw(
        opzet.model.clone(),
        opzet.claims,
        opzet.window,
        elke,
        voortgang,
    );
    gedeeld.eerste = opzet.eerste;
    let gedeeld = Arc::new(gedeeld);
    let mut taken = JoinSet::new();
    for code in opzet.model.deelnemers() {
        let consument = consumptie
            .basic_consume(
                topologie::out_queue(code).as_str().into(),
                format!("loadgen-{code}").as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        let g = Arc::clone(&gedeeld);
        let code = code.clone();
        taken.spawn(async move {
            let mut consument = consument;
            while let Some(levering) = consument.next().await {
                let levering = levering?;
                g.verwerk(&code, &levering.data);
                levering.acker.ack(BasicAckOptions::default()).await?;
            }
            Err(LoadgenFout::Afgebroken(format!(
                "the consumer on {} stopped",
                topologie::out_queue(&code)
            )))
        });
    }
    let (bevestigingen, bevestig_rij) = mpsc::channel(opzet.window.max(1) * 2);
    taken.spawn(bevestiger(bevestig_rij));
    let begin = Instant::now();
    let verbruik_begin = proces::Verbruik::nu();
    taken.spawn(zender(Arc::clone(&gedeeld), publicatie, rij, bevestigingen));
    let g = Arc::clone(&gedeeld);
    let uitkomst = wacht_tot_klaar(&mut taken, &gedeeld.gedaan, opzet.stil_na, move || {
        let klaar = g.klaar.load(Ordering::Relaxed);
        (
            g.antwoorden.load(Ordering::Relaxed),
            klaar + g.afgebroken.load(Ordering::Relaxed) >= g.claims,
            LoadgenFout::Stil {
                seconden: opzet.stil_na.as_secs(),
                klaar,
                claims: g.claims,
                in_vlucht: slot(&g.uitstaand).len(),
            },
        )
    })
    .await;
    let seconden = begin.elapsed().as_secs_f64();
    let verbruik = proces::Verbruik::nu().sinds(&verbruik_begin);
    taken.abort_all();
    // Closing is courtesy; the figures are in already. Bounded: a close that
    // never completes (seen about once in 15 runs) hung the run before the
    // hub child was stopped.
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        verbinding.close(200, "loadgen done".into()),
    )
    .await;
    uitkomst?;
    let g = &gedeeld;
    let verstuurd = g.verstuurd.load(Ordering::Relaxed).max(1);
    let meting = Meting {
        fase: "hub".into(),
        deelnemers: opzet.model.deelnemers().len(),
        claims: opzet.claims,
        window: opzet.window,
        berichten: g.beantwoord.load(Ordering::Relaxed),
        gemiddelde_bytes: g.verstuurd_bytes.load(Ordering::Relaxed) as f64 / verstuurd as f64,
        claims_klaar: g.klaar.load(Ordering::Relaxed),
        claims_afgebroken: g.afgebroken.load(Ordering::Relaxed),
        antwoorden: g.antwoorden.load(Ordering::Relaxed),
        antwoorden_verwacht: g.verwacht(),
        duplicaten: g.duplicaten.load(Ordering::Relaxed),
        foutberichten: g.foutberichten.load(Ordering::Relaxed),
        onverwacht: g.onverwacht.load(Ordering::Relaxed),
        voorbeelden: slot(&g.voorbeelden).clone(),
        ..Meting::default()
    };
    let latentie = slot(&g.latentie).clone();
    Ok(meting
        .met_latentie(&latentie, seconden)
        .met_verbruik(verbruik))
}

/// Sends the model's reactions first and starts a new claim only when none
/// wait, each after taking a place in the window.
async fn zender(
    g: Arc<Gedeeld>,
    kanaal: Channel,
    mut rij: mpsc::UnboundedReceiver<Verzending>,
    bevestigingen: mpsc::Sender<(PublisherConfirm, String)>,
) -> Result<(), LoadgenFout> {
    let mut volgende = 0u64;
    loop {
        let v = match rij.try_recv() {
            Ok(v) => v,
            Err(_) if volgende < g.claims => {
                volgende += 1;
                g.model.start(g.eerste + volgende - 1, nu())?
            }
            Err(_) => match rij.recv().await {
                Some(v) => v,
                None => return Err(LoadgenFout::Afgebroken("the reaction queue closed".into())),
            },
        };
        g.venster
            .acquire()
            .await
            .map_err(|_| LoadgenFout::Afgebroken("the window closed".into()))?
            .forget();
        let id = v.bericht_id.to_string();
        slot(&g.uitstaand).insert(id.clone(), (Instant::now(), v.afzender.clone()));
        let bevestiging = publiceer(
            &kanaal,
            &v.afzender,
            v.xml.as_bytes(),
            BasicProperties::default(),
        )
        .await?;
        g.verstuurd.fetch_add(1, Ordering::Relaxed);
        g.verstuurd_bytes
            .fetch_add(v.xml.len() as u64, Ordering::Relaxed);
        bevestigingen
            .send((bevestiging, id))
            .await
            .map_err(|_| LoadgenFout::Afgebroken("the confirm checker stopped".into()))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An outbound message as far as [`Kern::lees`] reads it.
    fn uit(id: u64, aan: &str, status: &str, body: &str) -> Vec<u8> {
        format!(
            "<Bericht xmlns=\"urn:clearinghuis-regres:berichten:1\" versie=\"1\"><Kop>\
             <BerichtId>CR-HUB-{id:010}</BerichtId><Afzender>CR-HUB</Afzender>\
             <Ontvanger>{aan}</Ontvanger><Tijdstip>2026-11-20T09:00:00+01:00</Tijdstip>\
             <Claim><ClaimId>CL-00000001</ClaimId><OngevalId>OG-00000001</OngevalId>\
             <Verhaler>CR-70000001</Verhaler><SchadenummerVerhaler>LGV-00000000</SchadenummerVerhaler>\
             <Aansprakelijke>CR-70000002</Aansprakelijke><Status>{status}</Status>\
             <Werkmap>WachtOp</Werkmap></Claim></Kop>{body}</Bericht>"
        )
        .into_bytes()
    }

    /// The bookkeeping of the hub phase without a broker: a receipt frees a
    /// place in the window and gives a latency, its redelivery is a
    /// duplicate, a Foutbericht frees the place and stops its claim, and a
    /// forwarded Aanmelding makes A answer.
    #[test]
    fn boekhouding_van_de_antwoorden() {
        let codes = deelnemers::codes(2, deelnemers::EERSTE_CODE).expect("codes");
        let (v, a) = (codes[0].clone(), codes[1].clone());
        let model = Model::new(codes, 1).expect("model");
        let (g, mut rij) = Gedeeld::nieuw(model, 1, 2, 1, Arc::new(|_| {}));
        g.venster.try_acquire_many(2).expect("two places").forget();
        for (id, wie) in [("LG-00000000-1", &v), ("LG-00000000-2", &a)] {
            slot(&g.uitstaand).insert(id.into(), (Instant::now(), wie.clone()));
        }
        let ontvangst = uit(
            1,
            v.as_str(),
            "Aansprakelijkheid ingediend",
            "<Ontvangstbevestiging><BerichtId>LG-00000000-1</BerichtId></Ontvangstbevestiging>",
        );
        g.verwerk(&v, &ontvangst);
        assert_eq!(g.venster.available_permits(), 1);
        assert_eq!(g.beantwoord.load(Ordering::Relaxed), 1);
        assert_eq!(slot(&g.latentie).aantal(), 1);
        g.verwerk(&v, &ontvangst);
        assert_eq!(g.duplicaten.load(Ordering::Relaxed), 1);
        assert_eq!(g.venster.available_permits(), 1);

        let doorgestuurd = uit(
            2,
            a.as_str(),
            "Reageren op aansprakelijkheid",
            "<Aanmelding/>",
        );
        g.verwerk(&a, &doorgestuurd);
        let akkoord = rij.try_recv().expect("A answers the forwarded Aanmelding");
        assert_eq!(akkoord.bericht_id.as_str(), "LG-00000000-2");
        assert_eq!(akkoord.afzender, a);

        let fout = uit(
            3,
            a.as_str(),
            "Reageren op aansprakelijkheid",
            "<Foutbericht><BerichtId>LG-00000000-2</BerichtId><Fout><Code>F02</Code>\
             <Omschrijving>x</Omschrijving></Fout></Foutbericht>",
        );
        g.verwerk(&a, &fout);
        assert_eq!(g.venster.available_permits(), 2);
        assert_eq!(g.foutberichten.load(Ordering::Relaxed), 1);
        assert_eq!(g.afgebroken.load(Ordering::Relaxed), 1);
        assert_eq!(
            g.beantwoord.load(Ordering::Relaxed),
            1,
            "a refusal is no receipt"
        );
        assert!(slot(&g.voorbeelden)[0].contains("F02"));

        // The receipt went to the wrong party: counted as unexpected.
        g.verwerk(
            &a,
            &uit(4, v.as_str(), "Dossier aangemeld", "<Systeemmelding/>"),
        );
        assert_eq!(g.onverwacht.load(Ordering::Relaxed), 1);
        assert_eq!(g.antwoorden.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn gezien_herkent_dubbelen() {
        let mut g = Gezien::default();
        assert!(g.nieuw("CR-HUB-0000000001"));
        assert!(!g.nieuw("CR-HUB-0000000001"));
        assert!(g.nieuw("CR-HUB-0030000000"));
        assert!(g.nieuw("iets-anders"));
        assert!(!g.nieuw("iets-anders"));
        assert!(g.bits.len() <= 1 << 20, "{}", g.bits.len());
    }
}
