//! One stable sort for every cold path. Each `sort_by` of the standard library is a copy of
//! its driftsort (3–6 KB of WebAssembly each) per element type and comparator; here the
//! positions are sorted through a `dyn` comparator, so every caller shares one copy, and the
//! elements are then moved into that order by swaps. The catalog's index, built from up to
//! hundreds of thousands of policies, keeps the standard sort.

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
