//! The bounded job queue between the scheduler and the worker pool, for one thread: a
//! `VecDeque` and the wakers of the idle workers, in a `RefCell` (the engine runs on a
//! current-thread runtime, so no atomics and no locks). It replaced `async_channel`, whose
//! `event_listener` notification took ≈ 2.5 % of the generator's CPU at 5,000/s (BENCHMARKS.md).
//!
//! Same contract as the bounded channel it replaced: [`JobQueue::try_send`] refuses a job when
//! `cap` are queued (the scheduler counts it dropped as busy), jobs come out first in first out,
//! each send wakes one idle worker (the one that has waited longest), and once the sender side
//! is [closed](JobQueue::close) a worker's [`recv`](JobQueue::recv) ends when the queue is empty.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::task::{Poll, Waker};

use super::job::Job;

pub struct JobQueue {
    inner: RefCell<Inner>,
}

struct Inner {
    jobs: VecDeque<Job>,
    cap: usize,
    closed: bool,
    /// Per worker: its waker while it waits for a job.
    wakers: Vec<Option<Waker>>,
    /// Waiting workers, longest first. May hold a worker whose waker was taken since (it found
    /// a job by itself); such entries are skipped.
    idle: VecDeque<usize>,
}

impl JobQueue {
    /// A queue of at most `cap` jobs for `workers` workers (numbered from 0).
    pub fn new(cap: usize, workers: usize) -> Self {
        JobQueue {
            inner: RefCell::new(Inner {
                jobs: VecDeque::with_capacity(cap),
                cap,
                closed: false,
                wakers: (0..workers).map(|_| None).collect(),
                idle: VecDeque::with_capacity(workers),
            }),
        }
    }

    /// Queues `job` and wakes one waiting worker; gives it back when the queue is full or closed.
    pub fn try_send(&self, job: Job) -> Result<(), Job> {
        let waker = {
            let mut q = self.inner.borrow_mut();
            if q.closed || q.jobs.len() >= q.cap {
                return Err(job);
            }
            q.jobs.push_back(job);
            q.take_idle()
        };
        // Outside the borrow: waking may run code that uses the queue.
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// No more jobs will come: waiting workers are woken, and end once the queue is empty.
    pub fn close(&self) {
        let wakers: Vec<Waker> = {
            let mut q = self.inner.borrow_mut();
            q.closed = true;
            q.idle.clear();
            q.wakers.iter_mut().filter_map(Option::take).collect()
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// A job still queued (for the drain at the end: nobody will run it).
    pub fn try_recv(&self) -> Option<Job> {
        self.inner.borrow_mut().jobs.pop_front()
    }

    /// The next job for worker `worker`; `None` once the queue is closed and empty.
    pub async fn recv(&self, worker: usize) -> Option<Job> {
        poll_fn(|cx| {
            let mut q = self.inner.borrow_mut();
            if let Some(job) = q.jobs.pop_front() {
                if let Some(slot) = q.wakers.get_mut(worker) {
                    *slot = None;
                }
                return Poll::Ready(Some(job));
            }
            if q.closed {
                return Poll::Ready(None);
            }
            let first_wait = match q.wakers.get_mut(worker) {
                Some(slot @ None) => {
                    *slot = Some(cx.waker().clone());
                    true
                }
                Some(Some(w)) => {
                    if !w.will_wake(cx.waker()) {
                        w.clone_from(cx.waker());
                    }
                    false
                }
                // Not one of the numbered workers: never happens; poll again soon.
                None => {
                    cx.waker().wake_by_ref();
                    false
                }
            };
            if first_wait {
                q.idle.push_back(worker);
            }
            Poll::Pending
        })
        .await
    }
}

impl Inner {
    /// The waker of the worker that has waited longest, taken (it is no longer waiting).
    fn take_idle(&mut self) -> Option<Waker> {
        while let Some(i) = self.idle.pop_front() {
            if let Some(w) = self.wakers.get_mut(i).and_then(Option::take) {
                return Some(w);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::rc::Rc;
    use std::time::Duration;

    fn job(n: u64) -> Job {
        Job {
            op: 0,
            flow: None,
            n,
            at: Duration::from_millis(n),
        }
    }

    #[test]
    fn bounded_fifo_and_closed() {
        let q = JobQueue::new(2, 1);
        assert!(q.try_send(job(1)).is_ok());
        assert!(q.try_send(job(2)).is_ok());
        assert_eq!(q.try_send(job(3)).map_err(|j| j.n), Err(3), "full at cap");
        assert_eq!(q.try_recv().map(|j| j.n), Some(1));
        assert!(q.try_send(job(4)).is_ok());
        q.close();
        assert_eq!(q.try_send(job(5)).map_err(|j| j.n), Err(5), "closed");
        assert_eq!(q.try_recv().map(|j| j.n), Some(2));
        assert_eq!(q.try_recv().map(|j| j.n), Some(4));
        assert!(q.try_recv().is_none());
    }

    /// Each job wakes one idle worker, in the order they began to wait; every job is taken once
    /// and the workers end when the queue is closed.
    #[test]
    fn each_send_wakes_one_waiting_worker() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let local = tokio::task::LocalSet::new();
        let got = local.block_on(&rt, async {
            let q = Rc::new(JobQueue::new(8, 3));
            let taken = Rc::new(RefCell::new(Vec::new()));
            let workers: Vec<_> = (0..3)
                .map(|w| {
                    let (q, taken) = (q.clone(), taken.clone());
                    tokio::task::spawn_local(async move {
                        while let Some(j) = q.recv(w).await {
                            taken.borrow_mut().push((w, j.n));
                            // Busy for a while, so the next job must go to another worker.
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    })
                })
                .collect();
            // All three wait now, in the order they were spawned: 0, 1, 2.
            tokio::time::sleep(Duration::from_millis(1)).await;
            for n in 0..3 {
                q.try_send(job(n)).unwrap();
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
            let first: Vec<(usize, u64)> = taken.borrow().clone();
            for n in 3..6 {
                q.try_send(job(n)).unwrap();
            }
            q.close();
            for w in workers {
                w.await.unwrap();
            }
            (first, taken.borrow().clone())
        });
        assert_eq!(
            got.0,
            vec![(0, 0), (1, 1), (2, 2)],
            "one job per waiting worker"
        );
        let mut all: Vec<u64> = got.1.iter().map(|(_, n)| *n).collect();
        all.sort_unstable();
        assert_eq!(all, (0..6).collect::<Vec<_>>(), "every job taken once");
    }
}
