//! Blocks by sorting: every (key, index) of each side sorted, and both walked in step,
//! so a block is a run of one key on either side. A table of blocks with a list per
//! side was a third of a million-record org's blocking.

/// Every (key, index) of `records` under `keys_of`, sorted.
pub(super) fn sorted_keys<R>(records: &[&R], keys_of: fn(&R, &mut Vec<u64>)) -> Vec<(u64, u32)> {
    let mut out = Vec::with_capacity(records.len());
    let mut keys = Vec::new();
    for (i, r) in records.iter().enumerate() {
        keys.clear();
        keys_of(r, &mut keys);
        out.extend(keys.iter().map(|&k| (k, i as u32)));
    }
    out.sort_unstable();
    out
}

/// Calls `block` with the indices of each key both sides hold, left's then right's, in
/// increasing order within a side.
pub(super) fn for_each_shared_key(left: &[(u64, u32)], right: &[(u64, u32)], mut block: impl FnMut(&[u32], &[u32])) {
    let (mut ids_left, mut ids_right) = (Vec::new(), Vec::new());
    let (mut a, mut b) = (0, 0);
    while a < left.len() && b < right.len() {
        let key = left[a].0.max(right[b].0);
        let start = |side: &[(u64, u32)], from: usize| from + side[from..].partition_point(|&(k, _)| k < key);
        let (a_start, b_start) = (start(left, a), start(right, b));
        let (a_end, b_end) = (run_end(left, a_start, key), run_end(right, b_start, key));
        if a_start < a_end && b_start < b_end {
            ids_left.clear();
            ids_left.extend(left[a_start..a_end].iter().map(|&(_, i)| i));
            ids_right.clear();
            ids_right.extend(right[b_start..b_end].iter().map(|&(_, j)| j));
            block(&ids_left, &ids_right);
        }
        (a, b) = (a_end, b_end);
    }
}

/// Where the run of `key` that starts at `from` ends (`from` itself when there is none).
fn run_end(side: &[(u64, u32)], from: usize, key: u64) -> usize {
    from + side[from..].iter().take_while(|&&(k, _)| k == key).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_on_both_sides_make_blocks() {
        let left = [(1, 0), (1, 2), (3, 1), (5, 3)];
        let right = [(0, 9), (1, 4), (3, 5), (3, 6), (4, 7)];
        let mut blocks = Vec::new();
        for_each_shared_key(&left, &right, |l, r| blocks.push((l.to_vec(), r.to_vec())));
        assert_eq!(blocks, vec![(vec![0, 2], vec![4]), (vec![1], vec![5, 6])]);
    }
}
