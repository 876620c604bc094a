//! Splitting pure work over the machine's cores natively (scoped threads, no shared
//! state); in wasm everything runs on the one thread there is.

/// Maps `f` over `items` in contiguous chunks, one per core, keeping order.
pub fn map_chunks<T: Sync, U: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<U> + Sync) -> Vec<U> {
    map_ranges(items.len(), |range| f(&items[range]))
}

/// Maps `f` over runs of `items` that are each a large piece of work already (a few
/// thousand CSV rows), one contiguous share per core, keeping order.
pub fn map_runs<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> Vec<U> + Sync) -> Vec<U> {
    split_ranges(items.len(), 1, |range| items[range].iter().flat_map(&f).collect())
}

/// Maps `f` over contiguous ranges of `0..len`, one per core, keeping order: for work
/// that reads several parallel arrays by index, so no array of references is built.
pub fn map_ranges<U: Send>(len: usize, f: impl Fn(std::ops::Range<usize>) -> Vec<U> + Sync) -> Vec<U> {
    split_ranges(len, 10_000, f)
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
