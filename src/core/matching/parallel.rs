//! Splitting pure work over the machine's cores natively (scoped threads, no shared
//! state); in wasm everything runs on the one thread there is.

/// Maps `f` over `items` in contiguous chunks, one per core, keeping order.
pub fn map_chunks<T: Sync, U: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<U> + Sync) -> Vec<U> {
    split_ranges(items.len(), 10_000, |range| f(&items[range]))
}

/// Maps `f` over runs of `items` that are each a large piece of work already (a few
/// thousand CSV rows), one contiguous share per core, keeping order.
pub fn map_runs<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> Vec<U> + Sync) -> Vec<U> {
    split_ranges(items.len(), 1, |range| items[range].iter().flat_map(&f).collect())
}

/// Fills `out` in place, one contiguous share per core, each share a whole number of
/// `unit`s: `f` gets the unit its share starts at and the share. For outputs as long as
/// their input (a weight per pair, a row of levels per pair), so no worker's part is
/// copied into the whole afterwards: at a million records that copy doubled the peak.
pub fn fill_chunks<T: Send>(out: &mut [T], unit: usize, f: impl Fn(usize, &mut [T]) + Sync) {
    let unit = unit.max(1);
    let units = out.len() / unit;
    let threads = thread_count().min(units / 10_000 + 1);
    if threads <= 1 {
        f(0, out);
        return;
    }
    let per = units.div_ceil(threads) * unit;
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> =
            out.chunks_mut(per).enumerate().map(|(k, share)| s.spawn(move || f(k * per / unit, share))).collect();
        for h in handles {
            // A worker that panicked stops the whole job with its panic.
            h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
    });
    #[cfg(target_arch = "wasm32")]
    for (k, share) in out.chunks_mut(per).enumerate() {
        f(k * per / unit, share);
    }
}

/// Sets each `out[t]` to the sum of `value(k)` over the items `k < items` with
/// `index(k) == t`, added in the order of `k`, one contiguous share of `out` per core:
/// each core reads every item's index but adds only into its own share, so the sums are
/// the same to the bit as one core's, on any number of cores.
pub fn sum_by_index(
    out: &mut [f64],
    items: usize,
    index: impl Fn(usize) -> usize + Sync,
    value: impl Fn(usize) -> f64 + Sync,
) {
    out.iter_mut().for_each(|v| *v = 0.0);
    let threads = thread_count().min(items / 100_000 + 1);
    let per = out.len().div_ceil(threads.max(1)).max(1);
    let add = |lo: usize, share: &mut [f64]| {
        for k in 0..items {
            let t = index(k);
            if let Some(v) = t.checked_sub(lo).and_then(|at| share.get_mut(at)) {
                *v += value(k);
            }
        }
    };
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::scope(|s| {
        let add = &add;
        let handles: Vec<_> =
            out.chunks_mut(per).enumerate().map(|(n, share)| s.spawn(move || add(n * per, share))).collect();
        for h in handles {
            // A worker that panicked stops the whole job with its panic.
            h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
    });
    #[cfg(target_arch = "wasm32")]
    for (n, share) in out.chunks_mut(per).enumerate() {
        add(n * per, share);
    }
}

/// One range per core, each of at least `per_thread` items (fewer items, fewer threads).
fn split_ranges<U: Send>(len: usize, per_thread: usize, f: impl Fn(std::ops::Range<usize>) -> Vec<U> + Sync) -> Vec<U> {
    let threads = thread_count().min(len / per_thread + 1).min(len.max(1));
    if threads <= 1 {
        return f(0..len);
    }
    let chunk = len.div_ceil(threads);
    let ranges = (0..len).step_by(chunk).map(|start| start..(start + chunk).min(len));
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|s| {
            let handles: Vec<_> = ranges.map(|r| s.spawn(|| f(r))).collect();
            // A worker that panicked stops the whole job with its panic: a chunk is never
            // dropped silently (that would read as "no matches" for its records).
            let mut parts =
                handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            let mut out = parts.next().unwrap_or_default();
            for part in parts {
                out.extend(part);
            }
            out
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        ranges.flat_map(&f).collect()
    }
}

fn thread_count() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
    #[cfg(target_arch = "wasm32")]
    {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_chunks_keeps_order() {
        let items: Vec<u32> = (0..50_000).collect();
        let out = map_chunks(&items, |c| c.iter().map(|x| x * 2).collect());
        assert_eq!(out.len(), 50_000);
        assert!(out.iter().enumerate().all(|(i, &x)| x == 2 * i as u32));
    }

    #[test]
    fn fill_chunks_gives_each_share_its_start_in_whole_units() {
        let mut out = vec![0usize; 3 * 40_001];
        fill_chunks(&mut out, 3, |start, share| {
            assert_eq!(share.len() % 3, 0, "a share is whole rows");
            for (k, v) in share.iter_mut().enumerate() {
                *v = start * 3 + k;
            }
        });
        assert!(out.iter().enumerate().all(|(i, &v)| v == i));
    }

    #[test]
    fn sums_by_index_are_one_cores_sums_to_the_bit() {
        let n = 300_001;
        let index = |k: usize| (k * 7919) % 1_003;
        let value = |k: usize| 1.0 / (k as f64 + 0.3);
        let mut expected = vec![0.0; 1_003];
        for k in 0..n {
            expected[index(k)] += value(k);
        }
        let mut out = vec![9.0; 1_003];
        sum_by_index(&mut out, n, index, value);
        assert_eq!(out, expected);
    }

    #[test]
    fn map_runs_keeps_the_order_of_runs() {
        let runs: Vec<u32> = (0..7).collect();
        assert_eq!(map_runs(&runs, |&r| vec![r, r]), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    }

    #[test]
    fn a_panicking_worker_stops_the_job_instead_of_losing_its_chunk() {
        let items: Vec<u32> = (0..50_000).collect();
        let outcome = std::panic::catch_unwind(|| {
            map_chunks(&items, |c| {
                assert!(!c.contains(&49_999), "worker failed");
                c.to_vec()
            })
        });
        assert!(outcome.is_err(), "the panic reached the caller");
    }
}
