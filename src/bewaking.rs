//! What the supervisor of `clearinghuis serve` knows about itself, shared
//! so that something other than the log (a metrics endpoint, later) can read
//! it: whether the hub serves, waits as a standby or waits for disk space,
//! since when, and how often it started again.
//!
//! The disk-full state is entered and left here, so the log says it once
//! when it begins and once when it ends, however many attempts fail between.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// What the hub is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fase {
    /// Taking the store's lock, opening the store and the mailboxes.
    Starten,
    /// Another hub holds the store; this one waits to take over.
    Standby,
    /// Taking messages.
    Bedienen,
    /// Taking no messages until a failure has passed (backoff).
    Herstarten,
    /// Taking no messages until there is disk space again.
    SchijfVol,
}

impl Fase {
    pub fn naam(self) -> &'static str {
        match self {
            Fase::Starten => "starting",
            Fase::Standby => "standby",
            Fase::Bedienen => "serving",
            Fase::Herstarten => "restarting",
            Fase::SchijfVol => "disk full",
        }
    }
}

/// A copy of the state at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stand {
    pub fase: Fase,
    /// When the current phase began.
    pub sinds: SystemTime,
    /// When the disk filled up, while it is full.
    pub schijf_vol_sinds: Option<SystemTime>,
    /// How often the disk filled up since the hub started.
    pub schijf_vol_keren: u64,
    /// How often an attempt ended in a failure and the hub started again.
    pub herstarts: u64,
    /// The last failure, as it may be shown (no secrets).
    pub laatste_fout: Option<String>,
}

/// The shared state: cheap to update, read by copying it out.
#[derive(Debug)]
pub struct Bewaking {
    stand: Mutex<Stand>,
}

impl Default for Bewaking {
    fn default() -> Self {
        Bewaking::new()
    }
}

impl Bewaking {
    pub fn new() -> Bewaking {
        Bewaking {
            stand: Mutex::new(Stand {
                fase: Fase::Starten,
                sinds: SystemTime::now(),
                schijf_vol_sinds: None,
                schijf_vol_keren: 0,
                herstarts: 0,
                laatste_fout: None,
            }),
        }
    }

    /// The state now.
    pub fn stand(&self) -> Stand {
        self.met(|s| s.clone())
    }

    fn met<T>(&self, f: impl FnOnce(&mut Stand) -> T) -> T {
        // A panic elsewhere while holding the lock leaves a state that is
        // still a state: go on with it.
        let mut s = self.stand.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s)
    }

    /// Enters `fase` (the disk-full state is left only through
    /// [`Bewaking::vastgelegd`]).
    pub fn zet(&self, fase: Fase) {
        self.met(|s| {
            if s.fase != fase && s.schijf_vol_sinds.is_none() {
                s.fase = fase;
                s.sinds = SystemTime::now();
            }
        });
    }

    /// An attempt ended in `fout` (already free of secrets).
    pub fn mislukt(&self, fout: &str) {
        self.met(|s| {
            s.herstarts += 1;
            s.laatste_fout = Some(fout.to_string());
        });
    }

    /// The disk is full. True when this begins a disk-full spell (the
    /// caller says so in the log), false while it lasts.
    pub fn schijf_vol(&self) -> bool {
        self.met(|s| {
            if s.schijf_vol_sinds.is_some() {
                return false;
            }
            let nu = SystemTime::now();
            s.schijf_vol_sinds = Some(nu);
            s.schijf_vol_keren += 1;
            s.fase = Fase::SchijfVol;
            s.sinds = nu;
            true
        })
    }

    pub fn is_schijf_vol(&self) -> bool {
        self.met(|s| s.schijf_vol_sinds.is_some())
    }

    /// Something was written durably (a commit, answers delivered): a
    /// disk-full spell is over. Returns how long it lasted, once.
    pub fn vastgelegd(&self) -> Option<Duration> {
        self.met(|s| {
            let begin = s.schijf_vol_sinds.take()?;
            let nu = SystemTime::now();
            s.fase = Fase::Bedienen;
            s.sinds = nu;
            Some(nu.duration_since(begin).unwrap_or_default())
        })
    }
}

impl Bewaking {
    /// Says in the log that the disk is full, once per spell (later
    /// failures of the same spell at debug level); true when this began one.
    pub fn meld_schijf_vol(&self, fout: &str) -> bool {
        if self.schijf_vol() {
            tracing::error!(
                "disk full: {fout}. The hub takes no messages until there is space again; \
                 nothing taken is lost (it is neither moved nor acknowledged before it is committed)"
            );
            true
        } else {
            tracing::debug!("disk still full: {fout}");
            false
        }
    }

    /// Something was written durably: says in the log that a disk-full
    /// spell is over, once.
    pub fn meld_vastgelegd(&self) {
        if let Some(duur) = self.vastgelegd() {
            tracing::warn!(
                "disk space is back after {:.1} s: the hub takes messages again",
                duur.as_secs_f64()
            );
        }
    }
}

/// An I/O error that says the file system has no room (or the quota is used up).
pub fn schijf_vol_io(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    ) || matches!(e.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn een_schijf_vol_periode_begint_en_eindigt_een_keer() {
        let b = Bewaking::new();
        b.zet(Fase::Bedienen);
        assert!(b.vastgelegd().is_none(), "nothing to end");
        assert!(b.schijf_vol());
        assert!(!b.schijf_vol(), "said once");
        b.zet(Fase::Herstarten);
        assert_eq!(b.stand().fase, Fase::SchijfVol, "full until written");
        assert!(b.vastgelegd().is_some());
        assert!(b.vastgelegd().is_none(), "ended once");
        let s = b.stand();
        assert_eq!(s.fase, Fase::Bedienen);
        assert_eq!(s.schijf_vol_keren, 1);
        assert!(s.schijf_vol_sinds.is_none());
    }

    #[test]
    fn enospc_en_edquot_zijn_een_volle_schijf() {
        for n in [libc::ENOSPC, libc::EDQUOT] {
            assert!(schijf_vol_io(&std::io::Error::from_raw_os_error(n)));
        }
        assert!(!schijf_vol_io(&std::io::Error::from_raw_os_error(
            libc::ECONNREFUSED
        )));
    }
}
