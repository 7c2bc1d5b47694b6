//! The shared work queue: workers pull the next batch when they are free, so a slow batch never
//! leaves the others idle (no fixed shards, no stragglers). A retry re-enters after its backoff.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

pub struct WorkQueue<T> {
    state: Mutex<State<T>>,
    changed: Notify,
}

struct State<T> {
    /// Items to take before any of `later`: retries.
    ready: VecDeque<T>,
    /// The items given, made when taken: a million refs are not all made into batches at once.
    later: Box<dyn Iterator<Item = T> + Send>,
    /// Items taken and not done, or waiting for a retry: with `ready` and `later` empty, the
    /// queue ends when this is zero.
    outstanding: usize,
}

impl<T: Send + 'static> WorkQueue<T> {
    pub fn new(items: impl IntoIterator<Item = T, IntoIter: Send + 'static>) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                ready: VecDeque::new(),
                later: Box::new(items.into_iter()),
                outstanding: 0,
            }),
            changed: Notify::new(),
        })
    }

    /// The next item; `None` once nothing is queued, in flight or waiting to be retried.
    pub async fn next(&self) -> Option<T> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before looking, so a change between the look and the wait is not missed.
            changed.as_mut().enable();
            {
                let mut state = self.lock();
                if let Some(item) = state.ready.pop_front() {
                    return Some(item);
                }
                if let Some(item) = state.later.next() {
                    state.outstanding += 1;
                    return Some(item);
                }
                if state.outstanding == 0 {
                    return None;
                }
            }
            changed.await;
        }
    }

    /// Marks an item taken with `next` as finished (after scheduling any retry of it).
    pub fn done(&self) {
        let mut state = self.lock();
        state.outstanding -= 1;
        if state.outstanding == 0 {
            self.changed.notify_waiters();
        }
    }

    /// Queues `item` again after `delay`.
    pub fn retry_after(self: &Arc<Self>, item: T, delay: Duration) {
        self.lock().outstanding += 1;
        let queue = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            queue.lock().ready.push_back(item);
            queue.changed.notify_waiters();
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn workers_drain_items_and_retries_then_stop() {
        let queue = WorkQueue::new(0..100u32);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let (queue, seen) = (queue.clone(), seen.clone());
                tokio::spawn(async move {
                    while let Some(item) = queue.next().await {
                        // Every tenth item fails once and comes back as item + 1000.
                        if item % 10 == 0 && item < 1000 {
                            queue.retry_after(item + 1000, Duration::from_millis(5));
                        } else {
                            seen.lock().unwrap().push(item);
                        }
                        queue.done();
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.await.unwrap();
        }
        let mut seen = seen.lock().unwrap().clone();
        seen.sort();
        assert_eq!(seen.len(), 100);
        assert_eq!(seen.iter().filter(|i| **i >= 1000).count(), 10);
    }
}
