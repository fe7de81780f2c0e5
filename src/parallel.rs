//! Work spread over all cores, results kept in input order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// `f` over `items` on all cores, results in the order of `items`.
///
/// # Panics
/// When `f` panics (the scoped threads pass the panic on).
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    let workers = cores().min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<R>> = Vec::new();
    slots.resize_with(items.len(), || None);
    let slots = Mutex::new(slots);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    if let Ok(mut slots) = slots.lock() {
                        slots[i] = Some(r);
                    }
                }
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.expect("every item was processed"))
        .collect()
}

/// Each of `items` folded by `f` into one accumulator per worker (made by
/// `init`), so that nothing per item outlives its turn; the accumulators
/// are returned for the caller to merge, which must not depend on their
/// order.
///
/// # Panics
/// When `f` panics (the scoped threads pass the panic on).
pub fn fold<T: Sync, A: Send>(
    items: &[T],
    init: impl Fn() -> A + Sync,
    f: impl Fn(&mut A, usize, &T) + Sync,
) -> Vec<A> {
    let workers = cores().min(items.len()).max(1);
    if workers == 1 {
        let mut acc = init();
        for (i, item) in items.iter().enumerate() {
            f(&mut acc, i, item);
        }
        return vec![acc];
    }
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut acc = init();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        f(&mut acc, i, item);
                    }
                    acc
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// The cores this process may use, asked once: on Linux the answer reads
/// the cgroup's quota from several files.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
}
