//! RabbitMQ mailboxes (operations.md "Mailboxes") through lapin: per
//! participant a durable quorum queue `cr.<code>.in` (the participant
//! publishes, the hub consumes) and `cr.<code>.out` (the hub publishes, the
//! participant consumes), on the default exchange.
//!
//! [`topologie`] names and declares the queues; everything that declares them
//! (the hub, `broker setup`, the load generator) goes through it, because
//! RabbitMQ refuses a second declaration with other arguments.

pub mod beheer;
pub mod postbus;
pub mod topologie;

use std::time::Duration;

use lapin::tcp::OwnedTLSConfig;
use lapin::{Connection, ConnectionProperties};

#[derive(Debug, thiserror::Error)]
pub enum AmqpFout {
    #[error("AMQP: {0}")]
    Lapin(#[from] lapin::Error),
    #[error("connecting to the broker timed out after {0:?}")]
    Timeout(Duration),
    #[error("reading the CA file {pad}: {bron}")]
    Ca { pad: String, bron: std::io::Error },
    #[error("the broker did not confirm a publish to {0}")]
    Nack(String),
    #[error("the consumer of {0} stopped")]
    Gestopt(String),
}

impl AmqpFout {
    /// A failure that trying again will not mend: the broker refused the
    /// login or the access (403), the virtual host does not exist (530),
    /// the path is invalid (402), or the CA file cannot be read.
    pub fn blijvend(&self) -> bool {
        match self {
            AmqpFout::Lapin(e) => match e.kind() {
                lapin::ErrorKind::ProtocolError(a) => matches!(a.get_id(), 402 | 403 | 530),
                lapin::ErrorKind::AuthProviderError(_)
                | lapin::ErrorKind::InvalidProtocolVersion(_) => true,
                _ => false,
            },
            AmqpFout::Ca { .. } => true,
            _ => false,
        }
    }
}

/// How to reach the broker: the URL (`amqp://` or `amqps://`) and, for TLS, an
/// extra CA in PEM beside the system's roots.
#[derive(Debug, Clone)]
pub struct Verbinding {
    pub url: String,
    pub tls_ca: Option<String>,
    pub naam: String,
    pub timeout: Duration,
}

impl Verbinding {
    pub fn new(url: &str, naam: &str) -> Verbinding {
        Verbinding {
            url: url.to_string(),
            tls_ca: None,
            naam: naam.to_string(),
            timeout: Duration::from_secs(10),
        }
    }

    /// Reads the extra CA file (`[mailbox] tls_ca`).
    pub fn met_ca(mut self, pad: Option<&std::path::Path>) -> Result<Verbinding, AmqpFout> {
        if let Some(pad) = pad {
            let pem = std::fs::read_to_string(pad).map_err(|bron| AmqpFout::Ca {
                pad: pad.display().to_string(),
                bron,
            })?;
            self.tls_ca = Some(pem);
        }
        Ok(self)
    }

    /// One connection, within the timeout (a broker that accepts TCP but never
    /// answers the handshake must not hang the hub).
    pub async fn open(&self) -> Result<Connection, AmqpFout> {
        let eigenschappen =
            ConnectionProperties::default().with_connection_name(self.naam.clone().into());
        let tls = OwnedTLSConfig {
            identity: None,
            cert_chain: self.tls_ca.clone(),
        };
        let runtime = lapin::runtime::default_runtime()?;
        let verbinding = Connection::connect_with_config(&self.url, eigenschappen, tls, runtime);
        match tokio::time::timeout(self.timeout, verbinding).await {
            Ok(v) => Ok(v?),
            Err(_) => Err(AmqpFout::Timeout(self.timeout)),
        }
    }
}
