//! The hub's side of the RabbitMQ mailboxes: one consumer per `cr.<code>.in`
//! with manual acknowledgement and a bounded prefetch, and a publishing
//! channel in confirm mode for `cr.<code>.out`.
//!
//! Recovery is not lapin's: when the connection goes, the dispatcher drops
//! this [`AmqpPostbus`] and opens a new one. Unacked deliveries then come back
//! with `redelivered`, which the dispatcher checks against the store.

use std::time::Duration;

use futures_lite::stream::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection};
use tokio::sync::mpsc;

use super::{AmqpFout, Verbinding, topologie};
use crate::bericht::Deelnemercode;

/// An inbound message taken from a participant's `in` queue, not yet acked.
pub struct Levering {
    pub mailbox: Deelnemercode,
    pub bytes: Vec<u8>,
    /// The AMQP `user_id` property: the broker has checked it against the
    /// connection's user; the hub checks it against the mailbox.
    pub user_id: Option<String>,
    /// The broker delivered it before (to a hub that did not ack it).
    pub herbezorgd: bool,
    acker: lapin::Acker,
}

/// An outbound message for a participant's `out` queue.
pub struct TeVerzenden<'a> {
    pub mailbox: &'a Deelnemercode,
    pub bericht_id: &'a str,
    pub xml: &'a [u8],
}

/// The hub's broker user, which the broker compares with the `user_id` of
/// every answer: under certificate login (`?auth_mechanism=external`) the
/// common name of the client certificate (`ssl_cert_login_from =
/// common_name`), else the user of the URL.
pub fn hub_gebruiker(v: &Verbinding) -> Result<String, AmqpFout> {
    let extern_ = v
        .url
        .to_ascii_lowercase()
        .contains("auth_mechanism=external");
    match (&v.identiteit, extern_) {
        (Some(id), true) => common_name(&id.cert_pem).ok_or_else(|| {
            AmqpFout::Instelling(format!(
                "[mailbox] tls_cert {}: no subject common name (CN), which names the hub's broker user under certificate login",
                id.cert_pad
            ))
        }),
        _ => Ok(gebruiker(&v.url)),
    }
}

/// The subject CN of the first certificate in `pem`.
fn common_name(pem: &[u8]) -> Option<String> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem).ok()?;
    let cert = pem.parse_x509().ok()?;
    let cn = cert.subject().iter_common_name().next()?;
    cn.as_str().ok().map(str::to_string)
}

/// The user name of an AMQP URL (`amqp://user:password@host/vhost`), or
/// RabbitMQ's default `guest` when it names none.
fn gebruiker(url: &str) -> String {
    let na_schema = url.split_once("://").map_or(url, |(_, r)| r);
    match na_schema.rsplit_once('@') {
        Some((info, _)) => {
            let naam = info.split_once(':').map_or(info, |(n, _)| n);
            crate::verbergen::procent_gedecodeerd(naam)
        }
        None => "guest".to_string(),
    }
}

/// Published messages whose confirms are still to come.
pub struct Onderweg {
    bevestigingen: Vec<(String, lapin::PublisherConfirm)>,
}

impl Onderweg {
    /// Takes the confirms that have arrived, without waiting; true when
    /// none is left to come. A nack is an error, as in [`Onderweg::bevestigd`].
    pub async fn binnen(&mut self) -> Result<bool, AmqpFout> {
        while let Some((wachtrij, b)) = self.bevestigingen.first_mut() {
            match futures_lite::future::poll_once(b).await {
                None => return Ok(false),
                Some(r) => {
                    if !r?.is_ack() {
                        return Err(AmqpFout::Nack(wachtrij.clone()));
                    }
                    self.bevestigingen.remove(0);
                }
            }
        }
        Ok(true)
    }

    /// Waits for every confirm; a nack or a lost connection is an error (the
    /// messages stay unsent in the store and go out again).
    pub async fn bevestigd(self) -> Result<(), AmqpFout> {
        for (wachtrij, b) in self.bevestigingen {
            if !b.await?.is_ack() {
                return Err(AmqpFout::Nack(wachtrij));
            }
        }
        Ok(())
    }
}

pub struct AmqpPostbus {
    /// The hub's broker user: every answer carries it as `user_id`, which
    /// the broker vouches for, so participants can tell the hub's answers
    /// from anything else put into their `out` queue.
    gebruiker: String,
    verbinding: Connection,
    uit: Channel,
    binnen: mpsc::Receiver<Result<Levering, AmqpFout>>,
    taken: Vec<tokio::task::JoinHandle<()>>,
}

impl AmqpPostbus {
    /// Connects, declares the topology and starts consuming every `in` queue
    /// with at most `prefetch` unacked deliveries per queue.
    pub async fn open(
        v: &Verbinding,
        codes: &[Deelnemercode],
        prefetch: u16,
    ) -> Result<AmqpPostbus, AmqpFout> {
        let gebruiker = hub_gebruiker(v)?;
        let verbinding = v.open().await?;
        let kanaal = verbinding.create_channel().await?;
        topologie::declareer(&kanaal, codes).await?;
        // Per consumer (quorum queues refuse a global prefetch).
        kanaal
            .basic_qos(prefetch, BasicQosOptions { global: false })
            .await?;
        let (tx, binnen) = mpsc::channel(usize::from(prefetch).max(1) * codes.len().max(1));
        let mut taken = Vec::with_capacity(codes.len());
        for code in codes {
            let mut consumer = kanaal
                .basic_consume(
                    topologie::in_queue(code).into(),
                    format!("clearinghuis-{code}").into(),
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                )
                .await?;
            let tx = tx.clone();
            let code = code.clone();
            taken.push(tokio::spawn(async move {
                while let Some(d) = consumer.next().await {
                    let bericht = d.map_err(AmqpFout::from).map(|d| Levering {
                        mailbox: code.clone(),
                        user_id: d.properties.user_id().as_ref().map(|u| u.to_string()),
                        herbezorgd: d.redelivered,
                        bytes: d.data,
                        acker: d.acker,
                    });
                    let stop = bericht.is_err();
                    if tx.send(bericht).await.is_err() || stop {
                        return;
                    }
                }
                let _ = tx.send(Err(AmqpFout::Gestopt(code.to_string()))).await;
            }));
        }
        let uit = verbinding.create_channel().await?;
        uit.confirm_select(ConfirmSelectOptions::default()).await?;
        Ok(AmqpPostbus {
            gebruiker,
            verbinding,
            uit,
            binnen,
            taken,
        })
    }

    /// Up to `max` deliveries: waits at most `wacht` for the first one, then
    /// takes what is there. A failed consumer or connection is an error.
    pub async fn haal(&mut self, max: usize, wacht: Duration) -> Result<Vec<Levering>, AmqpFout> {
        let mut uit = Vec::new();
        match tokio::time::timeout(wacht, self.binnen.recv()).await {
            Err(_) => return Ok(uit),
            Ok(None) => return Err(AmqpFout::Gestopt("all".into())),
            Ok(Some(l)) => uit.push(l?),
        }
        while uit.len() < max {
            match self.binnen.try_recv() {
                Ok(l) => uit.push(l?),
                Err(_) => break,
            }
        }
        Ok(uit)
    }

    /// Acknowledges deliveries whose effects are committed. A delivery from
    /// before a lost connection cannot be acked any more: the broker will
    /// deliver it again, and the store recognises it.
    pub async fn ack(&self, leveringen: Vec<Levering>) -> Result<(), AmqpFout> {
        for l in leveringen {
            if !l.acker.ack(BasicAckOptions::default()).await? {
                tracing::warn!(mailbox = %l.mailbox, "ack after a lost connection; the broker redelivers");
            }
        }
        Ok(())
    }

    /// Publishes persistent messages and returns once the broker confirmed
    /// every one (a majority of the quorum queue's replicas has it on disk).
    pub async fn lever(&self, berichten: &[TeVerzenden<'_>]) -> Result<(), AmqpFout> {
        self.publiceer(berichten).await?.bevestigd().await
    }

    /// Publishes persistent messages without waiting for the confirms: the
    /// dispatcher goes on with the next round meanwhile.
    pub async fn publiceer(&self, berichten: &[TeVerzenden<'_>]) -> Result<Onderweg, AmqpFout> {
        let mut bevestigingen = Vec::with_capacity(berichten.len());
        for b in berichten {
            let eigenschappen = BasicProperties::default()
                .with_delivery_mode(2)
                .with_content_type("application/xml".into())
                .with_message_id(b.bericht_id.into())
                .with_user_id(self.gebruiker.as_str().into());
            let wachtrij = topologie::out_queue(b.mailbox);
            let bevestiging = self
                .uit
                .basic_publish(
                    "".into(),
                    wachtrij.as_str().into(),
                    BasicPublishOptions::default(),
                    b.xml,
                    eigenschappen,
                )
                .await?;
            bevestigingen.push((wachtrij, bevestiging));
        }
        Ok(Onderweg { bevestigingen })
    }

    /// Closes the connection (unacked deliveries return to their queues).
    pub async fn sluit(self) {
        for t in &self.taken {
            t.abort();
        }
        let _ = self
            .verbinding
            .close(200, "clearinghuis stops".into())
            .await;
    }
}

impl Drop for AmqpPostbus {
    fn drop(&mut self) {
        for t in &self.taken {
            t.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Identiteit;
    use super::{Verbinding, gebruiker, hub_gebruiker};

    fn certificaat(cn: Option<&str>) -> Vec<u8> {
        let mut p = rcgen::CertificateParams::new(vec!["hub.example".into()]).expect("params");
        p.distinguished_name = rcgen::DistinguishedName::new();
        if let Some(cn) = cn {
            p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        }
        p.distinguished_name
            .push(rcgen::DnType::OrganizationName, "Clearinghuis");
        let sleutel = rcgen::KeyPair::generate().expect("key");
        p.self_signed(&sleutel).expect("cert").pem().into_bytes()
    }

    fn met(url: &str, cn: Option<&str>) -> Verbinding {
        let mut v = Verbinding::new(url, "test");
        v.identiteit = Some(Identiteit {
            cert_pad: "hub.pem".into(),
            cert_pem: certificaat(cn),
            sleutel_pem: Vec::new(),
        });
        v
    }

    /// Under certificate login the broker's user is the certificate's CN,
    /// and the answers' `user_id` must be that (else the broker refuses
    /// them, 406); with a password, the URL's user, certificate or not.
    #[test]
    fn de_hub_gebruiker_bij_een_certificaat() {
        let extern_ = "amqps://broker:5671/%2f?auth_mechanism=external";
        assert_eq!(
            hub_gebruiker(&met(extern_, Some("clearinghuis-hub"))).expect("cn"),
            "clearinghuis-hub"
        );
        assert!(hub_gebruiker(&met(extern_, None)).is_err());
        assert_eq!(
            hub_gebruiker(&met("amqps://hub:pw@broker:5671/%2f", Some("x"))).expect("url"),
            "hub"
        );
    }

    #[test]
    fn gebruiker_uit_de_url() {
        assert_eq!(gebruiker("amqp://guest:guest@127.0.0.1:5672/%2f"), "guest");
        assert_eq!(
            gebruiker("amqps://hub%2Dprod:p%40ss@broker:5671/%2f"),
            "hub-prod"
        );
        assert_eq!(gebruiker("amqp://hub@broker/%2f"), "hub");
        assert_eq!(gebruiker("amqp://127.0.0.1:5672/%2f"), "guest");
    }
}
