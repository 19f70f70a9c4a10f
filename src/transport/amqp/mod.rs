//! RabbitMQ mailboxes (operations.md "Mailboxes") through lapin: per
//! participant a durable quorum queue `cr.<code>.in` (the participant
//! publishes, through its exchange of the same name; the hub consumes) and
//! `cr.<code>.out` (the hub publishes, the participant consumes).
//!
//! [`topologie`] names and declares the queues; everything that declares them
//! (the hub, `broker setup`, the load generator) goes through it, because
//! RabbitMQ refuses a second declaration with other arguments.
//!
//! TLS (docs/tls.md): `amqps://` verifies the broker's certificate against the
//! system's roots and `[mailbox] tls_ca`; `[mailbox] tls_cert` and `tls_key`
//! add a client certificate, with which `?auth_mechanism=external` logs in
//! without a password.

pub mod beheer;
pub mod postbus;
pub mod topologie;

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use lapin::tcp::{OwnedIdentity, OwnedTLSConfig};
use lapin::uri::{AMQPScheme, AMQPUri, SASLMechanism};
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
    /// A TLS handshake that failed, said in the operator's terms.
    #[error(transparent)]
    Tls(#[from] TlsFout),
    /// `[mailbox] tls_cert` or `tls_key` that cannot be read or used.
    #[error("[mailbox] {sleutel} {pad}: {reden}")]
    Identiteit {
        sleutel: &'static str,
        pad: String,
        reden: String,
    },
    /// The broker refused a login by client certificate (EXTERNAL).
    #[error(
        "AMQP: the broker refused the login by client certificate (EXTERNAL): {0}; it needs a \
         user named exactly as the certificate's subject CN (ssl_cert_login_from = \
         common_name) with permissions on the vhost"
    )]
    CertificaatLogin(lapin::Error),
    /// Settings that contradict each other (a client certificate without TLS,
    /// EXTERNAL without a client certificate).
    #[error("{0}")]
    Instelling(String),
}

impl AmqpFout {
    /// A failure that trying again will not mend: the broker refused the
    /// login (also by certificate) or the access (403), the virtual host
    /// does not exist (530), the path is invalid (402), a certificate was
    /// refused (the broker's by the hub or the hub's by the broker), a CA,
    /// certificate or key file cannot be read or used, or the settings
    /// contradict each other.
    pub fn blijvend(&self) -> bool {
        match self {
            AmqpFout::Lapin(e) => match e.kind() {
                lapin::ErrorKind::ProtocolError(a) => matches!(a.get_id(), 402 | 403 | 530),
                lapin::ErrorKind::AuthProviderError(_)
                | lapin::ErrorKind::InvalidProtocolVersion(_) => true,
                _ => false,
            },
            AmqpFout::Tls(t) => !matches!(t.soort, TlsSoort::Overig | TlsSoort::Verbroken),
            AmqpFout::Ca { .. }
            | AmqpFout::Identiteit { .. }
            | AmqpFout::Instelling(_)
            | AmqpFout::CertificaatLogin(_) => true,
            _ => false,
        }
    }
}

/// What went wrong in a TLS handshake. rustls is not a dependency of this
/// crate (lapin brings it), so this is read from the text of its error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsSoort {
    /// The broker's certificate is signed by a CA the hub does not trust
    /// (rustls `UnknownIssuer`).
    NietVertrouwd,
    /// The broker's certificate does not hold the name in the URL
    /// (rustls `NotValidForName`).
    AndereHost,
    /// The broker's certificate has expired or is not valid yet.
    Verlopen,
    /// Any other defect of the broker's certificate.
    Ongeldig,
    /// The broker refused the client certificate, or wants one and got none.
    ClientGeweigerd,
    /// `tls_cert` and `tls_key` do not belong together.
    EigenSleutel,
    /// The broker ended the connection while it was being opened, and a
    /// client certificate was presented. Under TLS 1.3 the client's
    /// handshake is over before the broker judges the certificate, so a
    /// refusal can reach the client as a reset instead of the alert; a
    /// reset can also be a broker going down, so this is not permanent.
    Verbroken,
    /// Anything else in the handshake: not a certificate problem.
    Overig,
}

#[derive(Debug, thiserror::Error)]
pub struct TlsFout {
    pub soort: TlsSoort,
    /// `host:port` of the broker.
    pub adres: String,
    /// What rustls said.
    pub detail: String,
    /// Whether a client certificate was presented.
    pub met_identiteit: bool,
}

impl fmt::Display for TlsFout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (adres, detail) = (&self.adres, &self.detail);
        match self.soort {
            TlsSoort::NietVertrouwd => write!(
                f,
                "TLS: the broker's certificate at {adres} is not trusted (UnknownIssuer); \
                 [mailbox] tls_ca must name the CA that signed it"
            ),
            TlsSoort::AndereHost => write!(
                f,
                "TLS: the broker's certificate at {adres} is for another host \
                 (NotValidForName: {detail}); connect by a name the certificate holds"
            ),
            TlsSoort::Verlopen => write!(
                f,
                "TLS: the broker's certificate at {adres} is outside its validity period \
                 ({detail}); renew it, or check this machine's clock"
            ),
            TlsSoort::Ongeldig => write!(
                f,
                "TLS: the broker's certificate at {adres} is refused ({detail})"
            ),
            TlsSoort::ClientGeweigerd if self.met_identiteit => write!(
                f,
                "TLS: the broker at {adres} refused the client certificate ({detail}); \
                 [mailbox] tls_cert must be valid and signed by a CA the broker trusts \
                 (its ssl_options.cacertfile)"
            ),
            TlsSoort::ClientGeweigerd => write!(
                f,
                "TLS: the broker at {adres} wants a client certificate ({detail}); \
                 set [mailbox] tls_cert and tls_key"
            ),
            TlsSoort::EigenSleutel => write!(
                f,
                "TLS: [mailbox] tls_cert and tls_key do not belong together ({detail}); \
                 the key must be the certificate's own"
            ),
            TlsSoort::Verbroken => write!(
                f,
                "TLS: the broker at {adres} ended the connection while it was being opened \
                 ({detail}); a broker that refuses the client certificate can end it so \
                 (TLS 1.3): [mailbox] tls_cert must be valid and signed by a CA the broker \
                 trusts (the broker's log names the reason)"
            ),
            TlsSoort::Overig if detail.contains("corrupt message") => write!(
                f,
                "TLS handshake with {adres} failed ({detail}); is {adres} a TLS listener? \
                 (RabbitMQ's is usually port 5671)"
            ),
            TlsSoort::Overig => write!(f, "TLS handshake with {adres} failed ({detail})"),
        }
    }
}

/// Alerts a TLS server sends about the client's certificate.
const CLIENT_ALERTS: [&str; 8] = [
    "UnknownCA",
    "BadCertificate",
    "UnsupportedCertificate",
    "CertificateRevoked",
    "CertificateExpired",
    "CertificateUnknown",
    "CertificateRequired",
    "AccessDenied",
];

/// The TLS failure in an error's text, when it is one: rustls says
/// "invalid peer certificate: …" about the broker's certificate,
/// "received fatal alert: …" when the broker ends the handshake, and
/// "keys may not be consistent" about the client's own pair.
pub fn tls_soort(tekst: &str) -> Option<(TlsSoort, String)> {
    const CERTIFICAAT: &str = "invalid peer certificate: ";
    const ALERT: &str = "received fatal alert: ";
    if let Some(i) = tekst.find(CERTIFICAAT) {
        let detail = tekst[i + CERTIFICAAT.len()..].to_string();
        let soort = if detail.starts_with("UnknownIssuer") {
            TlsSoort::NietVertrouwd
        } else if detail.contains("not valid for name") || detail.starts_with("NotValidForName") {
            TlsSoort::AndereHost
        } else if detail.contains("expired")
            || detail.contains("not valid yet")
            || detail.starts_with("Expired")
            || detail.starts_with("NotValidYet")
        {
            TlsSoort::Verlopen
        } else {
            TlsSoort::Ongeldig
        };
        return Some((soort, detail));
    }
    if let Some(i) = tekst.find(ALERT) {
        let alert = tekst[i + ALERT.len()..].trim();
        let soort = if CLIENT_ALERTS.iter().any(|a| alert.starts_with(a)) {
            TlsSoort::ClientGeweigerd
        } else {
            TlsSoort::Overig
        };
        return Some((soort, format!("the broker sent the alert {alert}")));
    }
    if let Some(i) = tekst.find("keys may not be consistent") {
        return Some((TlsSoort::EigenSleutel, tekst[i..].to_string()));
    }
    for teken in [
        "received corrupt message",
        "peer is incompatible",
        "peer misbehaved",
    ] {
        if let Some(i) = tekst.find(teken) {
            return Some((TlsSoort::Overig, tekst[i..].to_string()));
        }
    }
    None
}

/// A client certificate (chain) and its private key, both PEM.
#[derive(Clone)]
pub struct Identiteit {
    pub cert_pad: String,
    pub cert_pem: Vec<u8>,
    sleutel_pem: Vec<u8>,
}

impl fmt::Debug for Identiteit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key.
        f.debug_struct("Identiteit")
            .field("cert_pad", &self.cert_pad)
            .finish_non_exhaustive()
    }
}

/// How to reach the broker: the URL (`amqp://` or `amqps://`) and, for TLS, an
/// extra CA in PEM beside the system's roots and a client certificate.
#[derive(Clone)]
pub struct Verbinding {
    pub url: String,
    pub tls_ca: Option<String>,
    pub identiteit: Option<Identiteit>,
    pub naam: String,
    pub timeout: Duration,
}

impl fmt::Debug for Verbinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the password in the URL nor the key.
        f.debug_struct("Verbinding")
            .field("url", &crate::verbergen::url(&self.url))
            .field("tls_ca", &self.tls_ca.as_ref().map(|_| "…"))
            .field("identiteit", &self.identiteit)
            .field("naam", &self.naam)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Verbinding {
    pub fn new(url: &str, naam: &str) -> Verbinding {
        crate::kies_crypto();
        Verbinding {
            url: url.to_string(),
            tls_ca: None,
            identiteit: None,
            naam: naam.to_string(),
            timeout: Duration::from_secs(10),
        }
    }

    /// Reads the extra CA file (`[mailbox] tls_ca`). A file without a PEM
    /// certificate is refused here: lapin would skip it without a word and
    /// every handshake would then fail as "not trusted".
    pub fn met_ca(mut self, pad: Option<&Path>) -> Result<Verbinding, AmqpFout> {
        if let Some(pad) = pad {
            let fout = |bron| AmqpFout::Ca {
                pad: pad.display().to_string(),
                bron,
            };
            let pem = std::fs::read_to_string(pad).map_err(fout)?;
            if !pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err(fout(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                )));
            }
            self.tls_ca = Some(pem);
        }
        Ok(self)
    }

    /// Reads the client certificate (chain) and its private key
    /// (`[mailbox] tls_cert`, `tls_key`), both PEM; the key PKCS#8, PKCS#1
    /// (RSA) or SEC1 (EC), unencrypted. Both or neither.
    pub fn met_identiteit(
        mut self,
        cert: Option<&Path>,
        sleutel: Option<&Path>,
    ) -> Result<Verbinding, AmqpFout> {
        let (cert, sleutel) = match (cert, sleutel) {
            (None, None) => return Ok(self),
            (Some(c), Some(s)) => (c, s),
            (Some(_), None) => {
                return Err(AmqpFout::Instelling(
                    "[mailbox] tls_cert is set but tls_key is not: a client certificate \
                     needs its private key"
                        .into(),
                ));
            }
            (None, Some(_)) => {
                return Err(AmqpFout::Instelling(
                    "[mailbox] tls_key is set but tls_cert is not: a private key needs \
                     its client certificate"
                        .into(),
                ));
            }
        };
        let lees = |sleutel: &'static str, pad: &Path| {
            std::fs::read(pad).map_err(|e| AmqpFout::Identiteit {
                sleutel,
                pad: pad.display().to_string(),
                reden: e.to_string(),
            })
        };
        let fout = |sleutel: &'static str, pad: &Path, reden: &str| AmqpFout::Identiteit {
            sleutel,
            pad: pad.display().to_string(),
            reden: reden.to_string(),
        };
        let cert_pem = lees("tls_cert", cert)?;
        if !bevat(&cert_pem, b"-----BEGIN CERTIFICATE-----") {
            return Err(fout(
                "tls_cert",
                cert,
                "holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            ));
        }
        let sleutel_pem = lees("tls_key", sleutel)?;
        if bevat(&sleutel_pem, b"-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(fout(
                "tls_key",
                sleutel,
                "is encrypted; the hub needs the key unencrypted (protect the file instead)",
            ));
        }
        if !bevat(&sleutel_pem, b"PRIVATE KEY-----") {
            return Err(fout(
                "tls_key",
                sleutel,
                "holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC)",
            ));
        }
        self.identiteit = Some(Identiteit {
            cert_pad: cert.display().to_string(),
            cert_pem,
            sleutel_pem,
        });
        Ok(self)
    }

    /// [`Verbinding::met_identiteit`] with `[mailbox] tls_cert` and `tls_key`.
    pub fn met_identiteit_van(
        self,
        mailbox: &crate::config::Mailbox,
    ) -> Result<Verbinding, AmqpFout> {
        self.met_identiteit(mailbox.tls_cert.as_deref(), mailbox.tls_key.as_deref())
    }

    /// `host:port` from the URL, for messages.
    fn adres(uri: &AMQPUri) -> String {
        format!("{}:{}", uri.authority.host, uri.authority.port)
    }

    /// Settings that cannot work, refused before connecting.
    fn controleer(&self, uri: &AMQPUri) -> Result<(), AmqpFout> {
        let tls = uri.scheme == AMQPScheme::AMQPS;
        if self.identiteit.is_some() && !tls {
            return Err(AmqpFout::Instelling(
                "[mailbox] tls_cert is set but the mailbox URL is amqp:// (no TLS): \
                 use amqps://"
                    .into(),
            ));
        }
        if uri.query.auth_mechanism == Some(SASLMechanism::External) {
            if !tls {
                return Err(AmqpFout::Instelling(
                    "the mailbox URL asks for auth_mechanism=external (login by client \
                     certificate), which needs amqps://"
                        .into(),
                ));
            }
            if self.identiteit.is_none() {
                return Err(AmqpFout::Instelling(
                    "the mailbox URL asks for auth_mechanism=external (login by client \
                     certificate) but no certificate is set: set [mailbox] tls_cert and tls_key"
                        .into(),
                ));
            }
        }
        Ok(())
    }

    /// One connection, within the timeout (a broker that accepts TCP but never
    /// answers the handshake must not hang the hub).
    pub async fn open(&self) -> Result<Connection, AmqpFout> {
        // A URL lapin cannot parse is left to lapin to report.
        let uri = AMQPUri::from_str(&self.url).ok();
        if let Some(uri) = &uri {
            self.controleer(uri)?;
        }
        let eigenschappen =
            ConnectionProperties::default().with_connection_name(self.naam.clone().into());
        let tls = OwnedTLSConfig {
            identity: self.identiteit.as_ref().map(|i| OwnedIdentity::PKCS8 {
                pem: i.cert_pem.clone(),
                key: i.sleutel_pem.clone(),
            }),
            cert_chain: self.tls_ca.clone(),
        };
        let runtime = lapin::runtime::default_runtime()?;
        let verbinding = Connection::connect_with_config(&self.url, eigenschappen, tls, runtime);
        match tokio::time::timeout(self.timeout, verbinding).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.vertaal(e, uri.as_ref())),
            Err(_) => Err(AmqpFout::Timeout(self.timeout)),
        }
    }

    /// A lapin error of an `amqps://` connection that is a TLS failure,
    /// translated; any other error as it is.
    fn vertaal(&self, e: lapin::Error, uri: Option<&AMQPUri>) -> AmqpFout {
        let Some(uri) = uri.filter(|u| u.scheme == AMQPScheme::AMQPS) else {
            return e.into();
        };
        if uri.query.auth_mechanism == Some(SASLMechanism::External)
            && matches!(e.kind(), lapin::ErrorKind::ProtocolError(a) if a.get_id() == 403)
        {
            return AmqpFout::CertificaatLogin(e);
        }
        let mut tekst = e.to_string();
        let mut bron = std::error::Error::source(&e);
        while let Some(b) = bron {
            // lapin's and io's texts repeat their source's; say it once.
            let deel = b.to_string();
            if !tekst.contains(&deel) {
                tekst.push_str(": ");
                tekst.push_str(&deel);
            }
            bron = b.source();
        }
        let verbroken = match e.kind() {
            lapin::ErrorKind::IOError(io) => matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            ),
            _ => false,
        };
        let soort = tls_soort(&tekst).or_else(|| {
            (verbroken && self.identiteit.is_some()).then(|| (TlsSoort::Verbroken, tekst.clone()))
        });
        match soort {
            Some((soort, detail)) => TlsFout {
                soort,
                adres: Verbinding::adres(uri),
                detail,
                met_identiteit: self.identiteit.is_some(),
            }
            .into(),
            None => e.into(),
        }
    }
}

fn bevat(hooiberg: &[u8], naald: &[u8]) -> bool {
    memchr::memmem::find(hooiberg, naald).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_fouten_worden_herkend() {
        let (s, d) = tls_soort("IO error: invalid peer certificate: UnknownIssuer").unwrap();
        assert_eq!((s, d.as_str()), (TlsSoort::NietVertrouwd, "UnknownIssuer"));
        let (s, d) = tls_soort(
            "IO error: invalid peer certificate: certificate not valid for name \"127.0.0.1\"; \
             certificate is only valid for DnsName(\"localhost\")",
        )
        .unwrap();
        assert_eq!(s, TlsSoort::AndereHost);
        assert!(d.contains("127.0.0.1"), "{d}");
        let (s, _) = tls_soort(
            "invalid peer certificate: certificate expired: verification time 2 (UNIX), \
             but certificate is not valid after 1 (1 seconds ago)",
        )
        .unwrap();
        assert_eq!(s, TlsSoort::Verlopen);
        let (s, _) = tls_soort("invalid peer certificate: BadSignature").unwrap();
        assert_eq!(s, TlsSoort::Ongeldig);
        let (s, d) = tls_soort("IO error: received fatal alert: UnknownCA").unwrap();
        assert_eq!(s, TlsSoort::ClientGeweigerd);
        assert!(d.contains("UnknownCA"), "{d}");
        let (s, _) = tls_soort("received fatal alert: HandshakeFailure").unwrap();
        assert_eq!(s, TlsSoort::Overig);
        let (s, _) = tls_soort("keys may not be consistent: KeyMismatch").unwrap();
        assert_eq!(s, TlsSoort::EigenSleutel);
        assert!(tls_soort("IO error: Connection refused (os error 111)").is_none());
    }

    #[test]
    fn alleen_certificaatfouten_zijn_blijvend() {
        let fout = |soort| {
            AmqpFout::Tls(TlsFout {
                soort,
                adres: "localhost:5671".into(),
                detail: "x".into(),
                met_identiteit: true,
            })
        };
        for s in [
            TlsSoort::NietVertrouwd,
            TlsSoort::AndereHost,
            TlsSoort::Verlopen,
            TlsSoort::Ongeldig,
            TlsSoort::ClientGeweigerd,
            TlsSoort::EigenSleutel,
        ] {
            assert!(fout(s).blijvend(), "{s:?}");
        }
        assert!(!fout(TlsSoort::Overig).blijvend());
        assert!(!fout(TlsSoort::Verbroken).blijvend());
        let tekst = fout(TlsSoort::NietVertrouwd).to_string();
        assert!(
            tekst.contains("localhost:5671") && tekst.contains("tls_ca"),
            "{tekst}"
        );
    }

    fn bestand(map: &Path, naam: &str, inhoud: &str) -> std::path::PathBuf {
        let p = map.join(naam);
        std::fs::write(&p, inhoud).unwrap();
        p
    }

    #[test]
    fn identiteit_wordt_gecontroleerd_en_nooit_getoond() {
        let map =
            std::env::temp_dir().join(format!("clearinghuis-identiteit-{}", std::process::id()));
        std::fs::create_dir_all(&map).unwrap();
        let cert = bestand(
            &map,
            "cert.pem",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        );
        let geheim = "GEHEIM-SLEUTELMATERIAAL";
        let sleutel = bestand(
            &map,
            "key.pem",
            &format!("-----BEGIN PRIVATE KEY-----\n{geheim}\n-----END PRIVATE KEY-----\n"),
        );
        let versleuteld = bestand(
            &map,
            "enc.pem",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        );
        let leeg = bestand(&map, "leeg.pem", "niets\n");
        let basis = || Verbinding::new("amqps://gast:wachtwoord123@localhost:5671/%2f", "t");

        let v = basis()
            .met_identiteit(Some(&cert), Some(&sleutel))
            .expect("a pair");
        let debug = format!("{v:?}");
        assert!(!debug.contains(geheim), "{debug}");
        assert!(!debug.contains("wachtwoord123"), "{debug}");
        assert!(v.identiteit.is_some());

        let e = basis().met_identiteit(Some(&cert), None).unwrap_err();
        assert!(e.blijvend() && e.to_string().contains("tls_key"), "{e}");
        let e = basis()
            .met_identiteit(Some(&cert), Some(&versleuteld))
            .unwrap_err();
        assert!(e.blijvend() && e.to_string().contains("encrypted"), "{e}");
        let e = basis()
            .met_identiteit(Some(&leeg), Some(&sleutel))
            .unwrap_err();
        assert!(e.to_string().contains("no PEM certificate"), "{e}");
        let e = basis()
            .met_identiteit(Some(&cert), Some(&map.join("ontbreekt.pem")))
            .unwrap_err();
        assert!(e.to_string().contains("ontbreekt.pem"), "{e}");
        let e = basis().met_ca(Some(&leeg)).unwrap_err();
        assert!(
            e.blijvend() && e.to_string().contains("no PEM certificate"),
            "{e}"
        );
        std::fs::remove_dir_all(&map).unwrap();
    }

    #[tokio::test]
    async fn tegenstrijdige_instellingen_voor_het_verbinden() {
        let map =
            std::env::temp_dir().join(format!("clearinghuis-instelling-{}", std::process::id()));
        std::fs::create_dir_all(&map).unwrap();
        let cert = bestand(
            &map,
            "cert.pem",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        );
        let sleutel = bestand(
            &map,
            "key.pem",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        );
        // Port 9 (discard): nothing is reached, the settings are refused first.
        let e = Verbinding::new("amqp://127.0.0.1:9/%2f", "t")
            .met_identiteit(Some(&cert), Some(&sleutel))
            .unwrap()
            .open()
            .await
            .unwrap_err();
        assert!(e.blijvend() && e.to_string().contains("amqps://"), "{e}");
        let e = Verbinding::new("amqps://127.0.0.1:9/%2f?auth_mechanism=external", "t")
            .open()
            .await
            .unwrap_err();
        assert!(e.blijvend() && e.to_string().contains("tls_cert"), "{e}");
        std::fs::remove_dir_all(&map).unwrap();
    }
}
