//! Everything a run shares: templates, workflow variables, the store, the run directory and
//! the parallelism limit.

use std::collections::BTreeMap;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::layered::LayeredStore;
use super::setup::{binary_digest, fresh_dir, generate_name, parameters, uid};
use super::store::Stored;
use super::subst::Scope;
use super::{RunOptions, RunnerError};
use crate::argo::{Template, Workflow};
use crate::external::ExternalParams;

/// State shared by every step of a run.
pub(crate) struct Ctx<'w> {
    /// The options of the run.
    pub options: &'w RunOptions,
    /// Templates by name.
    pub templates: BTreeMap<&'w str, &'w Template>,
    /// The artifact store and cache, with the remote copy behind them if there is one.
    pub store: LayeredStore,
    /// `<artifacts>/runs/<name>`.
    pub run_dir: PathBuf,
    /// `{{workflow.name}}`.
    pub name: String,
    /// `{{workflow.uid}}`.
    pub uid: String,
    /// Resolved `{{workflow.parameters.*}}`.
    pub parameters: BTreeMap<String, String>,
    /// `spec.arguments` with the resolved parameter values: what the entrypoint, the exit
    /// handler and a plain `onExit` hook are called with.
    pub arguments: crate::argo::Arguments,
    /// The components binary (absolute).
    pub binary: PathBuf,
    /// Its SHA-256, part of every cache key.
    pub binary_digest: String,
    /// Repository keys of per-item outputs recorded in this run.
    pub keys: Mutex<BTreeMap<String, Stored>>,
    /// Global outputs (`globalName`): `workflow.outputs.parameters.G` values and
    /// `workflow.outputs.artifacts.G` artifacts, set as their tasks succeed.
    pub globals: Mutex<(BTreeMap<String, String>, super::values::ArtifactIndex)>,
    /// Maximum number of concurrently running steps (pods).
    pub parallelism: usize,
    /// That many slots, one held by each running attempt of the whole workflow.
    pub pods: super::slots::Slots,
    /// `spec.activeDeadlineSeconds`, as an instant.
    pub deadline: Option<Instant>,
    /// `spec.volumes`.
    pub volumes: &'w [crate::argo::Volume],
    /// The parameters of the components linked into this binary whose type names outside data
    /// ([`ExternalParam`](crate::external::ExternalParam)), by component and parameter name.
    pub external: ExternalParams,
}

impl<'w> Ctx<'w> {
    /// Checks the workflow and sets up the run directory and the store.
    pub(crate) fn new(wf: &'w Workflow, options: &'w RunOptions) -> Result<Self, RunnerError> {
        let templates: BTreeMap<&str, &Template> = wf
            .spec
            .templates
            .iter()
            .map(|t| (t.name.as_str(), t))
            .collect();
        let parameters = parameters(wf, &options.params, options.configmaps.as_deref())?;
        let name = options
            .run_name
            .clone()
            .unwrap_or_else(|| generate_name(wf));
        let uid = uid(&name);
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| RunnerError::Io { path, source }
        };
        let store = LayeredStore::open(&options.artifacts, options.remote.clone())
            .map_err(io(&options.artifacts))?;
        let binary =
            std::fs::canonicalize(&options.binary).map_err(|source| RunnerError::Binary {
                path: options.binary.clone(),
                source,
            })?;
        let binary_digest =
            binary_digest(store.local(), &binary).map_err(|source| RunnerError::Binary {
                path: binary.clone(),
                source,
            })?;
        let run_dir =
            fresh_dir(&store.local().root().join("runs"), &name).map_err(io(&options.artifacts))?;
        for sub in ["logs", "work"] {
            std::fs::create_dir_all(run_dir.join(sub)).map_err(io(&run_dir))?;
        }
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut parallelism = if options.parallelism == 0 {
            cpus
        } else {
            options.parallelism
        };
        if let Some(p) = wf.spec.parallelism.filter(|p| *p > 0) {
            parallelism = parallelism.min(usize::try_from(p).unwrap_or(usize::MAX));
        }
        let deadline = wf
            .spec
            .active_deadline_seconds
            .filter(|s| *s > 0)
            .map(|s| Instant::now() + Duration::from_secs(s.unsigned_abs()));
        let mut arguments = wf.spec.arguments.clone().unwrap_or_default();
        for p in &mut arguments.parameters {
            if let Some(v) = parameters.get(&p.name) {
                p.value = Some(v.clone());
            }
        }
        Ok(Ctx {
            arguments,
            options,
            templates,
            store,
            run_dir,
            name,
            uid,
            parameters,
            binary,
            binary_digest,
            keys: Mutex::new(BTreeMap::new()),
            globals: Mutex::new((BTreeMap::new(), BTreeMap::new())),
            parallelism,
            pods: super::slots::Slots::new(parallelism),
            deadline,
            volumes: &wf.spec.volumes,
            external: crate::external::registered(),
        })
    }

    /// Where Secret and ConfigMap references resolve ([`RunOptions::secrets`]).
    pub(crate) fn key_sources(&self) -> super::pod_env::KeySources<'_> {
        super::pod_env::KeySources {
            secrets: self.options.secrets.as_deref(),
            secrets_from_env: self.options.secrets_from_env,
            configmaps: self.options.configmaps.as_deref(),
        }
    }

    /// Adds the global outputs set so far to `scope` (`operator.go` `addOutputsToGlobalScope`).
    pub(crate) fn add_globals(&self, scope: &mut Scope) {
        let globals = self.globals.lock().unwrap_or_else(|e| e.into_inner());
        for (k, v) in &globals.0 {
            scope.set(k.clone(), v.clone());
        }
    }

    /// A global output artifact by reference (`workflow.outputs.artifacts.G`).
    pub(crate) fn global_artifact(&self, reference: &str) -> Option<super::values::Source> {
        let globals = self.globals.lock().unwrap_or_else(|e| e.into_inner());
        globals.1.get(reference).cloned()
    }

    /// Records the outputs of a succeeded `template` that declare a `globalName`.
    pub(crate) fn set_globals(&self, template: &str, collected: &super::values::Collected) {
        let Some(outputs) = self
            .templates
            .get(template)
            .and_then(|t| t.outputs.as_ref())
        else {
            return;
        };
        let mut globals = self.globals.lock().unwrap_or_else(|e| e.into_inner());
        for p in &outputs.parameters {
            if let (Some(g), Some(v)) = (&p.global_name, collected.parameters.get(&p.name)) {
                globals
                    .0
                    .insert(format!("workflow.outputs.parameters.{g}"), v.clone());
            }
        }
        for a in &outputs.artifacts {
            if let (Some(g), Some(s)) = (&a.global_name, collected.artifacts.get(&a.name)) {
                let source = super::values::Source::Stored(s.clone());
                globals
                    .1
                    .insert(format!("workflow.outputs.artifacts.{g}"), source);
            }
        }
    }

    /// `{{workflow.*}}` variables (without status/failures, which only the exit handler sees).
    pub(crate) fn workflow_scope(&self) -> Scope {
        let mut scope = Scope::default();
        scope.set("workflow.name", &self.name);
        scope.set("workflow.uid", &self.uid);
        scope.set("workflow.namespace", "local");
        for (k, v) in &self.parameters {
            scope.set(format!("workflow.parameters.{k}"), v);
        }
        scope
    }
}
