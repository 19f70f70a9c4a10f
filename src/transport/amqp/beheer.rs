//! Broker administration behind `clearinghuis broker setup` (docs/broker.md):
//! the topology through [`topologie::declareer`], and per participant a
//! RabbitMQ user named by its code, with a generated password and
//! permissions on its own two queues only.
//!
//! Users and permissions are made with `rabbitmqctl`, which talks to the
//! local node over Erlang distribution: the command runs on the broker host
//! (the management plugin is not assumed). Everything here is idempotent: a
//! second run changes nothing and says so.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use lapin::uri::AMQPUri;
use serde::Deserialize;

use super::{AmqpFout, Verbinding, topologie};
use crate::bericht::Deelnemercode;

/// Length of a generated password: 32 of 62 letters and digits is about 190
/// bits, and needs no escaping in an `amqp://` URL or a shell.
pub const WACHTWOORD_LENGTE: usize = 32;

/// How long one `rabbitmqctl` call may take before it is killed.
const RABBITMQCTL_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum BeheerFout {
    #[error(transparent)]
    Amqp(#[from] AmqpFout),
    #[error("mailbox URL {url}: {reden}")]
    Url { url: String, reden: String },
    #[error(
        "cannot run {programma}: {bron} (broker setup runs rabbitmqctl: run it on the broker host)"
    )]
    RabbitmqctlStart {
        programma: String,
        bron: std::io::Error,
    },
    #[error("rabbitmqctl {opdracht} failed ({status}): {uitvoer}")]
    Rabbitmqctl {
        opdracht: String,
        status: String,
        uitvoer: String,
    },
    #[error("rabbitmqctl {opdracht} did not finish within {timeout:?}")]
    RabbitmqctlTimeout { opdracht: String, timeout: Duration },
    #[error("rabbitmqctl {opdracht}: output not understood: {reden}")]
    Uitvoer { opdracht: String, reden: String },
    #[error("{pad}: {bron}")]
    Bestand { pad: String, bron: std::io::Error },
}

fn bestandsfout(pad: &Path) -> impl FnOnce(std::io::Error) -> BeheerFout + '_ {
    move |bron| BeheerFout::Bestand {
        pad: pad.display().to_string(),
        bron,
    }
}

/// The vhost the URL connects to, decoded as lapin decodes it
/// (`amqp://…/%2f` is `/`), so the permissions land where the hub connects.
pub fn vhost(url: &str) -> Result<String, BeheerFout> {
    let uri = AMQPUri::from_str(url).map_err(|reden| BeheerFout::Url {
        url: zonder_wachtwoord(url),
        reden,
    })?;
    if uri.vhost.is_empty() {
        return Err(BeheerFout::Url {
            url: zonder_wachtwoord(url),
            reden: "names no vhost (use /%2f for the default vhost /)".into(),
        });
    }
    Ok(uri.vhost)
}

/// The URL as it may be printed: a password replaced by `***` (the one
/// redaction of the crate, [`crate::verbergen::url`]).
pub fn zonder_wachtwoord(url: &str) -> String {
    crate::verbergen::url(url)
}

/// Escapes what a regular expression would read as an operator.
fn regex_letterlijk(tekst: &str) -> String {
    let mut uit = String::with_capacity(tekst.len() + 4);
    for c in tekst.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            uit.push('\\');
        }
        uit.push(c);
    }
    uit
}

/// A user's permissions on one vhost: three regular expressions matched
/// against resource names (RabbitMQ "access-control").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Rechten {
    pub configure: String,
    pub write: String,
    pub read: String,
}

/// What a participant may do, anchored and with the dots escaped:
/// - configure `^$`: declare, delete or bind nothing;
/// - write `^cr\.<code>\.in$`: publish through its own exchange, which
///   routes to its own in queue only ([`topologie::in_exchange`] has the
///   queue's name). Not the default exchange (`amq.default`): RabbitMQ
///   authorises a publish on the exchange alone, and the default exchange
///   reaches every queue. Write on its in queue grants nothing more
///   (binding also needs read on an exchange, which it lacks) and lets a
///   broker that asks for some permission on a passive declare accept the
///   participant's check of that queue;
/// - read `^cr\.<code>\.out$`: consume, get and purge its own out queue.
///
/// Acks need no permission. See docs/broker.md.
pub fn rechten(code: &Deelnemercode) -> Rechten {
    Rechten {
        configure: "^$".to_string(),
        write: format!("^{}$", regex_letterlijk(&topologie::in_exchange(code))),
        read: format!("^{}$", regex_letterlijk(&topologie::out_queue(code))),
    }
}

/// No access at all: what an operator sets to shut a participant out.
pub fn geen_rechten() -> Rechten {
    Rechten {
        configure: "^$".to_string(),
        write: "^$".to_string(),
        read: "^$".to_string(),
    }
}

/// A participant's broker user that could reach beyond its own mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gat {
    pub gebruiker: String,
    pub reden: String,
}

impl fmt::Display for Gat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.gebruiker, self.reden)
    }
}

/// Checks that the broker keeps participants apart: every participant's
/// user on `vhost` has exactly the permissions of [`rechten`] (or none at
/// all) and no `impersonator` tag. The hub runs this at start and refuses a
/// broker with holes. Exact equality, not a reading of the regexes: the
/// broker's regexes are Erlang's, and "matches nothing but its own
/// exchange" cannot be decided for any regex; `broker setup` sets these.
pub fn controleer_isolatie(
    ctl: &Rabbitmqctl,
    vhost: &str,
    codes: &[Deelnemercode],
) -> Result<Vec<Gat>, BeheerFout> {
    let gebruikers = ctl.gebruikers()?;
    let alle = ctl.alle_rechten(vhost)?;
    let mut gaten = Vec::new();
    for code in codes {
        let naam = code.to_string();
        if gebruikers
            .get(&naam)
            .is_some_and(|t| t.iter().any(|t| t == "impersonator"))
        {
            gaten.push(Gat {
                gebruiker: naam.clone(),
                reden: "has the impersonator tag: it may publish with any user_id".into(),
            });
        }
        let Some(r) = alle.get(&naam) else { continue };
        if *r == rechten(code) || *r == geen_rechten() {
            continue;
        }
        let reden = if r.write.contains("amq") || r.write.contains(".*") {
            format!(
                "may write to the default exchange or others (write `{}`): it can put messages into any queue",
                r.write
            )
        } else {
            format!(
                "has permissions other than broker setup's (configure `{}`, write `{}`, read `{}`)",
                r.configure, r.write, r.read
            )
        };
        gaten.push(Gat {
            gebruiker: naam,
            reden,
        });
    }
    Ok(gaten)
}

/// A password from the kernel's random source: letters and digits only,
/// drawn without modulo bias.
pub fn nieuw_wachtwoord() -> Result<String, BeheerFout> {
    const TEKENS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    // The largest multiple of 62 below 256: bytes at or above it are dropped.
    const GRENS: u8 = 248;
    let pad = Path::new("/dev/urandom");
    let mut bron = File::open(pad).map_err(bestandsfout(pad))?;
    let mut uit = String::with_capacity(WACHTWOORD_LENGTE);
    let mut buf = [0u8; 64];
    while uit.len() < WACHTWOORD_LENGTE {
        bron.read_exact(&mut buf).map_err(bestandsfout(pad))?;
        for b in buf.iter().copied().filter(|b| *b < GRENS) {
            if uit.len() == WACHTWOORD_LENGTE {
                break;
            }
            uit.push(char::from(TEKENS[usize::from(b) % TEKENS.len()]));
        }
    }
    Ok(uit)
}

/// `<dir>/<code>.password`.
pub fn wachtwoordbestand(map: &Path, code: &Deelnemercode) -> PathBuf {
    map.join(format!("{code}.password"))
}

/// Reads a password file (one line; the newline is not part of it).
pub fn lees_wachtwoord(pad: &Path) -> Result<String, BeheerFout> {
    let tekst = std::fs::read_to_string(pad).map_err(bestandsfout(pad))?;
    Ok(tekst.trim_end_matches(['\n', '\r']).to_string())
}

/// A password file being written: mode 0600 from the first byte, renamed
/// into place only once the broker has the password, so the file never
/// holds a password the broker does not know.
struct NieuwBestand {
    tijdelijk: PathBuf,
    doel: PathBuf,
}

impl NieuwBestand {
    fn schrijf(doel: PathBuf, wachtwoord: &str) -> Result<NieuwBestand, BeheerFout> {
        let naam = doel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tijdelijk = doel.with_file_name(format!(".{naam}.tmp"));
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tijdelijk)
            .map_err(bestandsfout(&tijdelijk))?;
        writeln!(f, "{wachtwoord}")
            .and_then(|()| f.sync_all())
            .map_err(bestandsfout(&tijdelijk))?;
        Ok(NieuwBestand { tijdelijk, doel })
    }

    fn bewaar(self) -> Result<(), BeheerFout> {
        std::fs::rename(&self.tijdelijk, &self.doel).map_err(bestandsfout(&self.doel))
    }

    fn weg(self) {
        let _ = std::fs::remove_file(&self.tijdelijk);
    }
}

/// RabbitMQ's own `max_message_size` when none is set (128 MiB).
pub const STANDAARD_MAX_BERICHT: u64 = 128 * 1024 * 1024;

/// The largest message body the broker takes: the largest message the hub
/// accepts (an `InformatieAanlevering` of 10 MiB). Anything larger is
/// refused by the broker at publish, so neither the broker nor the hub ever
/// holds it; the hub's memory for inbound messages is then at most
/// prefetch × this per participant.
pub const MAX_BERICHT: u64 = crate::codec::scan::MAX_BYTES_AANLEVERING as u64;

/// `rabbitmqctl` on this host: the program, so an operator can name another
/// path or a wrapper (e.g. one that adds `-n rabbit@host`).
#[derive(Debug, Clone)]
pub struct Rabbitmqctl {
    pub programma: PathBuf,
}

#[derive(Deserialize)]
struct GebruikerRegel {
    user: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct RechtenRegel {
    user: String,
    #[serde(flatten)]
    rechten: Rechten,
}

impl Default for Rabbitmqctl {
    fn default() -> Self {
        Rabbitmqctl {
            programma: PathBuf::from("rabbitmqctl"),
        }
    }
}

impl Rabbitmqctl {
    /// Runs one command; `invoer` goes to its standard input (passwords go
    /// there, never on the command line where `ps` would show them).
    fn voer_uit(&self, args: &[&str], invoer: Option<&str>) -> Result<String, BeheerFout> {
        let opdracht = args.first().copied().unwrap_or_default().to_string();
        let mut kind = Command::new(&self.programma)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|bron| BeheerFout::RabbitmqctlStart {
                programma: self.programma.display().to_string(),
                bron,
            })?;
        if let Some(mut stdin) = kind.stdin.take() {
            // A command that reads nothing may close its input early: ignore that.
            let _ = stdin.write_all(invoer.unwrap_or_default().as_bytes());
            let _ = stdin.write_all(b"\n");
        }
        // Read both pipes on threads so a full pipe never stalls the child
        // while this thread watches the clock.
        let lezer = |pijp: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut v = Vec::new();
                if let Some(mut p) = pijp {
                    let _ = p.read_to_end(&mut v);
                }
                String::from_utf8_lossy(&v).into_owned()
            })
        };
        let uit = lezer(
            kind.stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let fout = lezer(
            kind.stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let begin = Instant::now();
        let status = loop {
            match kind.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if begin.elapsed() < RABBITMQCTL_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(None) => {
                    let _ = kind.kill();
                    let _ = kind.wait();
                    return Err(BeheerFout::RabbitmqctlTimeout {
                        opdracht,
                        timeout: RABBITMQCTL_TIMEOUT,
                    });
                }
                Err(bron) => {
                    return Err(BeheerFout::RabbitmqctlStart {
                        programma: self.programma.display().to_string(),
                        bron,
                    });
                }
            }
        };
        let stdout = uit.join().unwrap_or_default();
        let stderr = fout.join().unwrap_or_default();
        if status.success() {
            Ok(stdout)
        } else {
            Err(BeheerFout::Rabbitmqctl {
                opdracht,
                status: status.to_string(),
                uitvoer: format!("{}{}", stdout.trim(), stderr.trim()),
            })
        }
    }

    fn json<T: for<'de> Deserialize<'de>>(&self, args: &[&str]) -> Result<Vec<T>, BeheerFout> {
        let tekst = self.voer_uit(args, None)?;
        serde_json::from_str(tekst.trim()).map_err(|e| BeheerFout::Uitvoer {
            opdracht: args.first().copied().unwrap_or_default().to_string(),
            reden: e.to_string(),
        })
    }

    /// The broker's largest message body (`max_message_size`), in bytes.
    pub fn max_berichtgrootte(&self) -> Result<u64, BeheerFout> {
        let tekst = self.voer_uit(
            &["eval", "application:get_env(rabbit, max_message_size)."],
            None,
        )?;
        // `{ok,134217728}`, or `undefined` for the broker's default.
        let t = tekst.trim();
        if t == "undefined" {
            return Ok(STANDAARD_MAX_BERICHT);
        }
        t.strip_prefix("{ok,")
            .and_then(|r| r.strip_suffix('}'))
            .and_then(|n| n.trim().parse().ok())
            .ok_or_else(|| BeheerFout::Uitvoer {
                opdracht: "eval".into(),
                reden: format!("max_message_size: `{t}`"),
            })
    }

    /// Sets the broker's `max_message_size` on the running node (it applies
    /// to channels opened from then on; a broker restart forgets it unless
    /// `rabbitmq.conf` says the same). Returns whether it changed.
    pub fn zet_max_berichtgrootte(&self, bytes: u64) -> Result<bool, BeheerFout> {
        if self.max_berichtgrootte()? == bytes {
            return Ok(false);
        }
        self.voer_uit(
            &[
                "eval",
                &format!("application:set_env(rabbit, max_message_size, {bytes})."),
            ],
            None,
        )?;
        Ok(true)
    }

    /// Every user and its tags.
    pub fn gebruikers(&self) -> Result<BTreeMap<String, Vec<String>>, BeheerFout> {
        let regels: Vec<GebruikerRegel> =
            self.json(&["list_users", "--quiet", "--formatter", "json"])?;
        Ok(regels.into_iter().map(|r| (r.user, r.tags)).collect())
    }

    /// Every user's permissions on `vhost`.
    pub fn alle_rechten(&self, vhost: &str) -> Result<BTreeMap<String, Rechten>, BeheerFout> {
        let regels: Vec<RechtenRegel> = self.json(&[
            "list_permissions",
            "--vhost",
            vhost,
            "--quiet",
            "--formatter",
            "json",
        ])?;
        Ok(regels.into_iter().map(|r| (r.user, r.rechten)).collect())
    }

    pub fn maak_gebruiker(&self, naam: &str, wachtwoord: &str) -> Result<(), BeheerFout> {
        // Without a password argument rabbitmqctl reads it from standard input.
        self.voer_uit(&["add_user", "--quiet", naam], Some(wachtwoord))
            .map(drop)
    }

    pub fn zet_wachtwoord(&self, naam: &str, wachtwoord: &str) -> Result<(), BeheerFout> {
        self.voer_uit(&["change_password", "--quiet", naam], Some(wachtwoord))
            .map(drop)
    }

    /// No tags: no management access and, above all, not `impersonator`,
    /// which would let the user publish with another's `user_id`.
    pub fn wis_tags(&self, naam: &str) -> Result<(), BeheerFout> {
        self.voer_uit(&["set_user_tags", "--quiet", naam], None)
            .map(drop)
    }

    pub fn zet_rechten(&self, vhost: &str, naam: &str, r: &Rechten) -> Result<(), BeheerFout> {
        self.voer_uit(
            &[
                "set_permissions",
                "--quiet",
                "--vhost",
                vhost,
                naam,
                &r.configure,
                &r.write,
                &r.read,
            ],
            None,
        )
        .map(drop)
    }

    /// Runs an Erlang expression on the node and returns what it printed.
    fn eval(&self, expressie: &str) -> Result<String, BeheerFout> {
        Ok(self
            .voer_uit(&["eval", expressie], None)?
            .trim()
            .to_string())
    }

    /// No password: the user logs in with its certificate only.
    pub fn wis_wachtwoord(&self, naam: &str) -> Result<(), BeheerFout> {
        self.voer_uit(&["clear_password", "--quiet", naam], None)
            .map(drop)
    }

    /// What the broker lacks for certificate login, and what of it this
    /// run could mend on the running node.
    pub fn certificaatlogin(&self, plugins: &Path) -> Result<Certificaatlogin, BeheerFout> {
        let mut gedaan = Vec::new();
        let mut ontbreekt = Vec::new();
        let plugin = "rabbitmq_auth_mechanism_ssl";
        let aan = self.eval(&format!(
            "lists:keymember({plugin}, 1, application:which_applications())."
        ))?;
        if aan != "true" {
            // Enabling a plugin works on a running node.
            let uit = Command::new(plugins)
                .args(["enable", "--quiet", plugin])
                .output()
                .map_err(|bron| BeheerFout::RabbitmqctlStart {
                    programma: plugins.display().to_string(),
                    bron,
                })?;
            if !uit.status.success() {
                return Err(BeheerFout::Rabbitmqctl {
                    opdracht: format!("rabbitmq-plugins enable {plugin}"),
                    status: uit.status.to_string(),
                    uitvoer: String::from_utf8_lossy(&uit.stderr).trim().to_string(),
                });
            }
            gedaan.push(format!("plugin {plugin} enabled"));
        }
        // Both are read at each login, so setting them on the running node
        // takes effect at once; rabbitmq.conf keeps them across a restart.
        let mechanismen = self.eval("application:get_env(rabbit, auth_mechanisms).")?;
        if !mechanismen.contains("'EXTERNAL'") {
            let lijst = mechanismen
                .strip_prefix("{ok,[")
                .and_then(|r| r.strip_suffix("]}"))
                .filter(|l| !l.trim().is_empty())
                .map_or_else(
                    || "'PLAIN','AMQPLAIN','EXTERNAL'".to_string(),
                    |l| format!("{l},'EXTERNAL'"),
                );
            self.eval(&format!(
                "application:set_env(rabbit, auth_mechanisms, [{lijst}])."
            ))?;
            gedaan.push("auth mechanism EXTERNAL added".into());
        }
        if self.eval("application:get_env(rabbit, ssl_cert_login_from).")? != "{ok,common_name}" {
            self.eval("application:set_env(rabbit, ssl_cert_login_from, common_name).")?;
            gedaan.push("ssl_cert_login_from set to common_name".into());
        }
        let luisteraars = self.eval("application:get_env(rabbit, ssl_listeners).")?;
        if luisteraars == "{ok,[]}" || luisteraars == "undefined" {
            ontbreekt.push(
                "a TLS listener with client certificates (rabbitmq.conf: listeners.ssl.default = 5671, \
                 ssl_options.cacertfile/certfile/keyfile, ssl_options.verify = verify_peer; then restart the broker)"
                    .to_string(),
            );
        }
        Ok(Certificaatlogin { gedaan, ontbreekt })
    }

    pub fn verwijder_gebruiker(&self, naam: &str) -> Result<(), BeheerFout> {
        self.voer_uit(&["delete_user", "--quiet", naam], None)
            .map(drop)
    }
}

/// The broker's readiness for certificate login (docs/tls.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Certificaatlogin {
    /// What this run set on the running node.
    pub gedaan: Vec<String>,
    /// What only `rabbitmq.conf` and a restart can give.
    pub ontbreekt: Vec<String>,
}

/// The lines `rabbitmq.conf` needs for certificate login, so that what
/// `broker setup` set on the running node survives a restart.
pub const CERTIFICAAT_CONF: &str = "auth_mechanisms.1 = PLAIN\n\
auth_mechanisms.2 = AMQPLAIN\n\
auth_mechanisms.3 = EXTERNAL\n\
ssl_cert_login_from = common_name";

/// How participants log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login {
    /// A generated password, in `<dir>/<code>.password`.
    Wachtwoord { nieuw: bool },
    /// A TLS client certificate whose common name is the code; the user
    /// has no password at all.
    Certificaat,
}

/// What happened to a participant's user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gebruiker {
    Aangemaakt,
    /// It existed and got a new password (`--new-passwords`).
    NieuwWachtwoord,
    Bestond,
    /// It existed but its password file is missing: its password is unknown
    /// here and stays as it is.
    BestondZonderBestand,
    /// Made, or found, for certificate login: no password.
    Certificaat {
        aangemaakt: bool,
    },
}

/// One participant's outcome, printed as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uitslag {
    pub code: Deelnemercode,
    pub gebruiker: Gebruiker,
    pub wachtwoordbestand: PathBuf,
    pub tags_gewist: bool,
    /// False when the permissions were already exactly these.
    pub rechten_gezet: bool,
}

impl fmt::Display for Uitslag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pad = self.wachtwoordbestand.display();
        match self.gebruiker {
            Gebruiker::Aangemaakt => write!(f, "{}: user created, password in {pad}", self.code)?,
            Gebruiker::NieuwWachtwoord => {
                write!(
                    f,
                    "{}: user already there, new password in {pad}",
                    self.code
                )?;
            }
            Gebruiker::Bestond => write!(f, "{}: user already there, password kept", self.code)?,
            Gebruiker::BestondZonderBestand => write!(
                f,
                "{}: user already there, password kept but {pad} is missing (--new-passwords sets a new one)",
                self.code
            )?,
            Gebruiker::Certificaat { aangemaakt } => write!(
                f,
                "{}: user {} for certificate login (common name {}), no password",
                self.code,
                if aangemaakt {
                    "created"
                } else {
                    "already there"
                },
                self.code
            )?,
        }
        if self.tags_gewist {
            write!(f, "; tags removed")?;
        }
        if self.rechten_gezet {
            write!(f, "; permissions set")
        } else {
            write!(f, "; permissions already set")
        }
    }
}

/// Declares the queues with the hub's own connection, so they exist before
/// any participant connects (participants may not declare them).
pub async fn declareer_topologie(
    verbinding: &Verbinding,
    codes: &[Deelnemercode],
) -> Result<(), BeheerFout> {
    let conn = verbinding.open().await?;
    let kanaal = conn.create_channel().await.map_err(AmqpFout::from)?;
    topologie::declareer(&kanaal, codes).await?;
    conn.close(200, "broker setup done".into())
        .await
        .map_err(AmqpFout::from)?;
    Ok(())
}

/// Creates or keeps every participant's user, writes new passwords to
/// `map`, and sets its permissions on `vhost`; `meld` hears each outcome as
/// it happens (a `rabbitmqctl` call takes a second or two).
pub fn richt_gebruikers_in(
    ctl: &Rabbitmqctl,
    vhost: &str,
    codes: &[Deelnemercode],
    map: &Path,
    login: Login,
    mut meld: impl FnMut(&Uitslag),
) -> Result<Vec<Uitslag>, BeheerFout> {
    if login != Login::Certificaat {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(map)
            .map_err(bestandsfout(map))?;
    }
    let gebruikers = ctl.gebruikers()?;
    let bestaande_rechten = ctl.alle_rechten(vhost)?;
    let mut uitslagen = Vec::with_capacity(codes.len());
    for code in codes {
        let naam = code.to_string();
        let pad = wachtwoordbestand(map, code);
        let tags = gebruikers.get(&naam);
        let gebruiker = match (tags, login) {
            (None, Login::Certificaat) => {
                // add_user wants a password: a random one, cleared at once.
                ctl.maak_gebruiker(&naam, &nieuw_wachtwoord()?)?;
                ctl.wis_wachtwoord(&naam)?;
                Gebruiker::Certificaat { aangemaakt: true }
            }
            (Some(_), Login::Certificaat) => {
                // A password left from before would still log in.
                ctl.wis_wachtwoord(&naam)?;
                Gebruiker::Certificaat { aangemaakt: false }
            }
            (None, Login::Wachtwoord { .. }) => {
                let wachtwoord = nieuw_wachtwoord()?;
                let bestand = NieuwBestand::schrijf(pad.clone(), &wachtwoord)?;
                match ctl.maak_gebruiker(&naam, &wachtwoord) {
                    Ok(()) => bestand.bewaar()?,
                    Err(e) => {
                        bestand.weg();
                        return Err(e);
                    }
                }
                Gebruiker::Aangemaakt
            }
            (Some(_), Login::Wachtwoord { nieuw: true }) => {
                let wachtwoord = nieuw_wachtwoord()?;
                let bestand = NieuwBestand::schrijf(pad.clone(), &wachtwoord)?;
                match ctl.zet_wachtwoord(&naam, &wachtwoord) {
                    Ok(()) => bestand.bewaar()?,
                    Err(e) => {
                        bestand.weg();
                        return Err(e);
                    }
                }
                Gebruiker::NieuwWachtwoord
            }
            (Some(_), Login::Wachtwoord { .. }) if pad.exists() => Gebruiker::Bestond,
            (Some(_), Login::Wachtwoord { .. }) => Gebruiker::BestondZonderBestand,
        };
        let tags_gewist = tags.is_some_and(|t| !t.is_empty());
        if tags_gewist {
            ctl.wis_tags(&naam)?;
        }
        let gewenst = rechten(code);
        let rechten_gezet = bestaande_rechten.get(&naam) != Some(&gewenst);
        if rechten_gezet {
            ctl.zet_rechten(vhost, &naam, &gewenst)?;
        }
        let uitslag = Uitslag {
            code: code.clone(),
            gebruiker,
            wachtwoordbestand: pad,
            tags_gewist,
            rechten_gezet,
        };
        meld(&uitslag);
        uitslagen.push(uitslag);
    }
    Ok(uitslagen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rechten_verankerd_en_punten_ontsnapt() {
        let code = Deelnemercode::new("CR-00820000").expect("code");
        let r = rechten(&code);
        assert_eq!(r.configure, "^$");
        assert_eq!(r.write, r"^cr\.CR-00820000\.in$");
        assert_eq!(r.read, r"^cr\.CR-00820000\.out$");
    }

    #[test]
    fn wachtwoorden_lang_en_verschillend() {
        let a = nieuw_wachtwoord().expect("urandom");
        let b = nieuw_wachtwoord().expect("urandom");
        assert_eq!(a.len(), WACHTWOORD_LENGTE);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn vhost_zoals_lapin_hem_leest() {
        assert_eq!(
            vhost("amqp://guest:guest@127.0.0.1:5672/%2f").expect("url"),
            "/"
        );
        assert_eq!(
            vhost("amqps://u:p@broker:5671/regres").expect("url"),
            "regres"
        );
        assert!(vhost("geen url").is_err());
    }

    #[test]
    fn wachtwoord_niet_in_meldingen() {
        assert_eq!(
            zonder_wachtwoord("amqp://guest:geheim@127.0.0.1:5672/%2f"),
            "amqp://guest:***@127.0.0.1:5672/%2f"
        );
        assert_eq!(
            zonder_wachtwoord("amqp://127.0.0.1/%2f"),
            "amqp://127.0.0.1/%2f"
        );
    }
}
