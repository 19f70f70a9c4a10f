//! `clearinghuis broker setup`: prepares RabbitMQ for the hub and its
//! participants (docs/broker.md). Runs on the broker host, because users and
//! permissions are made with `rabbitmqctl`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::bericht::Deelnemercode;
use crate::config::Configuratie;
use crate::deelnemers::Deelnemers;
use crate::transport::amqp::Verbinding;
use crate::transport::amqp::beheer::{self, Rabbitmqctl};

/// The hub's broker URL when neither `[mailbox] url` nor
/// `CLEARINGHUIS_MAILBOX_URL` names one (operations.md "Configuration").
const STANDAARD_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

#[derive(Debug, clap::Subcommand)]
pub enum Opdracht {
    /// Declare the queues and each participant's exchange with the hub's
    /// own URL ([mailbox] url), then per participant make a RabbitMQ user
    /// named by its code, with a generated password in
    /// <passwords>/<code>.password (or, with --certificates, no password:
    /// it logs in with its company certificate), and permissions to publish
    /// through its own exchange and read its own out queue only; existing
    /// permissions are replaced, queues and messages kept. Idempotent. Run
    /// it on the broker host: it uses rabbitmqctl. Exit status 0 when done,
    /// 2 on an error.
    Setup(SetupArgs),
}

#[derive(Debug, clap::Args)]
pub struct SetupArgs {
    /// The participants file (default: [deelnemers] file).
    #[arg(long)]
    participants: Option<PathBuf>,
    /// clearinghuis.toml; CLEARINGHUIS_* variables apply too.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Where the password files go (created with mode 0700, files 0600).
    #[arg(long, default_value = "clearinghuis-data/broker")]
    passwords: PathBuf,
    /// Give users that already exist a new password too (and a new file).
    #[arg(long, conflicts_with = "certificates")]
    new_passwords: bool,
    /// Participants log in with their company certificate (TLS client
    /// certificate, common name = the code) instead of a password: their
    /// users get no password, and the broker is made ready for certificate
    /// login where that can be done on the running node (docs/tls.md).
    #[arg(long)]
    certificates: bool,
    /// The rabbitmq-plugins program (for --certificates).
    #[arg(long, default_value = "rabbitmq-plugins")]
    rabbitmq_plugins: PathBuf,
    /// The rabbitmqctl program to run.
    #[arg(long, default_value = "rabbitmqctl")]
    rabbitmqctl: PathBuf,
}

fn fout(tekst: impl std::fmt::Display) -> ExitCode {
    eprintln!("clearinghuis broker setup: {tekst}");
    ExitCode::from(2)
}

pub fn run(opdracht: Opdracht) -> ExitCode {
    let Opdracht::Setup(args) = opdracht;
    let config = match Configuratie::laad(args.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => return fout(e),
    };
    let Some(deelnemers_pad) = args.participants.clone().or(config.deelnemers.file.clone()) else {
        return fout("no participants file: give --participants or [deelnemers] file");
    };
    let deelnemers = match Deelnemers::laad(&deelnemers_pad) {
        Ok(d) => d,
        Err(e) => return fout(e),
    };
    let codes: Vec<Deelnemercode> = deelnemers.iter().map(|d| d.code.clone()).collect();
    let url = config
        .mailbox
        .url
        .clone()
        .unwrap_or_else(|| STANDAARD_URL.to_string());
    let vhost = match beheer::vhost(&url) {
        Ok(v) => v,
        Err(e) => return fout(e),
    };
    let verbinding = match Verbinding::new(&url, "clearinghuis broker setup")
        .met_ca(config.mailbox.tls_ca.as_deref())
        .and_then(|v| v.met_identiteit_van(&config.mailbox))
    {
        Ok(v) => v,
        Err(e) => return fout(e),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fout(e),
    };
    if let Err(e) = runtime.block_on(beheer::declareer_topologie(&verbinding, &codes)) {
        return fout(format!("{}: {e}", beheer::zonder_wachtwoord(&url)));
    }
    println!(
        "queues and exchanges declared on {} for {} participant{}",
        beheer::zonder_wachtwoord(&url),
        codes.len(),
        if codes.len() == 1 { "" } else { "s" }
    );
    let ctl = Rabbitmqctl {
        programma: args.rabbitmqctl.clone(),
    };
    match ctl.zet_max_berichtgrootte(beheer::MAX_BERICHT) {
        Ok(gezet) => println!(
            "max_message_size {} {} bytes (the largest message the hub accepts); to keep it across broker restarts, rabbitmq.conf needs: max_message_size = {}",
            if gezet { "set to" } else { "already" },
            beheer::MAX_BERICHT,
            beheer::MAX_BERICHT
        ),
        Err(e) => return fout(e),
    }
    let login = if args.certificates {
        match ctl.certificaatlogin(&args.rabbitmq_plugins) {
            Ok(stand) => {
                for g in &stand.gedaan {
                    println!("certificate login: {g}");
                }
                if !stand.gedaan.is_empty() {
                    println!(
                        "certificate login: to keep this across broker restarts, rabbitmq.conf needs:\n{}",
                        beheer::CERTIFICAAT_CONF
                    );
                }
                if !stand.ontbreekt.is_empty() {
                    return fout(format!(
                        "certificate login needs what only rabbitmq.conf can give: {}",
                        stand.ontbreekt.join("; ")
                    ));
                }
            }
            Err(e) => return fout(e),
        }
        beheer::Login::Certificaat
    } else {
        beheer::Login::Wachtwoord {
            nieuw: args.new_passwords,
        }
    };
    match beheer::richt_gebruikers_in(&ctl, &vhost, &codes, &args.passwords, login, |u| {
        println!("{u}")
    }) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => fout(e),
    }
}
