//! The workflow's pod slots: `spec.parallelism` (and `--parallelism`) bound the pods running
//! at once across the whole workflow, nested DAG and steps templates included, as Argo's
//! `checkParallelism` compares `spec.parallelism` with the workflow's active pods
//! (`workflow/controller/operator.go` line 3299; `node_counters.go` lines 9-21: Pod nodes
//! only, so a DAG node or a retry node waiting out its backoff holds none). First come, first
//! served, so steps start in the order the schedulers ask.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// A fair counting semaphore.
pub(crate) struct Slots {
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    free: usize,
    queue: VecDeque<u64>,
    next: u64,
}

/// A held slot, given back when dropped.
pub(crate) struct Slot<'s>(&'s Slots);

impl Slots {
    /// `n` slots (at least one).
    pub(crate) fn new(n: usize) -> Self {
        Slots {
            state: Mutex::new(State {
                free: n.max(1),
                queue: VecDeque::new(),
                next: 0,
            }),
            freed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a slot, after everyone who asked before.
    pub(crate) fn acquire(&self) -> Slot<'_> {
        let mut state = self.lock();
        let ticket = state.next;
        state.next += 1;
        state.queue.push_back(ticket);
        while state.free == 0 || state.queue.front() != Some(&ticket) {
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.queue.pop_front();
        state.free -= 1;
        drop(state);
        // The next in line may find a slot free too.
        self.freed.notify_all();
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.lock().free += 1;
        self.0.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn never_more_than_n_holders_and_first_come_first_served() {
        let slots = Slots::new(2);
        let held = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    let _slot = slots.acquire();
                    let now = held.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    held.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(most.load(Ordering::SeqCst), 2);

        // One slot, held: later askers are served in the order they asked.
        let slots = Slots::new(1);
        let order = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            let first = slots.acquire();
            for i in 0..4 {
                s.spawn({
                    let (slots, order) = (&slots, &order);
                    move || {
                        let _slot = slots.acquire();
                        order.lock().unwrap().push(i);
                    }
                });
                // Let thread i queue before thread i+1.
                while slots.lock().queue.len() < i + 1 {
                    std::thread::yield_now();
                }
            }
            drop(first);
        });
        assert_eq!(order.into_inner().unwrap(), [0, 1, 2, 3]);
    }
}
