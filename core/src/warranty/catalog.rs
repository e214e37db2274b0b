//! Catalogs of policies indexed once, and resolution of the policy that covers a sold item
//! (DESIGN §4, PROTOCOL.md `resolve`).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::{self, Calendar, Digits, Instant};
use crate::warranty::coverage::{Code, Outcome};
use crate::warranty::policy::{CoverKind, Policy, State};

/// A sold item's identity: any of product code, product type, brand and family.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
// Read by `strict::text_struct!` (below), as `#[serde(deny_unknown_fields)]` would.
pub struct Item {
    /// Product code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Product type name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    /// Brand name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// Product family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
}

crate::strict::text_struct!(Item {
    opt_text product,
    opt_text product_type,
    opt_text brand,
    opt_text family,
});

impl Item {
    /// The item's value for a key kind.
    pub fn get(&self, kind: CoverKind) -> Option<&str> {
        match kind {
            CoverKind::Product => self.product.as_deref(),
            CoverKind::ProductType => self.product_type.as_deref(),
            CoverKind::Brand => self.brand.as_deref(),
            CoverKind::Family => self.family.as_deref(),
        }
    }
}

/// One candidate policy and the most specific key it matched by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The policy id.
    pub policy: String,
    /// Its most specific matching key kind.
    pub matched_by: CoverKind,
}

/// The answer of `resolve`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// `covered` when a policy applies, else `not_covered`.
    pub outcome: Outcome,
    /// `[]` or `["NO_POLICY_MATCH"]`.
    pub codes: Vec<Code>,
    /// The winner's id.
    pub policy: Option<String>,
    /// How the winner matched.
    pub matched_by: Option<CoverKind>,
    /// Coverage start (= `sold_at`).
    pub start: Option<Instant>,
    /// The winner's expiry from `sold_at`.
    pub end: Option<Instant>,
    /// Every candidate, best first.
    pub candidates: Vec<Candidate>,
    /// A plain English sentence saying who won and why.
    pub message: String,
}

/// FxHash (rustc's hasher): catalog keys are short product codes and names chosen by the
/// host, so hash flooding is not a concern and SipHash would dominate a lookup. Public for
/// the bindings' own lookups of host-chosen keys ([`FxBuildHasher`]).
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

/// A `HashMap` hasher built on [`FxHasher`].
pub type FxBuildHasher = BuildHasherDefault<FxHasher>;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// One policy in a posting list, with what the filters read, so that walking a list stays in
/// the list's memory: the window, whether business units restrict it, and the policy's covers
/// of kinds more specific than the list's, as kinds and key hashes (to skip a policy already
/// listed by a more specific kind).
/// 48 bytes: the instants split into seconds and nanoseconds (a [`Key`] each), the covers'
/// kinds and hashes in two arrays; a list of a few hundred entries is walked through few
/// cache lines.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// `effective_from`'s seconds (with `from_ns`, the `from` key); `Key::MIN` when none.
    from_s: i64,
    /// `effective_until`'s seconds (with `until_ns`, the `until` key); `Key::MAX` when none.
    until_s: i64,
    from_ns: u32,
    until_ns: u32,
    policy: u32,
    /// The key hashes of the policy's covers of more specific kinds (`kinds[i]`).
    hashes: [u32; MAX_INLINE_COVERS],
    kinds: [u8; MAX_INLINE_COVERS],
    /// How many of `hashes` are used (most entries: none); `u8::MAX` when the policy has
    /// more such covers than fit (the check reads the policy).
    n_covers: u8,
    /// The policy names business units (the filter must read them).
    units: bool,
}

const MAX_INLINE_COVERS: usize = 3;

// The layout the list walk is tuned for.
const _: () = assert!(std::mem::size_of::<Entry>() == 48);

/// 32 bits of a key's hash (the high half of [`list_hash`]'s): a match is confirmed on the
/// policy itself.
fn key_hash(v: &str) -> u32 {
    u32::try_from(list_hash(v) >> 32).unwrap_or(0)
}

/// An instant as `(seconds since the epoch, nanoseconds)`: ordered as the instants are, and
/// compared without chrono.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key(i64, u32);

impl Key {
    const MIN: Key = Key(i64::MIN, 0);
    const MAX: Key = Key(i64::MAX, u32::MAX);

    fn of(t: Instant) -> Key {
        Key(t.0.timestamp(), t.0.timestamp_subsec_nanos())
    }
}

impl Entry {
    /// The entry of policy `i` in a list of `kind`.
    fn new(p: &Policy, i: u32, kind: CoverKind) -> Self {
        let mut hashes = [0u32; MAX_INLINE_COVERS];
        let mut kinds = [0u8; MAX_INLINE_COVERS];
        let before = || p.covers.iter().filter(|c| c.kind < kind);
        let n_covers = if before().count() > MAX_INLINE_COVERS {
            u8::MAX
        } else {
            let mut n = 0u8;
            for ((h, k), c) in hashes.iter_mut().zip(kinds.iter_mut()).zip(before()) {
                *h = key_hash(&c.value);
                *k = u8::try_from(c.kind.index()).unwrap_or(0);
                n = n.saturating_add(1);
            }
            n
        };
        let from = p.effective_from.map_or(Key::MIN, Key::of);
        let until = p.effective_until.map_or(Key::MAX, Key::of);
        Entry {
            from_s: from.0,
            until_s: until.0,
            from_ns: from.1,
            until_ns: until.1,
            policy: i,
            hashes,
            kinds,
            n_covers,
            units: !p.business_units.is_empty(),
        }
    }

    fn from(&self) -> Key {
        Key(self.from_s, self.from_ns)
    }

    fn until(&self) -> Key {
        Key(self.until_s, self.until_ns)
    }

    /// Whether the policy may apply at `t` (its `effective_from` is already known not to be
    /// after `t`, and only effective policies are listed).
    fn open(&self, t: Key, bu: Option<&str>, p: &Policy) -> bool {
        t <= self.until()
            && (!self.units || bu.is_some_and(|b| p.business_units.iter().any(|x| x == b)))
    }
}

/// An item's key hashes, by kind index.
type ItemHashes = [Option<u32>; 4];

/// A key's bytes as little-endian words, the last one zero-padded (built in registers: a
/// copy through memory would stall the load that reads it back).
fn key_words(v: &str) -> impl Iterator<Item = u64> + '_ {
    let chunks = v.as_bytes().chunks_exact(8);
    let rest = chunks.remainder();
    let last = (!rest.is_empty()).then(|| {
        rest.iter()
            .rev()
            .fold(0u64, |w, &b| w.rotate_left(8) | u64::from(b))
    });
    chunks
        .map(|c| {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            u64::from_le_bytes(w)
        })
        .chain(last)
}

/// A key's 64-bit hash for the index: FxHash over its words and its length, the high bits
/// folded into the low ones that the map's buckets are chosen by.
fn list_hash(v: &str) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let h = key_words(v).fold(0, step);
    let h = step(h, u64::try_from(v.len()).unwrap_or(u64::MAX));
    h ^ (h >> 32)
}

/// The hasher of a map keyed by [`list_hash`]: the key is already a hash.
#[derive(Default, Clone, Copy)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed (`write_u64`); any other write still hashes.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Whether `words` (from a list's head in [`Index::heads`]) begin with `key`'s words.
fn key_at(words: &[i64], key: &str) -> bool {
    let mut words = words.iter();
    key_words(key).all(|w| {
        words
            .next()
            .is_some_and(|x| w.to_le_bytes() == x.to_le_bytes())
    })
}

/// A posting list's place in its [`Index`]: its key's words, then its entries' `from_s`, from
/// `head` in `heads`; its entries from `start` in `entries`.
#[derive(Clone, Copy, Debug)]
struct List {
    head: usize,
    /// The key's length in bytes.
    key_len: usize,
    start: usize,
    len: usize,
}

/// One key kind's posting lists, by [`list_hash`] of the key, the key confirmed on the list. A
/// key whose 64-bit hash another key already holds (never seen in practice, but possible) is
/// kept in `clashes`, searched in order (catalog keys are the host's own, as for
/// [`FxHasher`]). All lists share two allocations: `heads` holds each list's key words and
/// then its entries' `effective_from` seconds, so that a lookup confirms its key in the
/// memory the binary search past the policies not yet in force reads next (8 bytes an entry,
/// not a cache line every one or two); `entries` holds the entries, list after list.
#[derive(Clone, Debug, Default)]
struct Index {
    lists: HashMap<u64, List, BuildHasherDefault<Prehashed>>,
    clashes: Vec<List>,
    heads: Vec<i64>,
    entries: Vec<Entry>,
}

impl List {
    /// Whether this is `key`'s list (`heads`: its index's).
    fn is(&self, heads: &[i64], key: &str) -> bool {
        key.len() == self.key_len && key_at(heads.get(self.head..).unwrap_or(&[]), key)
    }
}

impl Index {
    /// `key`'s list, whose hash is `h`.
    fn get(&self, key: &str, h: u64) -> Option<&List> {
        let list = self.lists.get(&h)?;
        if list.is(&self.heads, key) {
            Some(list)
        } else {
            self.clashes.iter().find(|l| l.is(&self.heads, key))
        }
    }

    /// A list's entries' `effective_from` seconds.
    fn froms(&self, list: &List) -> &[i64] {
        let at = list.head.saturating_add(list.key_len.div_ceil(8));
        self.heads
            .get(at..at.saturating_add(list.len))
            .unwrap_or(&[])
    }

    /// A list's entries.
    fn entries(&self, list: &List) -> &[Entry] {
        self.entries
            .get(list.start..list.start.saturating_add(list.len))
            .unwrap_or(&[])
    }
}

/// An [`Index`] being built: its lists (each list's `head` where its key's words are in
/// `index.heads`, `start` its number, `len` its entries so far), and the entries in catalog
/// order, each with its list's number.
#[derive(Default)]
struct IndexBuilder {
    index: Index,
    /// The last policy listed, by list number (a policy naming one key twice is listed once).
    last: Vec<Option<u32>>,
    items: Vec<(usize, Entry)>,
}

impl IndexBuilder {
    /// `key`'s list in `ix`, whose hash is `h`, created if new (numbered `last.len()`).
    fn list_of<'a>(
        ix: &'a mut Index,
        last: &mut Vec<Option<u32>>,
        key: &str,
        h: u64,
    ) -> Option<&'a mut List> {
        let new = List {
            head: ix.heads.len(),
            key_len: key.len(),
            start: last.len(),
            len: 0,
        };
        use std::collections::hash_map::Entry as Slot;
        let heads = &ix.heads;
        let list = match ix.lists.entry(h) {
            Slot::Occupied(o) if o.get().is(heads, key) => return Some(o.into_mut()),
            Slot::Occupied(_) => match ix.clashes.iter().position(|l| l.is(heads, key)) {
                Some(at) => return ix.clashes.get_mut(at),
                None => {
                    ix.clashes.push(new);
                    ix.clashes.last_mut()
                }
            },
            Slot::Vacant(v) => Some(v.insert(new)),
        };
        ix.heads
            .extend(key_words(key).map(|w| i64::from_le_bytes(w.to_le_bytes())));
        last.push(None);
        list
    }

    /// Lists policy `policy` under `key` (hash `h`) unless it is listed there already.
    fn add(&mut self, key: &str, h: u64, policy: u32, entry: impl FnOnce() -> Entry) {
        let Some(list) = Self::list_of(&mut self.index, &mut self.last, key, h) else {
            return;
        };
        let n = list.start;
        if let Some(last) = self.last.get_mut(n).filter(|l| **l != Some(policy)) {
            *last = Some(policy);
            list.len = list.len.saturating_add(1);
            self.items.push((n, entry()));
        }
    }

    /// The index: each list's entries placed together (in catalog order) and sorted by
    /// `order`, its key and its entries' `from_s` written to the heads.
    fn finish(self, mut order: impl FnMut(&Entry, &Entry) -> Ordering) -> Index {
        let IndexBuilder {
            mut index,
            last,
            items,
        } = self;
        // Where each list's entries start: its number's place after the lists before it.
        let mut next = vec![0usize; last.len()];
        for l in index.lists.values().chain(&index.clashes) {
            if let Some(at) = next.get_mut(l.start) {
                *at = l.len;
            }
        }
        let mut sum = 0usize;
        for at in &mut next {
            let len = *at;
            *at = sum;
            sum = sum.saturating_add(len);
        }
        let starts = next.clone();
        let mut entries = match items.first() {
            Some(&(_, e)) => vec![e; items.len()],
            None => Vec::new(),
        };
        for &(n, e) in &items {
            if let Some(at) = next.get_mut(n) {
                if let Some(slot) = entries.get_mut(*at) {
                    *slot = e;
                }
                *at = at.saturating_add(1);
            }
        }
        drop(items);
        let keys = std::mem::take(&mut index.heads);
        let mut heads = Vec::with_capacity(keys.len().saturating_add(entries.len()));
        for l in index.lists.values_mut().chain(index.clashes.iter_mut()) {
            l.start = starts.get(l.start).copied().unwrap_or(0);
            let range = l.start..l.start.saturating_add(l.len);
            if let Some(list) = entries.get_mut(range.clone()) {
                list.sort_by(&mut order);
            }
            let key = l.head..l.head.saturating_add(l.key_len.div_ceil(8));
            l.head = heads.len();
            heads.extend_from_slice(keys.get(key).unwrap_or(&[]));
            heads.extend(entries.get(range).unwrap_or(&[]).iter().map(|e| e.from_s));
        }
        index.heads = heads;
        index.entries = entries;
        index
    }
}

/// Policies indexed by covered-goods key, so that resolution looks up rather than scans.
///
/// One map per [`CoverKind`]: key value → the `effective` policies naming it, sorted at build
/// time in the protocol's candidate order (later `effective_from` first, none last, then
/// `number`, then `id`). The winner is the first entry, most specific kind first, that
/// applies; entries whose `effective_from` is after the sale are skipped by a binary search,
/// so a query never orders, and rarely visits, the losers.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    policies: Vec<Policy>,
    index: [Index; 4],
}

/// Which candidates [`Catalog::resolve_with`] lists beside the winner.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Candidates {
    /// Every candidate, best first (the default; PROTOCOL.md's answer).
    #[default]
    All,
    /// None: the winner only (`candidates: []`).
    None,
    /// The first `n`, best first.
    First(usize),
}

/// What a `candidates` value is expected to be (serde's "expected …"; the request parser
/// places an array or object given instead at `candidates` itself).
pub const CANDIDATES_EXPECTING: &str = "\"all\", \"none\" or a whole number of candidates";

impl<'de> Deserialize<'de> for Candidates {
    /// `"all"`, `"none"` or a count (the first N).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Candidates;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(CANDIDATES_EXPECTING)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Candidates, E> {
                match v {
                    "all" => Ok(Candidates::All),
                    "none" => Ok(Candidates::None),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Candidates, E> {
                Ok(Candidates::First(usize::try_from(v).unwrap_or(usize::MAX)))
            }
        }
        d.deserialize_any(V)
    }
}

impl Candidates {
    fn limit(self) -> usize {
        match self {
            Candidates::All => usize::MAX,
            Candidates::None => 0,
            Candidates::First(n) => n,
        }
    }
}

impl std::fmt::Debug for FxHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FxHasher")
    }
}

/// The typed answer of [`Catalog::resolve`]: borrows the catalog, allocates only the
/// candidate list asked for, and renders its explanation only when asked
/// ([`Resolved::explain`]).
#[derive(Clone, Debug)]
pub struct Resolved<'a> {
    catalog: &'a Catalog,
    /// The candidates asked for, best first.
    listed: Vec<(usize, CoverKind)>,
    asked: Candidates,
    winner: Option<(usize, CoverKind)>,
    /// Coverage start (= `sold_at`, in the operation's calendar).
    pub start: Instant,
    sold_at: Instant,
    cal: Calendar,
}

impl<'a> Resolved<'a> {
    /// The winning policy.
    pub fn policy(&self) -> Option<&'a Policy> {
        self.winner.and_then(|(i, _)| self.catalog.policies.get(i))
    }

    /// The winner's index in [`Catalog::policies`] (a handle that outlives this borrow).
    pub fn policy_index(&self) -> Option<usize> {
        self.winner.map(|(i, _)| i)
    }

    /// How the winner matched.
    pub fn matched_by(&self) -> Option<CoverKind> {
        self.winner.map(|(_, k)| k)
    }

    /// The candidates asked for ([`Candidates`]), best first, read from the answer's list
    /// (nothing copied).
    pub fn candidates(&self) -> impl Iterator<Item = (&'a Policy, CoverKind)> + '_ {
        let policies: &'a [Policy] = &self.catalog.policies;
        self.listed
            .iter()
            .filter_map(move |&(i, k)| policies.get(i).map(|p| (p, k)))
    }

    /// How many candidates the answer lists.
    pub fn candidate_count(&self) -> usize {
        self.listed.len()
    }

    /// `covered` when a policy applies, else `not_covered`.
    pub fn outcome(&self) -> Outcome {
        if self.winner.is_none() {
            Outcome::NotCovered
        } else {
            Outcome::Covered
        }
    }

    /// The winner's coverage end from `sold_at`, in the operation's calendar; `None` when no
    /// policy applies. Computed when asked, so a caller that needs only the winner does not
    /// pay for the calendar arithmetic. Fails (at `policies[i].duration`) when the end falls
    /// outside the supported years.
    pub fn end(&self) -> Result<Option<Instant>> {
        let Some((i, _)) = self.winner else {
            return Ok(None);
        };
        let p = self
            .catalog
            .policies
            .get(i)
            .ok_or_else(|| Error::invalid("policies", "index out of date"))?;
        time::expiry(self.sold_at, p.duration, p.expiry, self.cal)
            .map(Some)
            .map_err(|_| {
                Error::invalid(
                    format!("policies[{i}].duration"),
                    "the coverage end falls outside the supported years 1..=9999",
                )
            })
    }

    /// The owned, explained decision (as the `resolve` operation returns it); fails as
    /// [`Resolved::end`] does.
    pub fn explain(&self, item: &Item) -> Result<Resolution> {
        let end = self.end()?;
        let list: Vec<Candidate> = self
            .candidates()
            .map(|(p, k)| Candidate {
                policy: p.id.clone(),
                matched_by: k,
            })
            .collect();
        // The count of applicable policies is known only when every candidate was listed.
        let counted = (self.asked == Candidates::All).then_some(list.len());
        Ok(match (self.policy(), self.matched_by(), end) {
            (Some(p), Some(kind), Some(end)) => Resolution {
                outcome: Outcome::Covered,
                codes: Vec::new(),
                policy: Some(p.id.clone()),
                matched_by: Some(kind),
                start: Some(self.start),
                end: Some(end),
                message: explain(p, kind, item, counted, end),
                candidates: list,
            },
            _ => Resolution {
                outcome: Outcome::NotCovered,
                codes: vec![Code::NoPolicyMatch],
                policy: None,
                matched_by: None,
                start: None,
                end: None,
                candidates: Vec::new(),
                message: "Not covered: no effective policy covers this item's product, type, brand or family at the sale date.".to_string(),
            },
        })
    }
}

impl Catalog {
    /// Indexes `policies`. Fails when ids repeat or a policy is invalid; paths are
    /// `policies[i]...`.
    pub fn new(policies: Vec<Policy>) -> Result<Self> {
        let mut build: [IndexBuilder; 4] = Default::default();
        if u32::try_from(policies.len()).is_err() {
            return Err(Error::invalid("policies", "too many policies"));
        }
        let mut ids: HashMap<&str, usize, BuildHasherDefault<FxHasher>> =
            HashMap::with_capacity_and_hasher(policies.len(), Default::default());
        for (i, p) in policies.iter().enumerate() {
            p.validate()
                .map_err(|e| e.within(&format!("policies[{i}]")))?;
            if ids.insert(p.id.as_str(), i).is_some() {
                return Err(Error::invalid(
                    format!("policies[{i}].id"),
                    format!("policy id `{}` appears twice in the catalog", p.id),
                ));
            }
            // Only effective policies can ever be candidates.
            if p.state != State::Effective {
                continue;
            }
            let n = u32::try_from(i).unwrap_or(u32::MAX);
            for c in &p.covers {
                if let Some(b) = build.get_mut(c.kind.index()) {
                    b.add(&c.value, list_hash(&c.value), n, || {
                        Entry::new(p, n, c.kind)
                    });
                }
            }
        }
        drop(ids);
        // `effective_from` is in the entry: only ties read the policies.
        let order = |a: &Entry, b: &Entry| {
            b.from().cmp(&a.from()).then_with(|| {
                match (
                    policies.get(a.policy as usize),
                    policies.get(b.policy as usize),
                ) {
                    (Some(pa), Some(pb)) => same_kind_order(pa, pb),
                    _ => Ordering::Equal,
                }
            })
        };
        let index = build.map(|b| b.finish(order));
        Ok(Catalog { policies, index })
    }

    /// The policies, in load order.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// Number of policies.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    /// True when the catalog holds no policy.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The policy with this id (a scan; meant for explanations, not the hot path).
    pub fn get(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// Candidate policies for an item, best first, as `(index, matched_by)`; a policy that
    /// matches by several kinds appears once, by its most specific kind.
    pub fn candidates(
        &self,
        item: &Item,
        sold_at: Instant,
        business_unit: Option<&str>,
    ) -> Vec<(usize, CoverKind)> {
        let mut out = Vec::new();
        self.list(item, sold_at, business_unit, usize::MAX, &mut out);
        out
    }

    /// The entries of `kind`'s list for `item` that may apply at `t`: those whose
    /// `effective_from` is not after `t` (a binary search: the list is sorted latest first).
    fn entries(&self, item: &Item, kind: CoverKind, t: Key) -> &[Entry] {
        let Some((index, list)) = item.get(kind).and_then(|v| {
            let index = self.index.get(kind.index())?;
            Some((index, index.get(v, list_hash(v))?))
        }) else {
            return &[];
        };
        let (froms, entries) = (index.froms(list), index.entries(list));
        let mut skip = froms.partition_point(|&s| s > t.0);
        // Policies that start in the second of the sale: the nanoseconds decide (rare).
        while froms.get(skip) == Some(&t.0) && entries.get(skip).is_some_and(|e| e.from_ns > t.1) {
            skip = skip.saturating_add(1);
        }
        entries.get(skip..).unwrap_or(&[])
    }

    /// The best candidate: the first entry, most specific kind first, that applies.
    fn winner(
        &self,
        item: &Item,
        sold_at: Instant,
        business_unit: Option<&str>,
    ) -> Option<(usize, CoverKind)> {
        let t = Key::of(sold_at);
        CoverKind::ALL.iter().find_map(|&kind| {
            self.entries(item, kind, t).iter().find_map(|e| {
                let i = e.policy as usize;
                let p = self.policies.get(i)?;
                e.open(t, business_unit, p).then_some((i, kind))
            })
        })
    }

    /// Whether the policy of `e` also names `item`'s key of a kind more specific than `kind`
    /// (it is then listed there). Reads the policy only when a hash matches.
    fn listed_before(&self, e: &Entry, kind: CoverKind, item: &Item, hashes: &ItemHashes) -> bool {
        let exact = |p: &Policy| {
            p.covers
                .iter()
                .any(|c| c.kind < kind && item.get(c.kind) == Some(c.value.as_str()))
        };
        if e.n_covers == u8::MAX {
            return self.policies.get(e.policy as usize).is_some_and(exact);
        }
        let n = usize::from(e.n_covers);
        if n == 0 {
            return false;
        }
        let maybe = e
            .kinds
            .iter()
            .zip(&e.hashes)
            .take(n)
            .any(|(&k, &h)| hashes.get(usize::from(k)).copied().flatten() == Some(h));
        maybe && self.policies.get(e.policy as usize).is_some_and(exact)
    }

    /// Appends up to `limit` candidates to `out`, best first: the kinds' lists one after the
    /// other (the order ranks the kind first), each policy once, by its most specific kind.
    fn list(
        &self,
        item: &Item,
        sold_at: Instant,
        business_unit: Option<&str>,
        limit: usize,
        out: &mut Vec<(usize, CoverKind)>,
    ) {
        let t = Key::of(sold_at);
        let mut hashes: ItemHashes = [None; 4];
        for (h, &kind) in hashes.iter_mut().zip(CoverKind::ALL) {
            *h = item.get(kind).map(key_hash);
        }
        let mut lists: [(CoverKind, &[Entry]); 4] = [(CoverKind::Product, &[]); 4];
        for (slot, &kind) in lists.iter_mut().zip(CoverKind::ALL) {
            *slot = (kind, self.entries(item, kind, t));
        }
        // At most every entry: one allocation for the whole answer.
        let most = lists
            .iter()
            .map(|(_, l)| l.len())
            .fold(0, usize::saturating_add);
        out.reserve(most.min(limit));
        for (kind, list) in lists {
            for e in list {
                if out.len() >= limit {
                    return;
                }
                let i = e.policy as usize;
                let Some(p) = self.policies.get(i) else {
                    continue;
                };
                if e.open(t, business_unit, p)
                    && (kind == CoverKind::Product || !self.listed_before(e, kind, item, &hashes))
                {
                    out.push((i, kind));
                }
            }
        }
    }

    /// Resolves the policy that covers `item` sold at `sold_at` by `business_unit`, listing
    /// every candidate. The end is computed in `cal` when asked ([`Resolved::end`]); call
    /// [`Resolved::explain`] for the full explained decision.
    pub fn resolve(
        &self,
        item: &Item,
        sold_at: Instant,
        business_unit: Option<&str>,
        cal: Calendar,
    ) -> Result<Resolved<'_>> {
        self.resolve_with(item, sold_at, business_unit, cal, Candidates::All)
    }

    /// [`Catalog::resolve`], listing only the candidates asked for: with `Candidates::None`
    /// it finds the winner without allocating (and without the calendar arithmetic of its
    /// end, until [`Resolved::end`] is called).
    pub fn resolve_with(
        &self,
        item: &Item,
        sold_at: Instant,
        business_unit: Option<&str>,
        cal: Calendar,
        asked: Candidates,
    ) -> Result<Resolved<'_>> {
        let mut listed = Vec::new();
        let winner = match asked.limit() {
            0 => self.winner(item, sold_at, business_unit),
            // The list is in the protocol's order: its first entry is the winner (one walk of
            // the lists for both).
            limit => {
                self.list(item, sold_at, business_unit, limit, &mut listed);
                listed.first().copied()
            }
        };
        Ok(Resolved {
            catalog: self,
            listed,
            asked,
            winner,
            start: cal.localize(sold_at),
            sold_at,
            cal,
        })
    }
}

/// Whether a policy may be applied to goods sold at `t` by `bu` (ignoring covered goods).
pub fn applies(p: &Policy, t: Instant, bu: Option<&str>) -> bool {
    p.state == State::Effective
        && p.effective_from.is_none_or(|f| f <= t)
        && p.effective_until.is_none_or(|u| t <= u)
        && (p.business_units.is_empty()
            || bu.is_some_and(|b| p.business_units.iter().any(|x| x == b)))
}

/// The candidate order of PROTOCOL.md: specificity, later `effective_from` first (null last),
/// `number` ascending, `id` ascending.
pub fn compare_candidates(a: (&Policy, CoverKind), b: (&Policy, CoverKind)) -> Ordering {
    a.1.cmp(&b.1).then_with(|| same_kind_order(a.0, b.0))
}

/// The candidate order within one key kind: later `effective_from` first (none last), then
/// `number`, then `id`.
fn same_kind_order(a: &Policy, b: &Policy) -> Ordering {
    from_order(a.effective_from, b.effective_from)
        .then_with(|| a.number.cmp(&b.number))
        .then_with(|| a.id.cmp(&b.id))
}

/// Later `effective_from` first, none last.
fn from_order(a: Option<Instant>, b: Option<Instant>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn explain(
    p: &Policy,
    kind: CoverKind,
    item: &Item,
    counted: Option<usize>,
    end: Instant,
) -> String {
    // One `concat` of pieces, not `format!`: this runs for every answered `resolve`.
    let value = item.get(kind).unwrap_or("");
    let (name, open, close) = match &p.name {
        Some(n) => (n.as_str(), " (", ")"),
        None => ("", "", ""),
    };
    let (mut duration, mut dates, mut count) = Default::default();
    let [value_n, space, unit] = p.duration.parts(&mut duration);
    let [day, s1, month, s2, year] = time::human_date_parts(end, &mut dates);
    let (of, n, tail) = match counted {
        None | Some(0 | 1) => ("", "", "."),
        Some(n) => (
            ", the most specific of ",
            Digits::of(&mut count, i64::try_from(n).unwrap_or(i64::MAX)),
            " applicable policies (ties go to the latest effective date, then the lowest number).",
        ),
    };
    [
        "Covered by ",
        name,
        open,
        &p.id,
        close,
        " for ",
        value_n,
        space,
        unit,
        " until ",
        day,
        s1,
        month,
        s2,
        year,
        ": it names the ",
        kind.words(),
        " ",
        value,
        of,
        n,
        tail,
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Duration, Unit};

    fn one(i: u32) -> Entry {
        let p = Policy::new("P", Duration::new(1, Unit::Years));
        Entry::new(&p, i, CoverKind::Product)
    }

    /// The policies of `key`'s list (hash `h`), in the list's order.
    fn listed(ix: &Index, key: &str, h: u64) -> Option<Vec<u32>> {
        ix.get(key, h)
            .map(|l| ix.entries(l).iter().map(|e| e.policy).collect())
    }

    #[test]
    fn keys_whose_hashes_clash_keep_their_own_lists() {
        // Every key given the same hash: the first holds the slot, the others are clashes.
        let keys = [
            "A",
            "B",
            "",
            "ab",
            "ab\0",
            "a key longer than eight bytes",
            "é",
        ];
        let mut b = IndexBuilder::default();
        for round in 0..2u32 {
            for (i, k) in (0u32..).zip(keys) {
                let n = i.saturating_mul(10).saturating_add(round);
                b.add(k, 7, n, || one(n));
                // Listed once however often the policy names the key.
                b.add(k, 7, n, || one(n));
            }
        }
        assert_eq!(b.index.lists.len(), 1);
        assert_eq!(b.index.clashes.len(), keys.len() - 1);
        // Sorted latest policy number first, to see that each list is sorted apart.
        let ix = b.finish(|x, y| y.policy.cmp(&x.policy));
        for (i, k) in (0u32..).zip(keys) {
            let n = i * 10;
            assert_eq!(listed(&ix, k, 7), Some(vec![n + 1, n]), "{k:?}");
            let list = ix.get(k, 7).unwrap();
            assert_eq!(ix.froms(list).len(), 2, "{k:?}");
        }
        assert_eq!(listed(&ix, "C", 7), None);
        assert_eq!(listed(&ix, "A", 8), None);
    }

    #[test]
    fn a_list_is_its_key_only() {
        let cases = [
            "",
            "a",
            "abcdefg",
            "abcdefgh",
            "abcdefgh1",
            "ab\0",
            "ünïcödé keys",
        ];
        let mut b = IndexBuilder::default();
        for (i, k) in (0u32..).zip(cases) {
            b.add(k, list_hash(k), i, || one(i));
        }
        let ix = b.finish(|x, y| x.policy.cmp(&y.policy));
        for (i, k) in (0u32..).zip(cases) {
            assert_eq!(listed(&ix, k, list_hash(k)), Some(vec![i]), "{k:?}");
            let list = ix.get(k, list_hash(k)).unwrap();
            for other in cases {
                assert_eq!(list.is(&ix.heads, other), k == other, "{k:?} vs {other:?}");
            }
        }
        // Keys that differ only by trailing zero bytes differ by length.
        assert_ne!(list_hash("ab"), list_hash("ab\0"));
    }
}
