//! Candidate pairs come out of each blocking rule as a sorted, unique run; the union of
//! the runs is what gets compared. Merging them keeps each pair's move count at about
//! log₂(rules) instead of sorting the whole again.

/// The union of sorted, unique runs, sorted and unique: merged two by two, so each pair
/// is moved about log₂(rules) times instead of the whole being sorted again.
pub(super) fn merge_unique(mut runs: Vec<Vec<(u32, u32)>>) -> Vec<(u32, u32)> {
    while runs.len() > 1 {
        let mut next = Vec::with_capacity(runs.len().div_ceil(2));
        let mut it = runs.into_iter();
        while let Some(a) = it.next() {
            next.push(match it.next() {
                Some(b) => merge_two(&a, &b),
                None => a,
            });
        }
        runs = next;
    }
    runs.pop().unwrap_or_default()
}

/// Two sorted, unique runs as one.
fn merge_two(a: &[(u32, u32)], b: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut x, mut y) = (0, 0);
    while x < a.len() && y < b.len() {
        match a[x].cmp(&b[y]) {
            std::cmp::Ordering::Less => {
                out.push(a[x]);
                x += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[y]);
                y += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[x]);
                x += 1;
                y += 1;
            }
        }
    }
    out.extend_from_slice(&a[x..]);
    out.extend_from_slice(&b[y..]);
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_merge_into_one_sorted_unique_run() {
        let runs = vec![vec![(0, 1), (2, 2), (5, 0)], vec![(0, 1), (3, 3)], vec![], vec![(2, 2), (9, 9)], vec![(1, 0)]];
        assert_eq!(merge_unique(runs), [(0, 1), (1, 0), (2, 2), (3, 3), (5, 0), (9, 9)]);
        assert!(merge_unique(Vec::new()).is_empty());
    }
}
