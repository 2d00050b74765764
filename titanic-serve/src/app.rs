//! The server's shared state: the model being served (swapped atomically on reload), metrics,
//! the beacon, limits.

use crate::beacon::Beacon;
use crate::metrics::Metrics;
use crate::source::{Loaded, ModelSource};
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub use crate::envelope::DEMO_MODEL;

/// What every handler can reach.
pub struct App {
    model: RwLock<Arc<Loaded>>,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// The beacon log.
    pub beacon: Beacon,
    /// Where the model comes from (for reloads).
    pub source: ModelSource,
    /// Model name in the v2 routes.
    pub model_name: String,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Time a request's body may take to arrive.
    pub body_timeout: Duration,
}

impl App {
    /// State serving `loaded`.
    pub fn new(
        loaded: Loaded,
        metrics: Metrics,
        beacon: Beacon,
        source: ModelSource,
        model_name: String,
        body_limit: usize,
        body_timeout: Duration,
    ) -> Self {
        metrics.serving(&model_name, &loaded.version);
        Self {
            model: RwLock::new(Arc::new(loaded)),
            metrics,
            beacon,
            source,
            model_name,
            body_limit,
            body_timeout,
        }
    }

    /// The model to answer a request with: the current one when the request arrives, kept
    /// until the request is done even if a reload swaps in another.
    pub fn current(&self) -> Arc<Loaded> {
        match self.model.read() {
            Ok(m) => Arc::clone(&m),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Serves `loaded` from now on (in-flight requests finish on the previous model).
    pub fn swap(&self, loaded: Loaded) {
        let version = loaded.version.clone();
        let next = Arc::new(loaded);
        match self.model.write() {
            Ok(mut m) => *m = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
        self.metrics.serving(&self.model_name, &version);
    }
}
