use super::{FanOut, Graph, PipelineParam, PodGc, Task, TaskId, TaskNode, Ttl};
use crate::component::Component;
use crate::options::TaskOptions;
use crate::outputs::Outputs;
use crate::param::{Parameter, Value, ValueSource};
use std::cell::RefCell;
use std::rc::Rc;

/// A pipeline under construction. Cheap to clone; tasks keep a handle on it so their builder
/// methods (`when`, `retries`, ...) can be chained.
#[derive(Clone)]
pub struct Pipeline {
    pub(crate) graph: Rc<RefCell<Graph>>,
}

impl Pipeline {
    /// An empty pipeline called `name` (a DNS-1123 name: lowercase letters, digits, `-`).
    pub fn new(name: &str) -> Self {
        Pipeline {
            graph: Rc::new(RefCell::new(Graph {
                name: name.into(),
                description: String::new(),
                image: format!("{name}:latest"),
                command: vec![name.into()],
                params: Vec::new(),
                tasks: Vec::new(),
                artifact_repository: None,
                service_account: None,
                parallelism: None,
                labels: Vec::new(),
                settings: Default::default(),
                names: Default::default(),
            })),
        }
    }

    /// The pipeline's name.
    pub fn name(&self) -> String {
        self.graph.borrow().name.clone()
    }

    /// Sets the description (an annotation on the compiled workflow).
    pub fn description(self, text: &str) -> Self {
        self.graph.borrow_mut().description = text.into();
        self
    }

    /// Sets the container image every task runs in (unless a component sets its own).
    pub fn image(self, image: &str) -> Self {
        self.graph.borrow_mut().image = image.into();
        self
    }

    /// Sets the components binary's command inside the image (default: the pipeline name).
    pub fn command(self, command: &[&str]) -> Self {
        self.graph.borrow_mut().command = command.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Uses the artifact repository configured in `config_map` under `key`
    /// (`spec.artifactRepositoryRef`). Off by default: the namespace's default repository (the
    /// `artifact-repositories` ConfigMap's annotated key, else the controller's) is used, since a
    /// ref to a key that does not exist fails the whole workflow before any pod starts.
    pub fn artifact_repository(self, config_map: &str, key: &str) -> Self {
        self.graph.borrow_mut().artifact_repository = Some((config_map.into(), key.into()));
        self
    }

    /// Runs the pods with this Kubernetes service account (`spec.serviceAccountName`). The
    /// executor needs `create` and `patch` on `workflowtaskresults` (`deploy/` ships the Role).
    pub fn service_account(self, name: &str) -> Self {
        self.graph.borrow_mut().service_account = Some(name.into());
        self
    }

    /// Runs at most `n` pods at once.
    pub fn parallelism(self, n: u32) -> Self {
        self.graph.borrow_mut().parallelism = Some(n);
        self
    }

    /// Adds a label to the compiled workflow and to its pods (`spec.podMetadata`).
    pub fn label(self, key: &str, value: &str) -> Self {
        self.graph
            .borrow_mut()
            .labels
            .push((key.into(), value.into()));
        self
    }

    /// Declares a pipeline parameter with a default; users override it at submit time.
    pub fn param<T: Parameter>(&self, name: &str, default: T) -> Value<T> {
        self.param_described(name, default, "")
    }

    /// Declares a pipeline parameter with a default and a description.
    ///
    /// # Panics
    ///
    /// When the default cannot be written as a parameter (a non-finite number, or a value
    /// serde cannot write): a mistake in the pipeline's code, reported while it is built.
    ///
    /// ```should_panic
    /// # use pipeline_dsl::prelude::*;
    /// let p = Pipeline::new("p");
    /// p.param_described("rate", f64::NAN, "no NaN travels as a parameter"); // panics: non-finite number
    /// ```
    pub fn param_described<T: Parameter>(
        &self,
        name: &str,
        default: T,
        description: &str,
    ) -> Value<T> {
        let schema = crate::param::schema_of::<T>();
        let description = if description.is_empty() {
            schema
                .get("description")
                .and_then(|d| d.as_str())
                .unwrap_or_default()
                .to_owned()
        } else {
            description.to_owned()
        };
        self.graph.borrow_mut().params.push(PipelineParam {
            name: name.into(),
            // A default serde cannot write is a mistake in the pipeline's code, like a bad
            // literal: the build stops naming it (it used to become a silent `null`).
            default: crate::param::to_json(name, &default).unwrap_or_else(|e| panic!("{e}")),
            description,
            schema,
            ty: crate::param::ParamType::of::<T>(),
        });
        Value::from_source(ValueSource::Pipeline(name.into()))
    }

    /// The type of every pipeline parameter, by name: `run` checks values by deserializing
    /// them into it.
    pub fn parameter_types(&self) -> std::collections::BTreeMap<String, crate::param::ParamType> {
        self.graph
            .borrow()
            .params
            .iter()
            .map(|p| (p.name.clone(), p.ty))
            .collect()
    }

    /// The default value of every pipeline parameter, as parameter text.
    pub fn parameter_defaults(&self) -> std::collections::BTreeMap<String, String> {
        self.graph
            .borrow()
            .params
            .iter()
            .map(|p| (p.name.clone(), crate::param::encode_json(&p.default)))
            .collect()
    }

    /// Every artifact output of every task: (task name, output name, artifact kind such as
    /// `Model` or `Metrics`).
    pub fn artifact_outputs(&self) -> Vec<(String, String, String)> {
        let graph = self.graph.borrow();
        let mut out = Vec::new();
        for task in &graph.tasks {
            for o in &task.spec.outputs {
                if let crate::component::OutputKind::Artifact { kind, .. } = &o.kind {
                    out.push((task.name.clone(), o.name.clone(), kind.clone()));
                }
            }
        }
        out
    }

    /// The JSON Schema of every pipeline parameter, by name.
    pub fn parameter_schemas(&self) -> std::collections::BTreeMap<String, serde_json::Value> {
        self.graph
            .borrow()
            .params
            .iter()
            .map(|p| (p.name.clone(), p.schema.clone()))
            .collect()
    }

    /// `{{workflow.name}}`: the name of the running workflow.
    pub fn workflow_name(&self) -> Value<String> {
        Value::from_source(ValueSource::Workflow("workflow.name"))
    }

    /// `{{workflow.status}}` (`Succeeded`, `Failed` or `Error`); only meaningful in the exit
    /// handler.
    pub fn workflow_status(&self) -> Value<String> {
        Value::from_source(ValueSource::Workflow("workflow.status"))
    }

    /// `{{workflow.failures}}`: JSON list of failed steps; only available in the exit handler.
    pub fn workflow_failures(&self) -> Value<String> {
        Value::from_source(ValueSource::Workflow("workflow.failures"))
    }

    /// Adds a task running component `C`, wired as the struct says. Returns the task, whose
    /// fields (through `Deref`) are typed handles on its outputs.
    pub fn add<C: Component>(&self, component: C) -> Task<<C::Outputs as Outputs>::Handles> {
        let id = self.push::<C>(component, None, false);
        Task::new(self.graph.clone(), id, <C::Outputs as Outputs>::handles(id))
    }

    /// Adds one task per item, run in parallel (`withItems`); `make` builds the task from the
    /// item. Gather the items' artifacts with [`FanOut::gather`].
    pub fn fan_out<I, C, F>(
        &self,
        items: impl IntoIterator<Item = I>,
        make: F,
    ) -> FanOut<<C::Outputs as Outputs>::Handles>
    where
        I: Parameter,
        C: Component,
        F: FnOnce(Value<I>) -> C,
    {
        let items = items
            .into_iter()
            .map(|i| serde_json::to_value(&i).unwrap_or(serde_json::Value::Null))
            .collect();
        let component = make(Value::from_source(ValueSource::Item));
        let id = self.push::<C>(component, Some(items), false);
        FanOut::new(Task::new(
            self.graph.clone(),
            id,
            <C::Outputs as Outputs>::handles(id),
        ))
    }

    /// Adds a task to the exit handler: it runs after the pipeline ends, whatever the outcome.
    /// It cannot read other tasks' outputs; pass it [`Pipeline::workflow_status`] and friends.
    pub fn on_exit<C: Component>(&self, component: C) -> Task<<C::Outputs as Outputs>::Handles> {
        let id = self.push::<C>(component, None, true);
        Task::new(self.graph.clone(), id, <C::Outputs as Outputs>::handles(id))
    }

    fn push<C: Component>(
        &self,
        component: C,
        items: Option<Vec<serde_json::Value>>,
        on_exit: bool,
    ) -> TaskId {
        let spec = C::spec();
        let bindings = component.bind();
        let mut graph = self.graph.borrow_mut();
        let name = graph.unique_name(&spec.name);
        let id = TaskId(graph.tasks.len());
        graph.tasks.push(TaskNode {
            name,
            spec,
            artifacts: bindings.artifacts,
            params: bindings.params,
            after: Vec::new(),
            when: None,
            options: TaskOptions::default(),
            items,
            on_exit,
        });
        id
    }
}

/// Workflow-wide settings: deadline, pod and Workflow clean-up, pod metadata.
impl Pipeline {
    /// Stops the whole workflow after this many seconds (`spec.activeDeadlineSeconds`): running
    /// pods are killed, no step starts, the exit handler still runs.
    pub fn active_deadline_seconds(self, seconds: u64) -> Self {
        self.graph.borrow_mut().settings.active_deadline_seconds = Some(seconds);
        self
    }

    /// When Argo deletes the workflow's pods.
    pub fn pod_gc(self, strategy: PodGc) -> Self {
        self.graph.borrow_mut().settings.pod_gc = Some(strategy);
        self
    }

    /// When Argo deletes the finished Workflow object.
    pub fn ttl(self, ttl: Ttl) -> Self {
        self.graph.borrow_mut().settings.ttl = Some(ttl);
        self
    }

    /// Adds a label to every pod of the workflow (`spec.podMetadata`). Labels set with
    /// [`Pipeline::label`] go to the pods too.
    pub fn pod_label(self, key: &str, value: &str) -> Self {
        let pair = (key.into(), value.into());
        self.graph.borrow_mut().settings.pod_labels.push(pair);
        self
    }

    /// Adds an annotation to every pod of the workflow (`spec.podMetadata`).
    pub fn pod_annotation(self, key: &str, value: &str) -> Self {
        let pair = (key.into(), value.into());
        self.graph.borrow_mut().settings.pod_annotations.push(pair);
        self
    }

    /// Uses the namespace's default artifact repository again (no `artifactRepositoryRef`),
    /// undoing [`Pipeline::artifact_repository`].
    pub fn default_artifact_repository(self) -> Self {
        self.graph.borrow_mut().artifact_repository = None;
        self
    }
}
