//! The batches of a run, made ahead of the steps that use them: a thread of the loader's own
//! walks the run's batches in order, makes each one's views (decoding or generating its images
//! first, if the data is made on demand) on a pool of worker threads, and queues them at most
//! `depth` ahead, so a step does not wait for data while the workers keep up. A batch's views
//! depend only on the seed, the epoch and its images' indices, never on timing.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::JoinHandle;

use burn::tensor::Device;

use crate::data::{Dataset, Scene};
use crate::error::RunError;
use crate::exec::views::ViewStage;
use crate::rng::Rng;
use crate::val::Val;

/// The view stage's values for one batch, by slot.
pub type Views = Vec<(usize, Val)>;

/// Streams of the run's random generators (the data source has its own seed).
const ORDER_STREAM: u64 = 0x0_5EED_0001;
const VIEW_STREAM: u64 = 0x0_5EED_0100;

/// How batches are made: by how many worker threads, and how far ahead of the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loading {
    /// Threads making images and views (at least 1).
    pub workers: usize,
    /// Batches made ahead of the step that uses them (at least 1).
    pub depth: usize,
}

impl Default for Loading {
    /// One worker per core, two batches ahead.
    fn default() -> Self {
        Loading {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            depth: 2,
        }
    }
}

/// What making a run's batches reads; shared with the loader's thread.
#[derive(Clone)]
pub struct Batches {
    pub stage: Arc<ViewStage>,
    pub data: Arc<Dataset>,
    pub seed: u64,
    /// Images per batch: the global batch, of which this process makes its `shard`.
    pub batch: usize,
    /// This rank and the number of ranks: rank r makes the views of the r-th of as many equal
    /// slices of each batch (the whole batch alone).
    pub shard: (usize, usize),
    pub steps_per_epoch: u64,
    pub device: Device,
}

impl Batches {
    /// The order of the training images in `epoch`.
    fn order(&self, epoch: u64) -> Vec<usize> {
        Rng::derive(self.seed, ORDER_STREAM, epoch).permutation(self.data.len())
    }

    /// The views of step `step`'s batch, made now on the calling thread's rayon pool.
    pub(crate) fn views_at(&self, step: u64) -> Result<Views, RunError> {
        self.views(step, &self.order(step / self.steps_per_epoch))
    }

    /// The views of step `step`'s batch, made now, on the current rayon pool. `order` is the
    /// step's epoch's order.
    fn views(&self, step: u64, order: &[usize]) -> Result<Views, RunError> {
        let (epoch, within) = (step / self.steps_per_epoch, step % self.steps_per_epoch);
        let (rank, ranks) = self.shard;
        let local = self.batch / ranks.max(1);
        let start = within as usize * self.batch + rank * local;
        let idx = &order[start..start + local];
        let made: Vec<Scene>;
        let scenes: Vec<&Scene> = match &self.data.stream {
            Some(stream) => {
                made = stream.decode(idx)?;
                made.iter().collect()
            }
            None => idx.iter().map(|i| &self.data.train[*i]).collect(),
        };
        let rngs = idx
            .iter()
            .map(|i| Rng::derive(self.seed, VIEW_STREAM + epoch, *i as u64))
            .collect();
        self.stage.batch(&scenes, rngs, &self.device)
    }
}

/// Batches being made on a thread of their own, for steps `next..until`.
pub struct Loader {
    /// The step whose batch the queue yields next.
    next: u64,
    until: u64,
    queue: Option<Receiver<Result<Views, RunError>>>,
    thread: Option<JoinHandle<()>>,
}

impl Loader {
    /// Starts making the batches of steps `from..until`.
    pub fn start(batches: Batches, from: u64, until: u64, loading: Loading) -> Loader {
        // The channel holds `depth - 1` batches; the thread holds one more while it waits.
        let (send, queue) = sync_channel(loading.depth.max(1) - 1);
        let thread = std::thread::Builder::new().name("sslc-loader".into()).spawn(move || {
            let pool = match rayon::ThreadPoolBuilder::new()
                .num_threads(loading.workers.max(1))
                .thread_name(|i| format!("sslc-worker-{i}"))
                .build()
            {
                Ok(pool) => pool,
                Err(e) => {
                    let _ = send.send(Err(RunError::Internal(format!("starting the data workers: {e}"))));
                    return;
                }
            };
            let mut order = (u64::MAX, vec![]);
            for step in from..until {
                let epoch = step / batches.steps_per_epoch;
                if order.0 != epoch {
                    order = (epoch, batches.order(epoch));
                }
                let views = pool.install(|| batches.views(step, &order.1));
                let failed = views.is_err();
                // The receiver is gone when the run stopped or restarted the loader.
                if send.send(views).is_err() || failed {
                    return;
                }
            }
        });
        match thread {
            Ok(thread) => Loader {
                next: from,
                until,
                queue: Some(queue),
                thread: Some(thread),
            },
            Err(e) => {
                let (send, queue) = sync_channel(1);
                let _ = send.send(Err(RunError::Internal(format!("starting the data loader: {e}"))));
                Loader {
                    next: from,
                    until: from + 1,
                    queue: Some(queue),
                    thread: None,
                }
            }
        }
    }

    /// Does the queue yield step `step`'s batch next?
    pub fn serves(&self, step: u64) -> bool {
        self.next == step && step < self.until
    }

    /// The next batch's views, waiting for them if they are not made yet.
    pub fn take(&mut self) -> Result<Views, RunError> {
        let views = self
            .queue
            .as_ref()
            .and_then(|q| q.recv().ok())
            .unwrap_or_else(|| Err(RunError::Internal("the data loader stopped without a batch".into())));
        self.next += 1;
        views
    }
}

impl Drop for Loader {
    /// Stops the thread: with the queue gone its next send fails, and it ends.
    fn drop(&mut self) {
        self.queue = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
