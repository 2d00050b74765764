use super::{ArtifactSource, Condition, Graph, TaskId, TaskNode};
use crate::artifact::Collection;
use crate::options::{Retry, SecretEnv, TaskOptions, Toleration};
use crate::outputs::ArtifactRef;
use std::cell::RefCell;
use std::rc::Rc;

/// A task added to a pipeline. Dereferences to the typed handles on its outputs
/// (`task.model`, `task.accuracy`); its methods set per-task options and ordering.
pub struct Task<H> {
    graph: Rc<RefCell<Graph>>,
    id: TaskId,
    handles: H,
}

impl<H> std::ops::Deref for Task<H> {
    type Target = H;
    fn deref(&self) -> &H {
        &self.handles
    }
}

impl<H: Copy> Task<H> {
    pub(crate) fn new(graph: Rc<RefCell<Graph>>, id: TaskId, handles: H) -> Self {
        Task { graph, id, handles }
    }

    /// The task's id in its pipeline.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The typed handles on the task's outputs.
    pub fn outputs(&self) -> H {
        self.handles
    }

    fn edit(self, f: impl FnOnce(&mut TaskNode)) -> Self {
        f(&mut self.graph.borrow_mut().tasks[self.id.0]);
        self
    }

    fn edit_options(self, f: impl FnOnce(&mut TaskOptions)) -> Self {
        self.edit(|t| f(&mut t.options))
    }

    /// Renames the task (the default is the component name, made unique).
    pub fn named(self, name: &str) -> Self {
        self.graph
            .borrow_mut()
            .names
            .entry(name.to_owned())
            .or_insert(1);
        self.edit(|t| t.name = name.into())
    }

    /// Runs this task only after `other` has finished, even without a data dependency.
    pub fn after<O>(self, other: &Task<O>) -> Self {
        let id = other.id;
        self.edit(|t| t.after.push(id))
    }

    /// Runs this task only when `condition` holds; otherwise it is skipped, and so is everything
    /// that depends on it.
    pub fn when(self, condition: Condition) -> Self {
        self.edit(|t| {
            t.when = Some(match t.when.take() {
                Some(existing) => existing.and(condition),
                None => condition,
            })
        })
    }

    /// Retries a failed attempt up to `limit` times.
    pub fn retries(self, limit: u32) -> Self {
        self.retry(Retry::new(limit))
    }

    /// Sets the full retry strategy (limit, policy, backoff).
    pub fn retry(self, retry: Retry) -> Self {
        self.edit_options(|o| o.retry = Some(retry))
    }

    /// Fails an attempt that runs longer than `duration` (a Go duration such as `10m`).
    pub fn timeout(self, duration: &str) -> Self {
        self.edit_options(|o| o.timeout = Some(duration.into()))
    }

    /// Runs the task in `image` instead of the pipeline's.
    pub fn image(self, image: &str) -> Self {
        self.edit_options(|o| o.image = Some(image.into()))
    }

    /// Requests CPU (a Kubernetes quantity such as `500m`).
    pub fn cpu(self, quantity: &str) -> Self {
        self.edit_options(|o| o.resources.cpu = Some(quantity.into()))
    }

    /// Limits CPU.
    pub fn cpu_limit(self, quantity: &str) -> Self {
        self.edit_options(|o| o.resources.cpu_limit = Some(quantity.into()))
    }

    /// Requests memory (a Kubernetes quantity such as `512Mi`).
    pub fn memory(self, quantity: &str) -> Self {
        self.edit_options(|o| o.resources.memory = Some(quantity.into()))
    }

    /// Limits memory.
    pub fn memory_limit(self, quantity: &str) -> Self {
        self.edit_options(|o| o.resources.memory_limit = Some(quantity.into()))
    }

    /// Requests `count` GPUs (`nvidia.com/gpu`).
    pub fn gpu(self, count: u32) -> Self {
        self.edit_options(|o| o.resources.gpu = Some(count))
    }

    /// Schedules the task only on nodes labelled `key=value`.
    pub fn node_selector(self, key: &str, value: &str) -> Self {
        self.edit_options(|o| {
            o.node_selector.insert(key.into(), value.into());
        })
    }

    /// Tolerates the taint `key=value:effect`.
    pub fn toleration(self, key: &str, value: &str, effect: &str) -> Self {
        self.edit_options(|o| {
            o.tolerations.push(Toleration {
                key: key.into(),
                operator: "Equal".into(),
                value: Some(value.into()),
                effect: Some(effect.into()),
            })
        })
    }

    /// Sets an environment variable.
    pub fn env(self, name: &str, value: &str) -> Self {
        self.edit_options(|o| {
            o.env.insert(name.into(), value.into());
        })
    }

    /// Sets an environment variable from `key` of the Kubernetes Secret `secret`; the pod
    /// does not start until the Secret exists.
    pub fn secret_env(self, name: &str, secret: &str, key: &str) -> Self {
        self.push_secret_env(name, secret, key, false)
    }

    /// Like [`secret_env`](Self::secret_env), but the pod starts without the variable when
    /// the Secret or the key does not exist (for settings that only some runs need).
    pub fn optional_secret_env(self, name: &str, secret: &str, key: &str) -> Self {
        self.push_secret_env(name, secret, key, true)
    }

    fn push_secret_env(self, name: &str, secret: &str, key: &str, optional: bool) -> Self {
        self.edit_options(|o| {
            o.secret_env.push(SecretEnv {
                name: name.into(),
                secret: secret.into(),
                key: key.into(),
                optional,
            })
        })
    }

    /// Memoizes successful results in Argo for `max_age` (a Go duration such as `720h`).
    pub fn cache(self, max_age: &str) -> Self {
        self.edit_options(|o| o.cache = Some(max_age.into()))
    }

    /// Never reuses this task's results: the local runner runs it every time (and records no
    /// cache entry), Argo does not memoize it. What `#[component(cache = false)]` does for every
    /// task of a component.
    pub fn never_cache(self) -> Self {
        self.edit_options(|o| o.never_cache = true)
    }
}

/// A task that runs once per item, in parallel. Gather an artifact output of all items with
/// [`FanOut::gather`] to fan in.
pub struct FanOut<H> {
    task: Task<H>,
}

impl<H: Copy> FanOut<H> {
    pub(crate) fn new(task: Task<H>) -> Self {
        FanOut { task }
    }

    /// The underlying task (to set retries, resources, ...).
    pub fn task(self) -> Task<H> {
        self.task
    }

    /// Sets per-task options through the underlying task.
    pub fn configure(self, f: impl FnOnce(Task<H>) -> Task<H>) -> Self {
        FanOut { task: f(self.task) }
    }

    /// Gathers the artifact `pick` selects from every item into one [`Collection`], in item order.
    pub fn gather<A>(&self, pick: impl FnOnce(&H) -> ArtifactRef<A>) -> ArtifactRef<Collection<A>> {
        let output = pick(&self.task.handles).source().output();
        ArtifactRef::new(ArtifactSource::Gathered(output))
    }
}

impl<H> std::ops::Deref for FanOut<H> {
    type Target = Task<H>;
    fn deref(&self) -> &Task<H> {
        &self.task
    }
}
