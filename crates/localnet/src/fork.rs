//! Fork-join for the block producer's work, which comes in pieces of tens of microseconds.
//!
//! `rayon::join` parks a thread that finds its half done first and nothing else to steal, and
//! the thread that finishes the other half then wakes it: a futex call on each side and a
//! wake-up latency at each of a block's forks, about as long as the halves themselves here.
//! [`fork`] waits by polling instead, running whatever the pool offers meanwhile (the other
//! thread's own forks), and yields the core to anything else runnable, so it never sleeps
//! and never starves a busy machine. A wait is at most the other half's length.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

/// Runs `a` here and offers `b` to the pool's other threads; runs `b` here as well if nobody
/// took it by the time `a` is done. Called outside a rayon pool, runs `a` then `b` on this
/// thread: handing them to rayon's global pool would cost two thread hand-overs for nothing.
/// A panic in either half propagates to the caller, as with `rayon::join`.
pub(crate) fn fork<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if rayon::current_thread_index().is_none() {
        return (a(), b());
    }
    // Whoever takes `b` out of the slot runs it: the thread that stole the job or, once done
    // with `a`, this one.
    let offered = Mutex::new(Some(b));
    let outcome = Mutex::new(None);
    let take = || offered.lock().unwrap_or_else(PoisonError::into_inner).take();
    let (ra, rb) = rayon::in_place_scope(|scope| {
        scope.spawn(|_| {
            if let Some(b) = take() {
                let result = panic::catch_unwind(AssertUnwindSafe(b));
                *outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
            }
        });
        let ra = a();
        if let Some(b) = take() {
            // Nobody took it: the job left in this thread's queue finds the slot empty.
            return (ra, b());
        }
        let mut done = None;
        poll_until(|| {
            done = outcome.lock().unwrap_or_else(PoisonError::into_inner).take();
            done.is_some()
        });
        match done {
            Some(Ok(rb)) => (ra, rb),
            Some(Err(payload)) => panic::resume_unwind(payload),
            // `poll_until` returns early only off a pool, and this runs on one.
            None => panic::resume_unwind(Box::new("fork: the offered half never finished")),
        }
    });
    (ra, rb)
}

/// `work` done on `items` in halves offered by [`fork`], down to at most `leaf` items a job
/// (at least one), and the results joined in the items' order.
pub(crate) fn in_halves<T: Send, U: Send>(
    mut items: Vec<T>,
    leaf: usize,
    work: &(impl Fn(Vec<T>) -> Vec<U> + Sync),
) -> Vec<U> {
    if items.len() <= leaf.max(1) {
        return work(items);
    }
    let right = items.split_off(items.len() / 2);
    let (mut done, right) = fork(|| in_halves(items, leaf, work), || in_halves(right, leaf, work));
    done.extend(right);
    done
}

/// Runs the pool's work offered to this thread (jobs in its queue, or stolen from another
/// thread's) until `done` says so, giving the core to whatever else is runnable whenever there
/// is none. Returns at once off a rayon pool, where nothing could run the work waited for.
pub(crate) fn poll_until(mut done: impl FnMut() -> bool) {
    while !done() {
        match rayon::yield_now() {
            Some(rayon::Yield::Executed) => {}
            // Without going to sleep: when nothing else is runnable, this returns at once.
            Some(rayon::Yield::Idle) => std::thread::yield_now(),
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> rayon::ThreadPool {
        match rayon::ThreadPoolBuilder::new().num_threads(2).build() {
            Ok(pool) => pool,
            Err(e) => panic!("a two-thread pool: {e}"),
        }
    }

    #[test]
    fn both_halves_run_and_nest() {
        fn sum(range: std::ops::Range<u64>) -> u64 {
            if range.end - range.start <= 4 {
                return range.sum();
            }
            let mid = range.start + (range.end - range.start) / 2;
            let (a, b) = fork(|| sum(range.start..mid), || sum(mid..range.end));
            a + b
        }
        assert_eq!(pool().install(|| sum(0..10_000)), 49_995_000);
        // Off a pool: one after the other, same answer.
        assert_eq!(sum(0..10_000), 49_995_000);
    }

    #[test]
    fn in_halves_keeps_the_order_at_any_leaf_size() {
        let items: Vec<u32> = (0..1_000).collect();
        let odd = |v: Vec<u32>| v.into_iter().filter(|x| x % 2 == 1).collect::<Vec<u32>>();
        let expected: Vec<u32> = (0..1_000).filter(|x| x % 2 == 1).collect();
        let pool = pool();
        for leaf in [0, 1, 7, 32, 1_000, 5_000] {
            assert_eq!(pool.install(|| in_halves(items.clone(), leaf, &odd)), expected);
            assert_eq!(in_halves(items.clone(), leaf, &odd), expected);
        }
        assert!(in_halves(Vec::<u32>::new(), 1, &odd).is_empty());
    }

    #[test]
    fn a_panic_in_either_half_reaches_the_caller() {
        let pool = pool();
        for side in [0, 1] {
            let caught = panic::catch_unwind(AssertUnwindSafe(|| {
                pool.install(|| {
                    fork(
                        || {
                            assert!(side != 0, "left");
                            std::thread::sleep(std::time::Duration::from_millis(5));
                        },
                        || assert!(side != 1, "right"),
                    )
                })
            }));
            let payload = match caught {
                Err(payload) => payload,
                Ok(_) => panic!("side {side}: the panic was lost"),
            };
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()));
            assert_eq!(message.as_deref(), Some(["left", "right"][side]));
        }
    }
}
