//! Early messages (rules.md §7, "vroege berichten").
//!
//! A message that names a claim that does not exist yet, or that its claim's
//! status refuses only because an earlier message has not arrived yet
//! ([`super::levenscyclus::later_mogelijk`]), is held instead of refused. It is
//! retried, in the order it was held, after every change to the claim it waits
//! for — within the same input, so the change and the retry commit together.
//! When its time is up it is processed one last time without holding, which
//! refuses it with the usual code (F01, F02, F13).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};

use super::claim::{Claim, Voertuigsleutel};
use super::toestand::{Inboxregel, Tellers, Vastgehouden, Wijziging, Zicht};
use super::verwerking::{Context, EngineFout, Poging, Uitkomst};
use crate::bericht::{Bericht, BerichtId, ClaimId, Deelnemercode, Schadenummer};

/// The state as it will be after `wijzigingen`: what a retry inside the same
/// input must see.
struct Laag<'a> {
    basis: &'a dyn Zicht,
    wijzigingen: &'a [Wijziging],
}

impl Laag<'_> {
    fn claims(&self) -> impl Iterator<Item = &Claim> {
        self.wijzigingen.iter().rev().filter_map(|w| match w {
            Wijziging::Claim(c) => Some(&**c),
            _ => None,
        })
    }
}

impl Laag<'_> {
    /// A key's claim as the state's index would name it after these
    /// changes: a changed claim with the key that counts (not withdrawn),
    /// else what the state names, else the latest changed one.
    fn op_sleutel(
        &self,
        past: impl Fn(&Claim) -> bool,
        basis: impl FnOnce() -> Option<ClaimId>,
    ) -> Option<ClaimId> {
        // The latest version of each changed claim (claims() runs newest first).
        let mut passend: Vec<&Claim> = Vec::new();
        for c in self.claims() {
            if !passend.iter().any(|p| p.id == c.id) {
                passend.push(c);
            }
        }
        passend.retain(|c| past(c));
        if let Some(c) = passend.iter().find(|c| !c.is_ingetrokken()) {
            return Some(c.id.clone());
        }
        passend.sort_by(|a, b| a.id.cmp(&b.id));
        basis().or_else(|| passend.last().map(|c| c.id.clone()))
    }
}

impl Zicht for Laag<'_> {
    fn claim(&self, id: &ClaimId) -> Option<Claim> {
        self.claims()
            .find(|c| c.id == *id)
            .cloned()
            .or_else(|| self.basis.claim(id))
    }

    fn claim_op_sleutel(&self, verhaler: &Deelnemercode, nummer: &Schadenummer) -> Option<ClaimId> {
        self.op_sleutel(
            |c| c.verhaler == *verhaler && c.schadenummer_verhaler.as_ref() == Some(nummer),
            || self.basis.claim_op_sleutel(verhaler, nummer),
        )
    }

    fn claim_op_voertuigen(&self, sleutel: &Voertuigsleutel) -> Option<ClaimId> {
        self.op_sleutel(
            |c| c.voertuigsleutel() == *sleutel,
            || self.basis.claim_op_voertuigen(sleutel),
        )
    }

    fn inbox(&self, afzender: &Deelnemercode, bericht_id: &BerichtId) -> Option<Inboxregel> {
        self.wijzigingen
            .iter()
            .rev()
            .find_map(|w| match w {
                Wijziging::Inbox {
                    afzender: a,
                    bericht_id: b,
                    regel,
                } if a == afzender && b == bericht_id => Some(regel.clone()),
                _ => None,
            })
            .or_else(|| self.basis.inbox(afzender, bericht_id))
    }

    fn tellers(&self) -> Tellers {
        self.wijzigingen
            .iter()
            .rev()
            .find_map(|w| match w {
                Wijziging::Tellers(t) => Some(*t),
                _ => None,
            })
            .unwrap_or_else(|| self.basis.tellers())
    }

    fn vastgehouden(&self) -> Vec<Vastgehouden> {
        let mut alle: BTreeMap<u64, Vastgehouden> = self
            .basis
            .vastgehouden()
            .into_iter()
            .map(|h| (h.volgorde, h))
            .collect();
        for w in self.wijzigingen {
            match w {
                Wijziging::Vasthouden(h) => {
                    alle.insert(h.volgorde, (**h).clone());
                }
                Wijziging::Vrijgeven { volgorde } => {
                    alle.remove(volgorde);
                }
                _ => {}
            }
        }
        alle.into_values().collect()
    }

    fn peilen(&self) -> bool {
        self.basis.peilen()
    }
}

/// How the engine processes one message (`engine::verwerk_bericht`), given
/// to [`herkansingen`] so that this module stands below the engine's top.
pub(super) type Verwerker = fn(
    &dyn Zicht,
    Context<'_>,
    &Deelnemercode,
    DateTime<FixedOffset>,
    &str,
    &Bericht,
    Poging,
) -> Result<Option<Uitkomst>, EngineFout>;

/// Retries the held messages that wait for a claim this input changed, until
/// none of them gets further. Each success is appended to `uitkomst` (and may
/// itself release others).
pub(super) fn herkansingen(
    zicht: &dyn Zicht,
    ctx: Context<'_>,
    nu: DateTime<FixedOffset>,
    uitkomst: &mut Uitkomst,
    verwerk_bericht: Verwerker,
) -> Result<(), EngineFout> {
    // A message is tried again only when something changed since its last try.
    let mut geprobeerd: BTreeMap<u64, usize> = BTreeMap::new();
    loop {
        let gelukt = {
            let laag = Laag {
                basis: zicht,
                wijzigingen: &uitkomst.wijzigingen,
            };
            let mut gelukt = None;
            for h in laag.vastgehouden() {
                let geraakt = laag.claims().any(|c| h.wacht_op.past(c));
                let stand = uitkomst.wijzigingen.len();
                if !geraakt || geprobeerd.insert(h.volgorde, stand) == Some(stand) {
                    continue;
                }
                let poging = Poging::Herkansing(h.volgorde);
                if let Some(r) =
                    verwerk_bericht(&laag, ctx, &h.mailbox, nu, &h.hash, &h.bericht, poging)?
                {
                    gelukt = Some(r);
                    break;
                }
            }
            gelukt
        };
        match gelukt {
            Some(r) => {
                uitkomst.wijzigingen.extend(r.wijzigingen);
                uitkomst.berichten.extend(r.berichten);
            }
            None => return Ok(()),
        }
    }
}
