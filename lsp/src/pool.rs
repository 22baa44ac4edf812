//! The worker threads that run request handlers and the diagnostics pass, so that the main loop
//! never waits for the compiler and typing is never blocked.

use std::thread::JoinHandle;

use crossbeam_channel::{Sender, unbounded};

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads taking jobs from one queue, oldest first.
pub struct Pool {
    sender: Option<Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
}

impl Pool {
    /// Starts `count` threads (at least one).
    pub fn new(count: usize) -> Pool {
        let (sender, receiver) = unbounded::<Job>();
        let threads = (0..count.max(1))
            .filter_map(|index| {
                let receiver = receiver.clone();
                std::thread::Builder::new()
                    .name(format!("vitte-lsp-worker-{index}"))
                    .spawn(move || {
                        for job in receiver {
                            job();
                        }
                    })
                    .ok()
            })
            .collect();
        Pool {
            sender: Some(sender),
            threads,
        }
    }

    /// Queues a job; runs it on the calling thread when no worker could be started.
    pub fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        match &self.sender {
            Some(sender) if !self.threads.is_empty() => {
                if let Err(failed) = sender.send(Box::new(job)) {
                    (failed.into_inner())();
                }
            }
            _ => job(),
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.sender = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}
