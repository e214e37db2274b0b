//! Ordered data without a copy of the standard library's code per type: one stable sort for
//! every cold path, a binary search by position, and a short keyed list.
//!
//! Each `sort_by` of the standard library is a copy of its driftsort (3–6 KB of WebAssembly
//! each) per element type and comparator; here the positions are sorted through a `dyn`
//! comparator, so every caller shares one copy, and the elements are then moved into that
//! order by swaps. The catalog's index, built from up to hundreds of thousands of policies,
//! keeps the standard sort. Likewise a `BTreeMap` is a tree's code per key and value type:
//! a tally over a few hundred keys at most is a [`entry`] list, sorted at the end.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stably (equal elements keep their order), as `slice::sort_by` does.
pub(crate) fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        sorted_positions(items.len(), &|a, b| match (items.get(a), items.get(b)) {
            (Some(x), Some(y)) => cmp(x, y),
            _ => Ordering::Equal,
        })
    };
    // `dest[j]`: where the element now at `j` belongs.
    let mut dest = vec![0usize; order.len()];
    for (to, &from) in order.iter().enumerate() {
        if let Some(d) = dest.get_mut(from) {
            *d = to;
        }
    }
    for i in 0..v.len() {
        // Each swap puts one element where it belongs: at most n swaps in all.
        while let Some(&j) = dest.get(i) {
            if j == i {
                break;
            }
            v.swap(i, j);
            dest.swap(i, j);
        }
    }
}

/// The position among `0..n` where `probe` answers `Equal`, for a `probe` that answers as a
/// sorted list compared with the sought key would (`Less` before it, `Greater` after): a
/// binary search over data that is not a slice of items (a text cut by offsets, say).
pub(crate) fn search(n: usize, probe: impl Fn(usize) -> Ordering) -> Option<usize> {
    let (mut lo, mut hi) = (0usize, n);
    while lo < hi {
        // lo < hi <= n: mid is in 0..n.
        let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
        match probe(mid) {
            Ordering::Less => lo = mid.saturating_add(1),
            Ordering::Greater => hi = mid,
            Ordering::Equal => return Some(mid),
        }
    }
    None
}

/// The value of `key` in `list`, added as `new()` at the end when absent: a map for a tally
/// over few keys (a linear search), without a tree's code per value type. Sort the list by
/// key with [`sort_by`] when done, for a map's order.
pub(crate) fn entry<'a, V>(
    list: &'a mut Vec<(String, V)>,
    key: &str,
    new: impl FnOnce() -> V,
) -> Option<&'a mut V> {
    let at = match list.iter().position(|(k, _)| k == key) {
        Some(i) => i,
        None => {
            list.push((key.to_owned(), new()));
            list.len().saturating_sub(1)
        }
    };
    list.get_mut(at).map(|(_, v)| v)
}

/// The positions `0..n` in the order `cmp` gives them (stable): not generic, one copy.
#[inline(never)]
fn sorted_positions(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_as_the_standard_library_does(v in proptest::collection::vec((0u8..6, any::<u16>()), 0..200)) {
            // Sorted by the first field only: the second shows that equal keys keep their order.
            let mut ours = v.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = v;
            std.sort_by_key(|a| a.0);
            prop_assert_eq!(ours, std);
        }
    }

    proptest! {
        #[test]
        fn searches_as_the_standard_library_does(mut v in proptest::collection::vec(any::<u8>(), 0..64), key: u8) {
            v.sort_unstable();
            v.dedup();
            prop_assert_eq!(search(v.len(), |i| v[i].cmp(&key)), v.binary_search(&key).ok());
        }

        #[test]
        fn entries_tally_as_a_map_does(keys in proptest::collection::vec(0u8..8, 0..40)) {
            let mut list: Vec<(String, usize)> = Vec::new();
            let mut map = std::collections::BTreeMap::new();
            for k in &keys {
                *entry(&mut list, &k.to_string(), || 0).unwrap() += 1;
                *map.entry(k.to_string()).or_insert(0) += 1;
            }
            sort_by(&mut list, |a, b| a.0.cmp(&b.0));
            prop_assert_eq!(list, map.into_iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn short_and_sorted_inputs() {
        let mut e: [u8; 0] = [];
        sort_by(&mut e, Ord::cmp);
        let mut one = [3];
        sort_by(&mut one, Ord::cmp);
        assert_eq!(one, [3]);
        let mut v: Vec<u32> = (0..1000).rev().collect();
        sort_by(&mut v, Ord::cmp);
        assert!(v.windows(2).all(|w| w[0] < w[1]));
    }
}
