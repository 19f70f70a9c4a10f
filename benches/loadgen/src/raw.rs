//! The raw broker figure: what RabbitMQ does alone with the load of the hub
//! phase. The same participants, the same window and the same XML (the six
//! messages of every claim, [`super::gesprek::Model::gesprek`]), published
//! persistent with confirms to `cr.<code>.in` and consumed and acked from the
//! same queues by the loadgen itself; no hub runs. Latency is publish →
//! consume. The hub's answers have no counterpart here: the bar compares the
//! inbound rate only.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures_lite::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel};
use tokio::sync::{Notify, Semaphore, mpsc};
use tokio::task::JoinSet;

use super::gesprek::BERICHTEN_PER_CLAIM;
use super::meting::{Histogram, Meting};
use super::{
    LoadgenFout, Opzet, bevestiger, consumptiekanaal, leeg, nu, proces, publicatiekanaal,
    publiceer, slot, wacht_tot_klaar,
};
use clearinghuis::bericht::Deelnemercode;
use clearinghuis::transport::amqp::topologie;

struct Gedeeld {
    totaal: u64,
    venster: Semaphore,
    /// Sequence number (the AMQP `message_id`) → publish time.
    uitstaand: Mutex<HashMap<u64, Instant>>,
    latentie: Mutex<Histogram>,
    ontvangen: AtomicU64,
    gedaan: Notify,
}

impl Gedeeld {
    fn ontvang(&self, message_id: Option<&str>) -> Result<(), LoadgenFout> {
        let seq = message_id
            .and_then(|m| m.parse::<u64>().ok())
            .ok_or_else(|| {
                LoadgenFout::Queue(format!(
                    "a message without a loadgen sequence number ({message_id:?}) in an in queue"
                ))
            })?;
        if let Some(sinds) = slot(&self.uitstaand).remove(&seq) {
            slot(&self.latentie).neem_op(sinds.elapsed().as_micros() as u64);
            self.venster.add_permits(1);
            if self.ontvangen.fetch_add(1, Ordering::Relaxed) + 1 >= self.totaal {
                self.gedaan.notify_one();
            }
        }
        Ok(())
    }
}

/// Declares the topology, checks that no one else consumes the `in` queues
/// (a running hub would take the messages) and empties the queues.
async fn bereid_voor(kanaal: &Channel, codes: &[Deelnemercode]) -> Result<(), LoadgenFout> {
    topologie::declareer(kanaal, codes).await?;
    for code in codes {
        let q = topologie::in_queue(code);
        let stand = kanaal
            .queue_declare(
                q.as_str().into(),
                QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        if stand.consumer_count() > 0 {
            return Err(LoadgenFout::Queue(format!(
                "{q} already has {} consumer(s): is a hub running? The raw phase needs the queues to itself",
                stand.consumer_count()
            )));
        }
    }
    leeg(kanaal, codes).await?;
    Ok(())
}

pub async fn raw_fase(opzet: &Opzet) -> Result<Meting, LoadgenFout> {
    let codes = opzet.model.deelnemers().to_vec();
    let verbinding = opzet.verbinding.open().await?;
    let publicatie = publicatiekanaal(&verbinding).await?;
    bereid_voor(&publicatie, &codes).await?;
    let consumptie = consumptiekanaal(&verbinding, opzet.prefetch()).await?;
    let totaal = opzet.claims * BERICHTEN_PER_CLAIM as u64;
    let gedeeld = Arc::new(Gedeeld {
        totaal,
        venster: tokio::sync::Semaphore::new(opzet.window),
        uitstaand: Mutex::new(HashMap::with_capacity(opzet.window * 2)),
        latentie: Mutex::default(),
        ontvangen: AtomicU64::new(0),
        gedaan: Notify::new(),
    });
    let mut taken: JoinSet<Result<(), LoadgenFout>> = JoinSet::new();
    for code in &codes {
        let q = topologie::in_queue(code);
        let consument = consumptie
            .basic_consume(
                q.as_str().into(),
                format!("loadgen-raw-{code}").as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        let g = Arc::clone(&gedeeld);
        taken.spawn(async move {
            let mut consument = consument;
            while let Some(levering) = consument.next().await {
                let levering = levering?;
                let id = levering
                    .properties
                    .message_id()
                    .as_ref()
                    .map(|m| m.as_str());
                g.ontvang(id)?;
                levering.acker.ack(BasicAckOptions::default()).await?;
            }
            Err(LoadgenFout::Afgebroken(format!(
                "the consumer on {q} stopped"
            )))
        });
    }
    let (bevestigingen, bevestig_rij) = mpsc::channel(opzet.window.max(1) * 2);
    taken.spawn(bevestiger(bevestig_rij));
    let bytes = Arc::new(AtomicU64::new(0));
    let begin = Instant::now();
    let verbruik_begin = proces::Verbruik::nu();
    {
        let g = Arc::clone(&gedeeld);
        let model = opzet.model.clone();
        let claims = opzet.claims;
        let bytes = Arc::clone(&bytes);
        taken.spawn(async move {
            let mut seq = 0u64;
            for claim in 0..claims {
                for v in model.gesprek(claim, nu())? {
                    g.venster
                        .acquire()
                        .await
                        .map_err(|_| LoadgenFout::Afgebroken("the window closed".into()))?
                        .forget();
                    seq += 1;
                    slot(&g.uitstaand).insert(seq, Instant::now());
                    let eigenschappen =
                        BasicProperties::default().with_message_id(seq.to_string().into());
                    let bevestiging =
                        publiceer(&publicatie, &v.afzender, v.xml.as_bytes(), eigenschappen)
                            .await?;
                    bytes.fetch_add(v.xml.len() as u64, Ordering::Relaxed);
                    bevestigingen
                        .send((bevestiging, v.bericht_id.to_string()))
                        .await
                        .map_err(|_| {
                            LoadgenFout::Afgebroken("the confirm checker stopped".into())
                        })?;
                }
            }
            // Everything is published; stay until the consumers are done.
            std::future::pending::<()>().await;
            Ok(())
        });
    }
    let g = Arc::clone(&gedeeld);
    let claims = opzet.claims;
    let uitkomst = wacht_tot_klaar(&mut taken, &gedeeld.gedaan, opzet.stil_na, move || {
        let ontvangen = g.ontvangen.load(Ordering::Relaxed);
        (
            ontvangen,
            false,
            LoadgenFout::Stil {
                seconden: opzet.stil_na.as_secs(),
                klaar: ontvangen / BERICHTEN_PER_CLAIM as u64,
                claims,
                in_vlucht: slot(&g.uitstaand).len(),
            },
        )
    })
    .await;
    let seconden = begin.elapsed().as_secs_f64();
    let verbruik = proces::Verbruik::nu().sinds(&verbruik_begin);
    taken.abort_all();
    let _ = verbinding.close(200, "loadgen raw done".into()).await;
    uitkomst?;
    let ontvangen = gedeeld.ontvangen.load(Ordering::Relaxed);
    let meting = Meting {
        fase: "raw".into(),
        deelnemers: codes.len(),
        claims: opzet.claims,
        window: opzet.window,
        berichten: ontvangen,
        gemiddelde_bytes: bytes.load(Ordering::Relaxed) as f64 / ontvangen.max(1) as f64,
        ..Meting::default()
    };
    let latentie = slot(&gedeeld.latentie).clone();
    Ok(meting
        .met_latentie(&latentie, seconden)
        .met_verbruik(verbruik))
}
