//! Splitting pure work over the machine's cores natively (scoped threads, no shared
//! state); in wasm everything runs on the one thread there is.

/// Maps `f` over `items` in contiguous chunks, one per core, keeping order.
pub fn map_chunks<T: Sync, U: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<U> + Sync) -> Vec<U> {
    let threads = thread_count().min(items.len() / 10_000 + 1);
    if threads <= 1 {
        return f(items);
    }
    let chunk = items.len().div_ceil(threads);
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|s| {
            let handles: Vec<_> = items.chunks(chunk).map(|c| s.spawn(|| f(c))).collect();
            // A worker that panicked stops the whole job with its panic: a chunk is never
            // dropped silently (that would read as "no matches" for its records).
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        items.chunks(chunk).flat_map(&f).collect()
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
