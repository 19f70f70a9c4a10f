//! The real broker's TLS listener for the tests (docs/tls.md "How the tests
//! prepare the broker"): a CA made with rcgen per test process, a server
//! certificate for `localhost` only (so `127.0.0.1` is a wrong host), client
//! certificates on demand, and RabbitMQ configured for TLS on
//! 127.0.0.1:5671 with certificate login (EXTERNAL, CN = user name).
//!
//! Needs root and the local RabbitMQ node; without them the test fails,
//! it never skips. The broker is restarted only when its configuration has
//! to change (once per machine); otherwise new certificates are rotated in
//! by rewriting the files and clearing Erlang's PEM cache.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// Where the broker finds its TLS files: below its own configuration
/// directory, owned by the `rabbitmq` user.
pub const BROKER_MAP: &str = "/etc/rabbitmq/clearinghuis-test-tls";
pub const RABBITMQ_CONF: &str = "/etc/rabbitmq/rabbitmq.conf";
pub const POORT: u16 = 5671;
const BEGIN: &str = "# clearinghuis-test-tls: begin (tests/common/tls.rs; docs/tls.md)";
const EIND: &str = "# clearinghuis-test-tls: end";
/// Keys the block sets; any of them outside the block is someone else's
/// TLS set-up, which the tests will not overwrite.
const EIGEN_SLEUTELS: [&str; 4] = [
    "listeners.ssl.",
    "ssl_options.",
    "auth_mechanisms.",
    "ssl_cert_login_from",
];

/// The block this helper keeps in rabbitmq.conf.
pub fn conf_blok() -> String {
    format!(
        "{BEGIN}\n\
         listeners.ssl.local = 127.0.0.1:{POORT}\n\
         ssl_options.cacertfile = {BROKER_MAP}/ca.pem\n\
         ssl_options.certfile = {BROKER_MAP}/server.pem\n\
         ssl_options.keyfile = {BROKER_MAP}/server.key\n\
         ssl_options.verify = verify_peer\n\
         ssl_options.fail_if_no_peer_cert = false\n\
         auth_mechanisms.1 = PLAIN\n\
         auth_mechanisms.2 = AMQPLAIN\n\
         auth_mechanisms.3 = EXTERNAL\n\
         ssl_cert_login_from = common_name\n\
         {EIND}\n"
    )
}

/// A CA: its certificate (PEM) and what signs with it.
pub struct Ca {
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    fn nieuw(naam: &str) -> Ca {
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        p.distinguished_name
            .push(DnType::CommonName, format!("{naam} {}", std::process::id()));
        p.distinguished_name
            .push(DnType::OrganizationName, "clearinghuis tests");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let sleutel = KeyPair::generate().expect("a key");
        let cert = p.self_signed(&sleutel).expect("a CA certificate");
        Ca {
            pem: cert.pem(),
            issuer: Issuer::new(p, sleutel),
        }
    }

    /// A certificate signed by this CA: (certificate PEM, key PEM, PKCS#8).
    fn teken(&self, p: CertificateParams) -> (String, String) {
        let sleutel = KeyPair::generate().expect("a key");
        let cert = p.signed_by(&sleutel, &self.issuer).expect("signed");
        (cert.pem(), sleutel.serialize_pem())
    }

    /// The broker's certificate: DNS name `localhost` and nothing else
    /// (no IP address), so that `127.0.0.1` is a name it is not for.
    fn server(&self) -> (String, String) {
        let mut p = CertificateParams::new(vec!["localhost".to_string()]).expect("SAN");
        p.distinguished_name.push(DnType::CommonName, "localhost");
        p.use_authority_key_identifier_extension = true;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.teken(p)
    }

    /// A company certificate: CN = the login name (a participant code).
    pub fn client(&self, cn: &str) -> (String, String) {
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("parameters");
        p.distinguished_name.push(DnType::CommonName, cn);
        p.distinguished_name
            .push(DnType::OrganizationName, "clearinghuis tests");
        p.use_authority_key_identifier_extension = true;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.teken(p)
    }
}

/// The prepared broker: the CA it trusts and a CA it does not.
pub struct Tls {
    pub ca: Ca,
    pub vreemd: Ca,
    /// Held for the life of the process: one test process at a time may own
    /// the broker's certificates (another checkout's run would rotate them
    /// under this one).
    _slot: File,
}

/// The broker, prepared once per test process.
pub fn broker() -> &'static Tls {
    static TLS: OnceLock<Tls> = OnceLock::new();
    TLS.get_or_init(bereid_voor)
}

fn sh(opdracht: &str) -> String {
    let uit = Command::new("sh")
        .args(["-c", opdracht])
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{opdracht}`: {e}"));
    let tekst = format!(
        "{}{}",
        String::from_utf8_lossy(&uit.stdout),
        String::from_utf8_lossy(&uit.stderr)
    );
    assert!(
        uit.status.success(),
        "`{opdracht}` failed ({}): {tekst}",
        uit.status
    );
    tekst
}

/// `rabbitmqctl` with a bound, so a hanging node fails the test instead of
/// hanging it.
pub fn rabbitmqctl(args: &[&str]) -> Result<String, String> {
    let uit = Command::new("timeout")
        .arg("120")
        .arg("rabbitmqctl")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run rabbitmqctl: {e}"))?;
    let tekst = format!(
        "{}{}",
        String::from_utf8_lossy(&uit.stdout),
        String::from_utf8_lossy(&uit.stderr)
    );
    if uit.status.success() {
        Ok(tekst)
    } else {
        Err(format!(
            "rabbitmqctl {args:?} failed ({}): {tekst}",
            uit.status
        ))
    }
}

fn poort_open(poort: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", poort)).is_ok()
}

fn wacht_op_poort(poort: u16, open: bool) {
    let begin = Instant::now();
    while poort_open(poort) != open {
        assert!(
            begin.elapsed() < Duration::from_secs(120),
            "port {poort} stays {}",
            if open { "closed" } else { "open" }
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The numeric id of the `rabbitmq` user and group.
fn rabbitmq_ids() -> (u32, u32) {
    let id = |optie: &str| -> u32 {
        sh(&format!("id {optie} rabbitmq"))
            .trim()
            .parse()
            .expect("a numeric id")
    };
    (id("-u"), id("-g"))
}

/// Writes `inhoud` to `pad` through a temporary file and a rename, so the
/// broker never reads half a certificate.
fn schrijf(pad: &Path, inhoud: &str, modus: u32, eigenaar: (u32, u32)) {
    let tijdelijk = pad.with_extension("nieuw");
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(modus)
        .open(&tijdelijk)
        .unwrap_or_else(|e| panic!("{}: {e}", tijdelijk.display()));
    f.write_all(inhoud.as_bytes()).expect("written");
    f.sync_all().expect("synced");
    std::os::unix::fs::chown(&tijdelijk, Some(eigenaar.0), Some(eigenaar.1))
        .expect("owned by rabbitmq");
    std::fs::set_permissions(&tijdelijk, std::fs::Permissions::from_mode(modus))
        .expect("permissions");
    std::fs::rename(&tijdelijk, pad).expect("renamed");
}

/// rabbitmq.conf with this helper's block in it: `None` when it is there
/// already as it should be.
pub fn nieuwe_conf(oud: &str) -> Result<Option<String>, String> {
    let blok = conf_blok();
    let (buiten, binnen) = match (oud.find(BEGIN), oud.find(EIND)) {
        (Some(b), Some(e)) if e > b => {
            let e = e + EIND.len() + usize::from(oud[e + EIND.len()..].starts_with('\n'));
            (
                format!("{}{}", &oud[..b], &oud[e..]),
                Some(oud[b..e].to_string()),
            )
        }
        (None, None) => (oud.to_string(), None),
        _ => return Err(format!("{RABBITMQ_CONF}: a broken {BEGIN:?} block")),
    };
    if let Some(regel) = buiten.lines().find(|r| {
        let r = r.trim_start();
        EIGEN_SLEUTELS.iter().any(|s| r.starts_with(s))
    }) {
        return Err(format!(
            "{RABBITMQ_CONF} configures TLS or login mechanisms itself ({regel:?}); \
             the TLS tests will not overwrite that"
        ));
    }
    if binnen.as_deref() == Some(blok.as_str()) {
        return Ok(None);
    }
    let mut nieuw = buiten;
    if !nieuw.is_empty() && !nieuw.ends_with('\n') {
        nieuw.push('\n');
    }
    nieuw.push_str(&blok);
    Ok(Some(nieuw))
}

fn bereid_voor() -> Tls {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    assert!(
        root,
        "the TLS tests configure the local RabbitMQ ({RABBITMQ_CONF}, {BROKER_MAP}) and need root"
    );
    assert!(
        Command::new("rabbitmqctl")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "the TLS tests need the local RabbitMQ and its rabbitmqctl"
    );
    let eigenaar = rabbitmq_ids();
    std::fs::create_dir_all(BROKER_MAP).expect("the broker's TLS directory");
    std::os::unix::fs::chown(BROKER_MAP, Some(eigenaar.0), Some(eigenaar.1)).expect("owned");
    std::fs::set_permissions(BROKER_MAP, std::fs::Permissions::from_mode(0o750))
        .expect("permissions");

    let slot = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(Path::new(BROKER_MAP).join("slot"))
        .expect("the lock file");
    let begin = Instant::now();
    rustix::fs::flock(&slot, rustix::fs::FlockOperation::LockExclusive)
        .expect("the broker's certificates to ourselves");
    if begin.elapsed() > Duration::from_secs(1) {
        eprintln!(
            "tls: waited {:?} for another test process to release the broker",
            begin.elapsed()
        );
    }

    let ca = Ca::nieuw("clearinghuis test CA");
    let vreemd = Ca::nieuw("foreign CA");
    let (server, server_sleutel) = ca.server();
    let map = Path::new(BROKER_MAP);
    schrijf(&map.join("ca.pem"), &ca.pem, 0o644, eigenaar);
    schrijf(&map.join("server.pem"), &server, 0o644, eigenaar);
    schrijf(&map.join("server.key"), &server_sleutel, 0o600, eigenaar);

    let oud = std::fs::read_to_string(RABBITMQ_CONF).unwrap_or_default();
    let nieuw = nieuwe_conf(&oud).unwrap_or_else(|e| panic!("{e}"));
    let plugin = "rabbitmq_auth_mechanism_ssl";
    match nieuw {
        Some(nieuw) => {
            eprintln!("tls: adding the TLS listener to {RABBITMQ_CONF} and restarting RabbitMQ");
            std::fs::write(RABBITMQ_CONF, nieuw).expect("rabbitmq.conf written");
            sh("rabbitmqctl stop >/dev/null 2>&1 || true");
            wacht_op_poort(5672, false);
            sh(&format!("rabbitmq-plugins enable --offline {plugin}"));
            sh("rabbitmq-server -detached >/dev/null 2>&1");
            wacht_op_poort(5672, true);
            sh("timeout 120 rabbitmqctl await_startup");
        }
        None => {
            if rabbitmqctl(&["eval", "ok."]).is_err() {
                panic!("RabbitMQ (node rabbit@localhost) is not running");
            }
            if Command::new("rabbitmq-plugins")
                .args(["is_enabled", plugin])
                .output()
                .map_or(true, |o| !o.status.success())
            {
                sh(&format!("rabbitmq-plugins enable {plugin}"));
            }
            // The listener keeps the file names; Erlang caches what it read
            // from them until told to forget it (RabbitMQ's "Certificate and
            // Key Rotation").
            let uit =
                rabbitmqctl(&["eval", "ssl:clear_pem_cache()."]).unwrap_or_else(|e| panic!("{e}"));
            assert!(uit.trim() == "ok", "ssl:clear_pem_cache() said {uit}");
        }
    }
    wacht_op_poort(POORT, true);
    Tls {
        ca,
        vreemd,
        _slot: slot,
    }
}

/// The broker's main log (it names why it refused a handshake).
pub fn logbestand() -> PathBuf {
    let uit =
        rabbitmqctl(&["eval", "hd(rabbit:log_locations())."]).unwrap_or_else(|e| panic!("{e}"));
    PathBuf::from(uit.trim().trim_matches('"'))
}

/// How often the broker's log holds `tekst`.
pub fn in_log(log: &Path, tekst: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_else(|e| panic!("{}: {e}", log.display()))
        .matches(tekst)
        .count()
}

/// A folder of this test's own for the files the hub and a participant
/// read (CA, certificate, key); gone when dropped.
pub struct Map {
    pub pad: PathBuf,
}

impl Map {
    pub fn nieuw(naam: &str) -> Map {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .subsec_nanos();
        let pad = std::env::temp_dir().join(format!(
            "clearinghuis-tls-{naam}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&pad).expect("a folder");
        std::fs::set_permissions(&pad, std::fs::Permissions::from_mode(0o700)).expect("private");
        Map { pad }
    }

    pub fn schrijf(&self, naam: &str, inhoud: &str) -> PathBuf {
        let p = self.pad.join(naam);
        std::fs::write(&p, inhoud).expect("written");
        p
    }

    /// A client certificate and key for `cn`, signed by `ca`.
    pub fn identiteit(&self, ca: &Ca, cn: &str) -> (PathBuf, PathBuf) {
        let (cert, sleutel) = ca.client(cn);
        let naam = cn.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_");
        (
            self.schrijf(&format!("{naam}.pem"), &cert),
            self.schrijf(&format!("{naam}.key"), &sleutel),
        )
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.pad);
    }
}
