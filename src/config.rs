//! `clearinghuis.toml` (operations.md "Configuration"): every key optional,
//! each overridable by `CLEARINGHUIS_<SECTION>_<KEY>`. Without a file the hub
//! runs on the embedded default. The environment is passed in, so tests and
//! replay never depend on the process's own environment by accident.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::engine::bgk::Bgkstaffel;
use crate::engine::referentie::{Plafonds, ReferentieFout, Toedrachtlijst};
use crate::engine::wettelijke_rente::Rentetabel;
use crate::engine::{Instellingen, Termijnen};

#[derive(Debug, thiserror::Error)]
pub enum ConfigFout {
    #[error("{pad}: {bron}")]
    Lezen { pad: String, bron: std::io::Error },
    #[error("{bron}: {reden}")]
    Toml { bron: String, reden: String },
    #[error("environment variable {0} names no known setting")]
    OnbekendeVariabele(String),
    #[error(transparent)]
    Referentie(#[from] ReferentieFout),
    #[error("[termijnen] {0} must be at least 1")]
    Termijn(&'static str),
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Configuratie {
    pub store: Store,
    pub mailbox: Mailbox,
    pub deelnemers: DeelnemersConfig,
    pub termijnen: TermijnenConfig,
    pub api: Api,
    pub log: Log,
    pub referentie: Referentie,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Store {
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mailbox {
    pub kind: Option<String>,
    pub root: Option<PathBuf>,
    pub url: Option<String>,
    pub tls_ca: Option<PathBuf>,
    /// A client certificate (PEM, the chain may follow) for `amqps://`; with
    /// `?auth_mechanism=external` in the URL it is the login (docs/tls.md).
    pub tls_cert: Option<PathBuf>,
    /// The private key of `tls_cert` (PEM, unencrypted).
    pub tls_key: Option<PathBuf>,
    /// The `rabbitmqctl` the hub runs at start to check that participants
    /// cannot reach each other's queues (a program or a wrapper, e.g. one
    /// that adds `-n rabbit@broker`); default `rabbitmqctl`.
    pub rabbitmqctl: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeelnemersConfig {
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TermijnenConfig {
    pub rappel_aansprakelijkheid: Option<u32>,
    pub rappel_schadebedrag: Option<u32>,
    pub betaaltermijn: Option<u32>,
    pub passief: Option<u32>,
    pub vroege_berichten_seconden: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Api {
    /// Where the web part listens (default 127.0.0.1:8080; "" switches it off).
    pub listen: Option<String>,
    /// PEM certificate chain and key: required to listen beyond loopback.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// "verplicht": every user must log in with a second factor.
    pub tweede_factor: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Log {
    pub format: Option<String>,
}

/// Files that replace the shipped reference data.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Referentie {
    pub toedracht: Option<PathBuf>,
    pub plafonds: Option<PathBuf>,
    pub wettelijke_rente: Option<PathBuf>,
    pub bgk: Option<PathBuf>,
}

const SECTIES: [&str; 7] = [
    "store",
    "mailbox",
    "deelnemers",
    "termijnen",
    "api",
    "log",
    "referentie",
];

/// A value from the environment as TOML: an integer or boolean when it reads
/// as one, else text.
fn als_waarde(tekst: &str) -> toml::Value {
    if let Ok(n) = tekst.parse::<i64>() {
        toml::Value::Integer(n)
    } else if let Ok(b) = tekst.parse::<bool>() {
        toml::Value::Boolean(b)
    } else {
        toml::Value::String(tekst.to_owned())
    }
}

impl Configuratie {
    /// Reads the file (when given) and applies the `CLEARINGHUIS_` variables
    /// of `omgeving`. Relative paths in the file stay relative to the working
    /// directory, as operations.md shows them.
    pub fn laad(
        pad: Option<&Path>,
        omgeving: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Configuratie, ConfigFout> {
        let (tekst, bron) = match pad {
            Some(p) => (
                std::fs::read_to_string(p).map_err(|bron| ConfigFout::Lezen {
                    pad: p.display().to_string(),
                    bron,
                })?,
                p.display().to_string(),
            ),
            None => (String::new(), "configuration".to_owned()),
        };
        Configuratie::lees(&tekst, &bron, omgeving)
    }

    pub fn lees(
        tekst: &str,
        bron: &str,
        omgeving: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Configuratie, ConfigFout> {
        let toml_fout = |reden: String| ConfigFout::Toml {
            bron: bron.to_owned(),
            reden,
        };
        let mut tabel: toml::Table = tekst
            .parse()
            .map_err(|e: toml::de::Error| toml_fout(e.to_string()))?;
        let mut variabelen: Vec<(String, String)> = omgeving
            .into_iter()
            .filter(|(k, _)| k.starts_with("CLEARINGHUIS_"))
            .collect();
        variabelen.sort();
        for (naam, waarde) in variabelen {
            let rest = naam["CLEARINGHUIS_".len()..].to_ascii_lowercase();
            let Some((sectie, sleutel)) = SECTIES.iter().find_map(|s| {
                rest.strip_prefix(s)
                    .and_then(|r| r.strip_prefix('_'))
                    .map(|k| (*s, k.to_owned()))
            }) else {
                return Err(ConfigFout::OnbekendeVariabele(naam));
            };
            let sectietabel = tabel
                .entry(sectie)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(t) = sectietabel {
                t.insert(sleutel, als_waarde(&waarde));
            }
        }
        Configuratie::deserialize(tabel).map_err(|e| toml_fout(e.to_string()))
    }

    /// The settings the engine needs: durations and reference data.
    pub fn instellingen(&self) -> Result<Instellingen, ConfigFout> {
        let lees = |pad: &Path| {
            std::fs::read_to_string(pad).map_err(|bron| ConfigFout::Lezen {
                pad: pad.display().to_string(),
                bron,
            })
        };
        let toedracht = match &self.referentie.toedracht {
            Some(p) => Toedrachtlijst::lees(&lees(p)?)?,
            None => Toedrachtlijst::standaard(),
        };
        let plafonds = match &self.referentie.plafonds {
            Some(p) => Plafonds::lees(&lees(p)?)?,
            None => Plafonds::standaard(),
        };
        let rente = match &self.referentie.wettelijke_rente {
            Some(p) => Rentetabel::lees(&lees(p)?)?,
            None => Rentetabel::standaard(),
        };
        let bgk = match &self.referentie.bgk {
            Some(p) => Bgkstaffel::lees(&lees(p)?)?,
            None => Bgkstaffel::standaard(),
        };
        let t = &self.termijnen;
        let standaard = Termijnen::default();
        let termijn = |waarde: Option<u32>, standaard: u32, naam| match waarde {
            Some(0) => Err(ConfigFout::Termijn(naam)),
            Some(n) => Ok(n),
            None => Ok(standaard),
        };
        let termijnen = Termijnen {
            rappel_aansprakelijkheid_dagen: termijn(
                t.rappel_aansprakelijkheid,
                standaard.rappel_aansprakelijkheid_dagen,
                "rappel_aansprakelijkheid",
            )?,
            rappel_schadebedrag_dagen: termijn(
                t.rappel_schadebedrag,
                standaard.rappel_schadebedrag_dagen,
                "rappel_schadebedrag",
            )?,
            betaaltermijn_dagen: termijn(
                t.betaaltermijn,
                standaard.betaaltermijn_dagen,
                "betaaltermijn",
            )?,
            passief_dagen: termijn(t.passief, standaard.passief_dagen, "passief")?,
            vroege_berichten_seconden: termijn(
                t.vroege_berichten_seconden,
                standaard.vroege_berichten_seconden,
                "vroege_berichten_seconden",
            )?,
        };
        Ok(Instellingen {
            toedracht,
            plafonds,
            rente,
            bgk,
            termijnen,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn zonder_configuratie_de_standaard() {
        let c = Configuratie::lees("", "test", []).expect("empty");
        assert_eq!(c, Configuratie::default());
        let i = c.instellingen().expect("defaults");
        assert_eq!(i.termijnen, Termijnen::default());
    }

    #[test]
    fn omgeving_gaat_voor_het_bestand() {
        let c = Configuratie::lees(
            "[termijnen]\npassief = 90\n[store]\nurl = \"sqlite://x.db\"\n",
            "test",
            [
                var("CLEARINGHUIS_TERMIJNEN_PASSIEF", "30"),
                var("CLEARINGHUIS_TERMIJNEN_RAPPEL_AANSPRAKELIJKHEID", "7"),
                var(
                    "CLEARINGHUIS_STORE_URL",
                    "postgres://postgres@127.0.0.1/test",
                ),
                var("PATH", "/bin"),
            ],
        )
        .expect("valid");
        assert_eq!(c.termijnen.passief, Some(30));
        assert_eq!(c.termijnen.rappel_aansprakelijkheid, Some(7));
        assert_eq!(
            c.store.url.as_deref(),
            Some("postgres://postgres@127.0.0.1/test")
        );
        let i = c.instellingen().expect("settings");
        assert_eq!(i.termijnen.passief_dagen, 30);
        assert_eq!(i.termijnen.betaaltermijn_dagen, 14);
    }

    #[test]
    fn tls_sleutels_uit_bestand_en_omgeving() {
        let c = Configuratie::lees(
            "[mailbox]\nkind = \"amqp\"\ntls_ca = \"ca.pem\"\ntls_cert = \"hub.pem\"\n\
             tls_key = \"hub.key\"\n",
            "test",
            [],
        )
        .expect("valid");
        assert_eq!(c.mailbox.tls_cert.as_deref(), Some(Path::new("hub.pem")));
        assert_eq!(c.mailbox.tls_key.as_deref(), Some(Path::new("hub.key")));
        let c = Configuratie::lees(
            "[mailbox]\ntls_cert = \"oud.pem\"\n",
            "test",
            [
                var("CLEARINGHUIS_MAILBOX_TLS_CERT", "/etc/clearinghuis/hub.pem"),
                var("CLEARINGHUIS_MAILBOX_TLS_KEY", "/etc/clearinghuis/hub.key"),
            ],
        )
        .expect("valid");
        assert_eq!(
            c.mailbox.tls_cert.as_deref(),
            Some(Path::new("/etc/clearinghuis/hub.pem"))
        );
        assert_eq!(
            c.mailbox.tls_key.as_deref(),
            Some(Path::new("/etc/clearinghuis/hub.key"))
        );
        assert_eq!(c.mailbox.tls_ca, None);
    }

    #[test]
    fn fouten_worden_genoemd() {
        let e = Configuratie::lees("[termijnen]\npasief = 3\n", "x.toml", []).expect_err("typo");
        assert!(e.to_string().contains("pasief"), "{e}");
        let e = Configuratie::lees("", "x", [var("CLEARINGHUIS_WEER_ZON", "1")])
            .expect_err("unknown section");
        assert!(e.to_string().contains("CLEARINGHUIS_WEER_ZON"), "{e}");
        let c = Configuratie::lees("[termijnen]\npassief = 0\n", "x", []).expect("parses");
        assert!(c.instellingen().is_err());
    }
}
