//! The state the engine reads and the changes it returns.
//!
//! [`Zicht`] is what the engine may look up (a claim, a key, an inbox entry,
//! the counters); [`Toestand`] is the in-memory implementation that replay uses
//! and that a store mirrors. The engine never mutates: it returns
//! [`Wijziging`]s, and [`Toestand::pas_toe`] applies them. Every map is a
//! `BTreeMap`, so iteration order never depends on hashing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use chrono::{DateTime, FixedOffset};

use super::claim::{Claim, Voertuigsleutel};
use crate::bericht::{Bericht, BerichtId, ClaimId, Deelnemercode, Schadenummer};

/// What a due timer belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Doel {
    Claim(ClaimId),
    /// A held early message (`vroeg`) whose time is up.
    Vastgehouden,
}

/// A timer or held message as the shell sees it: due time, set order, owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wekker {
    pub tijd: DateTime<FixedOffset>,
    pub volgorde: u64,
    pub doel: Doel,
}

/// A held message, with everything needed to process it later.
#[derive(Debug, Clone, PartialEq)]
pub struct Vastgehouden {
    /// Set order (from [`Tellers::timer`]).
    pub volgorde: u64,
    pub mailbox: Deelnemercode,
    pub ontvangen: DateTime<FixedOffset>,
    /// When it is refused if still early.
    pub tot: DateTime<FixedOffset>,
    pub hash: String,
    pub bericht: Bericht,
    pub wacht_op: Wachtsleutel,
}

/// What a held message waits for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Wachtsleutel {
    /// Any change to this claim (also its creation).
    Claim(ClaimId),
    /// A claim with V's natural key.
    Sleutel {
        verhaler: Deelnemercode,
        schadenummer: Schadenummer,
    },
}

impl Wachtsleutel {
    pub fn past(&self, claim: &Claim) -> bool {
        match self {
            Wachtsleutel::Claim(id) => claim.id == *id,
            Wachtsleutel::Sleutel {
                verhaler,
                schadenummer,
            } => {
                claim.verhaler == *verhaler
                    && claim.schadenummer_verhaler.as_ref() == Some(schadenummer)
            }
        }
    }
}

/// A lookup a partial [`Toestand`] could not answer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Vraag {
    Claim(ClaimId),
    Sleutel(Deelnemercode, Schadenummer),
    Voertuigen(Voertuigsleutel),
    Inbox(Deelnemercode, BerichtId),
}

/// The store's answer to a [`Vraag`]; `None` means it has none. A store may
/// answer more than it was asked (the claim behind a key, say).
#[derive(Debug, Clone, PartialEq)]
pub enum Gevonden {
    Claim(ClaimId, Option<Box<Claim>>),
    Sleutel(Deelnemercode, Schadenummer, Option<ClaimId>),
    Voertuigen(Voertuigsleutel, Option<ClaimId>),
    Inbox(Deelnemercode, BerichtId, Option<Inboxregel>),
}

/// What the hub remembers of a message that reached the engine: its content
/// hash and the response the sender got, to answer a duplicate identically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inboxregel {
    pub hash: String,
    /// The mailbox the response went to and its XML, byte for byte.
    pub antwoord: Option<(Deelnemercode, BerichtId, String)>,
}

/// The counters behind the hub's identifiers (messages.md), last value used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Tellers {
    pub claim: u32,
    pub ongeval: u32,
    pub bericht: u64,
    /// The set order of timers and held messages: ties in due time fire in
    /// this order (rules.md §7).
    pub timer: u64,
}

impl Tellers {
    /// The next set order for a timer or held message.
    pub fn volgende_timer(&mut self) -> u64 {
        self.timer += 1;
        self.timer
    }
}

/// What the engine may look up. A store implements it over its tables.
pub trait Zicht {
    fn claim(&self, id: &ClaimId) -> Option<Claim>;
    fn claim_op_sleutel(&self, verhaler: &Deelnemercode, nummer: &Schadenummer) -> Option<ClaimId>;
    fn claim_op_voertuigen(&self, sleutel: &Voertuigsleutel) -> Option<ClaimId>;
    fn inbox(&self, afzender: &Deelnemercode, bericht_id: &BerichtId) -> Option<Inboxregel>;
    fn tellers(&self) -> Tellers;
    /// Every held early message, in the order they were held.
    fn vastgehouden(&self) -> Vec<Vastgehouden>;
    /// True for a dry run that only collects the lookups a message needs
    /// ([`Peiling`]): the engine then skips writing its answers' XML, which
    /// is most of its work and which nobody reads.
    fn peilen(&self) -> bool {
        false
    }
}

/// The claim a key names, when it still counts for the duplicate checks:
/// one a party withdrew (M11–M20) does not, so the claimant can register it
/// again (rules.md §2, Decision 12). A key names the claim with it that was
/// not withdrawn, or else the latest, so this one decides.
pub fn telt_mee(zicht: &dyn Zicht, id: Option<ClaimId>) -> Option<ClaimId> {
    let id = id?;
    match zicht.claim(&id) {
        Some(c) if c.is_ingetrokken() => None,
        // Unknown to a partial state: written down as a lookup, and the
        // shell loads it before the real run.
        _ => Some(id),
    }
}

/// A view for a dry run: the same state, but answers are not written out.
/// Decisions, changes and lookups are those of a real run; only
/// the `xml` of an outbound message (`Uitgaand`) stays empty.
pub struct Peiling<'a>(pub &'a dyn Zicht);

impl Zicht for Peiling<'_> {
    fn claim(&self, id: &ClaimId) -> Option<Claim> {
        self.0.claim(id)
    }
    fn claim_op_sleutel(&self, verhaler: &Deelnemercode, nummer: &Schadenummer) -> Option<ClaimId> {
        self.0.claim_op_sleutel(verhaler, nummer)
    }
    fn claim_op_voertuigen(&self, sleutel: &Voertuigsleutel) -> Option<ClaimId> {
        self.0.claim_op_voertuigen(sleutel)
    }
    fn inbox(&self, afzender: &Deelnemercode, bericht_id: &BerichtId) -> Option<Inboxregel> {
        self.0.inbox(afzender, bericht_id)
    }
    fn tellers(&self) -> Tellers {
        self.0.tellers()
    }
    fn vastgehouden(&self) -> Vec<Vastgehouden> {
        self.0.vastgehouden()
    }
    fn peilen(&self) -> bool {
        true
    }
}

/// A change the engine asks for. Applied in order, all or nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Wijziging {
    /// The claim's new state (insert or replace).
    Claim(Box<Claim>),
    Tellers(Tellers),
    Inbox {
        afzender: Deelnemercode,
        bericht_id: BerichtId,
        regel: Inboxregel,
    },
    /// An early message is held (rules.md §7).
    Vasthouden(Box<Vastgehouden>),
    /// A held message was processed at last (accepted, or refused at expiry).
    Vrijgeven {
        volgorde: u64,
    },
}

/// The whole hub state in memory, with its indexes.
#[derive(Debug, Clone, Default)]
pub struct Toestand {
    claims: BTreeMap<ClaimId, Claim>,
    sleutels: BTreeMap<(Deelnemercode, Schadenummer), ClaimId>,
    voertuigen: BTreeMap<Voertuigsleutel, ClaimId>,
    inbox: BTreeMap<(Deelnemercode, BerichtId), Inboxregel>,
    tellers: Tellers,
    vastgehouden: BTreeMap<u64, Vastgehouden>,
    /// Every live timer and held message by (due time, set order).
    wekkers: BTreeMap<(DateTime<FixedOffset>, u64), Doel>,
    /// Each claim's entries in `wekkers`, so a claim's timers can be replaced
    /// without its old state in memory.
    wekkers_van: BTreeMap<ClaimId, Vec<(DateTime<FixedOffset>, u64)>>,
    /// Partial: a cache in front of a store (see the module doc).
    gedeeltelijk: bool,
    /// Partial: lookups the store answered with nothing.
    afwezig: BTreeSet<Vraag>,
    /// Partial: lookups since the last [`Toestand::neem_missers`] that the
    /// cache could not decide.
    missers: Missers,
}

/// The lookups a partial state missed. Behind a mutex (uncontended: one
/// engine run at a time) so a [`Toestand`] stays `Sync`.
#[derive(Debug, Default)]
struct Missers(Mutex<BTreeSet<Vraag>>);

impl Missers {
    fn met<T>(&self, f: impl FnOnce(&mut BTreeSet<Vraag>) -> T) -> T {
        let mut set = match self.0.lock() {
            Ok(s) => s,
            // A panic while holding it left a set of lookups: still usable.
            Err(p) => p.into_inner(),
        };
        f(&mut set)
    }
}

impl Clone for Missers {
    fn clone(&self) -> Self {
        Missers(Mutex::new(self.met(|s| s.clone())))
    }
}

/// Where a written claim leaves a key's entry in an index (rules.md §2,
/// Decision 12). A key names the claim with it that was not withdrawn, or,
/// when every one was, the latest: so a claim that counts takes the entry
/// (at most one with a key counts: the duplicate checks see to that), and a
/// withdrawn one leaves whatever is there, which is itself or a later
/// registration. The stores keep their index tables by the same rule.
/// Returns whether the entry is now known to the cache.
fn zet_sleutel<K: Ord>(
    plek: std::collections::btree_map::Entry<'_, K, ClaimId>,
    claim: &Claim,
    heel: bool,
) -> bool {
    use std::collections::btree_map::Entry;
    match (plek, claim.is_ingetrokken()) {
        (Entry::Occupied(mut e), false) => {
            e.insert(claim.id.clone());
            true
        }
        (Entry::Occupied(_), true) => true,
        (Entry::Vacant(e), false) => {
            e.insert(claim.id.clone());
            true
        }
        // A partial state does not know whether the store holds a later
        // claim with this key: it leaves the key to a lookup.
        (Entry::Vacant(e), true) if heel => {
            e.insert(claim.id.clone());
            true
        }
        (Entry::Vacant(_), true) => false,
    }
}

impl Toestand {
    pub fn pas_toe(&mut self, wijzigingen: Vec<Wijziging>) {
        for w in wijzigingen {
            match w {
                Wijziging::Claim(c) => {
                    self.zet_timers(&c.id, c.timers.iter().map(|t| (t.tijd, t.volgorde)));
                    let heel = !self.is_gedeeltelijk();
                    if let Some(n) = &c.schadenummer_verhaler {
                        let plek = self.sleutels.entry((c.verhaler.clone(), n.clone()));
                        if zet_sleutel(plek, &c, heel) {
                            self.bekend(Vraag::Sleutel(c.verhaler.clone(), n.clone()));
                        }
                    }
                    let v = c.voertuigsleutel();
                    if zet_sleutel(self.voertuigen.entry(v.clone()), &c, heel) {
                        self.bekend(Vraag::Voertuigen(v));
                    }
                    self.bekend(Vraag::Claim(c.id.clone()));
                    self.claims.insert(c.id.clone(), *c);
                }
                Wijziging::Tellers(t) => self.tellers = t,
                Wijziging::Inbox {
                    afzender,
                    bericht_id,
                    regel,
                } => {
                    self.bekend(Vraag::Inbox(afzender.clone(), bericht_id.clone()));
                    self.inbox.insert((afzender, bericht_id), regel);
                }
                Wijziging::Vasthouden(h) => {
                    self.wekkers.insert((h.tot, h.volgorde), Doel::Vastgehouden);
                    self.vastgehouden.insert(h.volgorde, *h);
                }
                Wijziging::Vrijgeven { volgorde } => {
                    if let Some(h) = self.vastgehouden.remove(&volgorde) {
                        self.wekkers.remove(&(h.tot, volgorde));
                    }
                }
            }
        }
    }

    /// Replaces a claim's entries in the due-timer index.
    fn zet_timers(
        &mut self,
        id: &ClaimId,
        timers: impl Iterator<Item = (DateTime<FixedOffset>, u64)>,
    ) {
        if let Some(oud) = self.wekkers_van.remove(id) {
            for k in oud {
                self.wekkers.remove(&k);
            }
        }
        let nieuw: Vec<_> = timers.collect();
        for k in &nieuw {
            self.wekkers.insert(*k, Doel::Claim(id.clone()));
        }
        if !nieuw.is_empty() {
            self.wekkers_van.insert(id.clone(), nieuw);
        }
    }

    fn bekend(&mut self, vraag: Vraag) {
        if self.gedeeltelijk {
            self.afwezig.remove(&vraag);
        }
    }

    /// An empty partial state: a cache in front of a store.
    pub fn gedeeltelijk() -> Toestand {
        Toestand {
            gedeeltelijk: true,
            ..Toestand::default()
        }
    }

    pub fn is_gedeeltelijk(&self) -> bool {
        self.gedeeltelijk
    }

    /// Adds one stored timer to the due-timer index (a store loading a
    /// partial state: the index is always whole).
    pub fn laad_timer(&mut self, claim: ClaimId, tijd: DateTime<FixedOffset>, volgorde: u64) {
        self.wekkers
            .insert((tijd, volgorde), Doel::Claim(claim.clone()));
        self.wekkers_van
            .entry(claim)
            .or_default()
            .push((tijd, volgorde));
    }

    /// The lookups a partial state could not decide since the last call.
    pub fn neem_missers(&self) -> Vec<Vraag> {
        self.missers.met(std::mem::take).into_iter().collect()
    }

    /// Adds the store's answers. What the cache holds already wins: it may be
    /// ahead of the store (changes not yet committed).
    pub fn vul(&mut self, gevonden: Vec<Gevonden>) {
        for g in gevonden {
            match g {
                Gevonden::Claim(id, Some(c)) => {
                    self.claims.entry(id).or_insert(*c);
                }
                Gevonden::Sleutel(v, n, Some(id)) => {
                    self.sleutels.entry((v, n)).or_insert(id);
                }
                Gevonden::Voertuigen(k, Some(id)) => {
                    self.voertuigen.entry(k).or_insert(id);
                }
                Gevonden::Inbox(a, b, Some(r)) => {
                    self.inbox.entry((a, b)).or_insert(r);
                }
                Gevonden::Claim(id, None) => self.afwezig_als_onbekend(Vraag::Claim(id)),
                Gevonden::Sleutel(v, n, None) => self.afwezig_als_onbekend(Vraag::Sleutel(v, n)),
                Gevonden::Voertuigen(k, None) => self.afwezig_als_onbekend(Vraag::Voertuigen(k)),
                Gevonden::Inbox(a, b, None) => self.afwezig_als_onbekend(Vraag::Inbox(a, b)),
            }
        }
    }

    fn afwezig_als_onbekend(&mut self, vraag: Vraag) {
        let bekend = match &vraag {
            Vraag::Claim(id) => self.claims.contains_key(id),
            Vraag::Sleutel(v, n) => self.sleutels.contains_key(&(v.clone(), n.clone())),
            Vraag::Voertuigen(k) => self.voertuigen.contains_key(k),
            Vraag::Inbox(a, b) => self.inbox.contains_key(&(a.clone(), b.clone())),
        };
        if !bekend {
            self.afwezig.insert(vraag);
        }
    }

    /// How many entries the cache holds (claims, keys, inbox, known absences).
    pub fn omvang(&self) -> usize {
        self.claims.len()
            + self.sleutels.len()
            + self.voertuigen.len()
            + self.inbox.len()
            + self.afwezig.len()
    }

    /// Empties the cache of a partial state when it holds more than `max`
    /// entries; the due-timer index, held messages and counters stay. Only
    /// call it when every change is committed: what is dropped is read back
    /// from the store.
    pub fn vergeet_boven(&mut self, max: usize) -> bool {
        if !self.gedeeltelijk || self.omvang() <= max {
            return false;
        }
        self.claims.clear();
        self.sleutels.clear();
        self.voertuigen.clear();
        self.inbox.clear();
        self.afwezig.clear();
        true
    }

    fn mis<T>(&self, vraag: impl FnOnce() -> Vraag) -> Option<T> {
        if self.gedeeltelijk {
            let vraag = vraag();
            if !self.afwezig.contains(&vraag) {
                self.missers.met(|s| s.insert(vraag));
            }
        }
        None
    }

    /// The timer or held message that is due first (rules.md §7: due-time
    /// order, ties in set order).
    pub fn volgende_wekker(&self) -> Option<Wekker> {
        self.wekkers
            .iter()
            .next()
            .map(|((tijd, volgorde), doel)| Wekker {
                tijd: *tijd,
                volgorde: *volgorde,
                doel: doel.clone(),
            })
    }

    /// Every live timer and held message, due first.
    pub fn wekkers(&self) -> impl Iterator<Item = Wekker> + '_ {
        self.wekkers.iter().map(|((tijd, volgorde), doel)| Wekker {
            tijd: *tijd,
            volgorde: *volgorde,
            doel: doel.clone(),
        })
    }

    /// Every claim, in ClaimId order.
    pub fn claims(&self) -> impl Iterator<Item = &Claim> {
        self.claims.values()
    }
}

impl Zicht for Toestand {
    fn claim(&self, id: &ClaimId) -> Option<Claim> {
        match self.claims.get(id) {
            Some(c) => Some(c.clone()),
            None => self.mis(|| Vraag::Claim(id.clone())),
        }
    }

    fn claim_op_sleutel(&self, verhaler: &Deelnemercode, nummer: &Schadenummer) -> Option<ClaimId> {
        let sleutel = (verhaler.clone(), nummer.clone());
        match self.sleutels.get(&sleutel) {
            Some(id) => Some(id.clone()),
            None => self.mis(|| Vraag::Sleutel(sleutel.0, sleutel.1)),
        }
    }

    fn claim_op_voertuigen(&self, sleutel: &Voertuigsleutel) -> Option<ClaimId> {
        match self.voertuigen.get(sleutel) {
            Some(id) => Some(id.clone()),
            None => self.mis(|| Vraag::Voertuigen(sleutel.clone())),
        }
    }

    fn inbox(&self, afzender: &Deelnemercode, bericht_id: &BerichtId) -> Option<Inboxregel> {
        let sleutel = (afzender.clone(), bericht_id.clone());
        match self.inbox.get(&sleutel) {
            Some(r) => Some(r.clone()),
            None => self.mis(|| Vraag::Inbox(sleutel.0, sleutel.1)),
        }
    }

    fn tellers(&self) -> Tellers {
        self.tellers
    }

    fn vastgehouden(&self) -> Vec<Vastgehouden> {
        self.vastgehouden.values().cloned().collect()
    }
}
