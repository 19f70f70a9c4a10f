//! Faults of one mailbox or one file, kept apart from the hub's own
//! (operations.md "Mailboxes": a file it cannot read or move is set aside
//! with the reason, and every other participant's mail flows on).
//!
//! The dispatcher reports here instead of failing its round: a mailbox that
//! cannot be listed, a file that cannot be read or moved, an `out` folder
//! that takes no answers. Each fault is logged when it starts, again at most
//! every [`HERHAAL`] while it lasts (so a stuck mailbox does not flood the
//! log), and once more when it ends. [`Storingen::actueel`] lists what is
//! wrong now, for the operator's screens and metrics.
//!
//! `Storingen` is a shared handle: `serve` makes one and gives a clone to
//! each attempt's dispatcher, so a fault outlives a restart (it is not
//! announced again) and can be read from outside the dispatcher.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::bericht::Deelnemercode;

/// How often a lasting fault is logged again.
pub const HERHAAL: Duration = Duration::from_secs(300);

/// Where in a mailbox the fault is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Plek {
    /// The `in` folder (or queue) as a whole.
    In,
    /// One file of the `in` folder, by name.
    Bestand(String),
    /// The `out` folder: answers wait in the outbox.
    Uit,
}

impl std::fmt::Display for Plek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Plek::In => f.write_str("in"),
            Plek::Bestand(naam) => write!(f, "in/{naam}"),
            Plek::Uit => f.write_str("out"),
        }
    }
}

#[derive(Debug, Clone)]
struct Open {
    tekst: String,
    sinds: Instant,
    gelogd: Instant,
}

/// The faults that are open now (a handle; clones share them).
#[derive(Debug, Default, Clone)]
pub struct Storingen {
    open: Arc<Mutex<BTreeMap<(Deelnemercode, Plek), Open>>>,
}

/// One open fault, as shown to the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Storing {
    pub mailbox: Deelnemercode,
    pub plek: Plek,
    pub tekst: String,
    pub duur: Duration,
}

impl Storingen {
    fn open(&self) -> MutexGuard<'_, BTreeMap<(Deelnemercode, Plek), Open>> {
        // A panic elsewhere while holding the lock leaves a map that is
        // still a map: go on with it.
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fault of `mailbox` at `plek`: logged when new or changed, and then
    /// again every [`HERHAAL`].
    pub fn meld(&self, mailbox: &Deelnemercode, plek: Plek, tekst: impl Into<String>) {
        let tekst = tekst.into();
        let nu = Instant::now();
        let sleutel = (mailbox.clone(), plek);
        let mut open = self.open();
        match open.get_mut(&sleutel) {
            Some(o) if o.tekst == tekst => {
                if nu.duration_since(o.gelogd) >= HERHAAL {
                    o.gelogd = nu;
                    tracing::warn!(
                        mailbox = %sleutel.0,
                        place = %sleutel.1,
                        since_s = nu.duration_since(o.sinds).as_secs(),
                        "mailbox fault lasts: {tekst}"
                    );
                }
            }
            _ => {
                tracing::warn!(mailbox = %sleutel.0, place = %sleutel.1, "mailbox fault: {tekst}");
                let sinds = open.get(&sleutel).map_or(nu, |o| o.sinds);
                open.insert(
                    sleutel,
                    Open {
                        tekst,
                        sinds,
                        gelogd: nu,
                    },
                );
            }
        }
    }

    /// The fault at `plek` is over (logged when there was one). Called for
    /// every file read and answer delivered: costs nothing while no fault is open.
    pub fn hersteld(&self, mailbox: &Deelnemercode, plek: Plek) {
        let mut open = self.open();
        if open.is_empty() {
            return;
        }
        if let Some(o) = open.remove(&(mailbox.clone(), plek.clone())) {
            tracing::info!(
                mailbox = %mailbox,
                place = %plek,
                after_s = o.sinds.elapsed().as_secs(),
                "mailbox fault over: {}",
                o.tekst
            );
        }
    }

    /// Whether `mailbox` has a fault at `plek` now.
    pub fn heeft(&self, mailbox: &Deelnemercode, plek: &Plek) -> bool {
        self.open().contains_key(&(mailbox.clone(), plek.clone()))
    }

    /// Whether any mailbox has answers waiting because its `out` failed.
    pub fn uit_open(&self) -> bool {
        self.open().keys().any(|(_, p)| *p == Plek::Uit)
    }

    /// Every open fault, by mailbox and place.
    pub fn actueel(&self) -> Vec<Storing> {
        self.open()
            .iter()
            .map(|((mailbox, plek), o)| Storing {
                mailbox: mailbox.clone(),
                plek: plek.clone(),
                tekst: o.tekst.clone(),
                duur: o.sinds.elapsed(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_tot_hersteld() {
        let a = Deelnemercode::new("CR-00820000").expect("code");
        let s = Storingen::default();
        s.meld(&a, Plek::Uit, "read-only");
        s.meld(&a, Plek::Uit, "read-only");
        s.meld(&a, Plek::Bestand("x.xml".into()), "EIO");
        assert_eq!(s.actueel().len(), 2);
        assert!(s.uit_open());
        s.hersteld(&a, Plek::Uit);
        assert!(!s.uit_open());
        assert_eq!(s.actueel()[0].plek, Plek::Bestand("x.xml".into()));
    }
}
