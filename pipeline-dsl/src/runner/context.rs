//! Everything a run shares: the checked workflow plan, workflow variables, the store, the run
//! directory and the parallelism limit.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::depends::Depends;
use super::store::{digest_file, Store, Stored};
use super::subst::Scope;
use super::{RunOptions, RunnerError};
use crate::argo::{DagTask, Template, Workflow};

/// One DAG to run: its template (for `parallelism`/`failFast`) and its tasks with their parsed
/// `depends`.
pub(crate) struct DagPlan<'w> {
    /// The DAG template (or the container template run as a one-task DAG).
    pub template: &'w Template,
    /// The tasks.
    pub tasks: Vec<DagTask>,
    /// Parsed `depends`/`dependencies` of each task.
    pub depends: Vec<Depends>,
}

/// State shared by every step of a run.
pub(crate) struct Ctx<'w> {
    /// The options of the run.
    pub options: &'w RunOptions,
    /// Templates by name.
    pub templates: BTreeMap<&'w str, &'w Template>,
    /// The artifact store and cache.
    pub store: Store,
    /// `<artifacts>/runs/<name>`.
    pub run_dir: PathBuf,
    /// `{{workflow.name}}`.
    pub name: String,
    /// `{{workflow.uid}}`.
    pub uid: String,
    /// Resolved `{{workflow.parameters.*}}`.
    pub parameters: BTreeMap<String, String>,
    /// The components binary (absolute).
    pub binary: PathBuf,
    /// Its SHA-256, part of every cache key.
    pub binary_digest: String,
    /// Repository keys of per-item outputs recorded in this run.
    pub keys: Mutex<BTreeMap<String, Stored>>,
    /// Maximum number of concurrently running steps.
    pub parallelism: usize,
    /// `spec.activeDeadlineSeconds`, as an instant.
    pub deadline: Option<Instant>,
}

impl<'w> Ctx<'w> {
    /// Checks the workflow and sets up the run directory and the store.
    pub(crate) fn new(wf: &'w Workflow, options: &'w RunOptions) -> Result<Self, RunnerError> {
        let templates: BTreeMap<&str, &Template> =
            wf.spec.templates.iter().map(|t| (t.name.as_str(), t)).collect();
        let parameters = parameters(wf, &options.params)?;
        let name = options.run_name.clone().unwrap_or_else(|| generate_name(wf));
        let uid = uid(&name);
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| RunnerError::Io { path, source }
        };
        let store = Store::open(&options.artifacts).map_err(io(&options.artifacts))?;
        let run_dir = fresh_dir(&store.root().join("runs"), &name).map_err(io(&options.artifacts))?;
        for sub in ["logs", "work"] {
            std::fs::create_dir_all(run_dir.join(sub)).map_err(io(&run_dir))?;
        }
        let binary = std::fs::canonicalize(&options.binary).map_err(|source| RunnerError::Binary {
            path: options.binary.clone(),
            source,
        })?;
        let binary_digest = digest_file(&binary).map_err(|source| RunnerError::Binary {
            path: binary.clone(),
            source,
        })?;
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut parallelism = if options.parallelism == 0 { cpus } else { options.parallelism };
        if let Some(p) = wf.spec.parallelism.filter(|p| *p > 0) {
            parallelism = parallelism.min(usize::try_from(p).unwrap_or(usize::MAX));
        }
        let deadline = wf
            .spec
            .active_deadline_seconds
            .filter(|s| *s > 0)
            .map(|s| Instant::now() + Duration::from_secs(s.unsigned_abs()));
        Ok(Ctx {
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
            parallelism,
            deadline,
        })
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

    /// The DAG `name` names (a container template becomes a one-task DAG), checked.
    pub(crate) fn plan(&self, name: &str, role: &str) -> Result<DagPlan<'w>, RunnerError> {
        let invalid = |m: String| RunnerError::InvalidWorkflow(format!("{role} `{name}`: {m}"));
        let template = *self
            .templates
            .get(name)
            .ok_or_else(|| invalid("no such template".into()))?;
        let tasks = match (&template.dag, &template.container) {
            (Some(dag), _) => dag.tasks.clone(),
            (None, Some(_)) => vec![DagTask {
                name: name.into(),
                template: name.into(),
                ..Default::default()
            }],
            (None, None) => return Err(invalid("is neither a DAG nor a container template".into())),
        };
        let names: BTreeSet<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
        if names.len() != tasks.len() {
            return Err(invalid("two tasks share a name".into()));
        }
        let mut depends = Vec::new();
        for task in &tasks {
            let called = self.templates.get(task.template.as_str()).ok_or_else(|| {
                invalid(format!("task `{}` calls unknown template `{}`", task.name, task.template))
            })?;
            if called.container.is_none() {
                return Err(invalid(format!(
                    "task `{}` calls `{}`, which is not a container template (nested DAGs are not supported by the local runner)",
                    task.name, task.template
                )));
            }
            let dep = match (&task.depends, task.dependencies.is_empty()) {
                (Some(_), false) => {
                    return Err(invalid(format!("task `{}` sets both depends and dependencies", task.name)))
                }
                (Some(expr), true) => Depends::parse(expr)
                    .map_err(|e| invalid(format!("task `{}`: {e}", task.name)))?,
                (None, _) => Depends::all(&task.dependencies),
            };
            if let Some(unknown) = dep.tasks().into_iter().find(|t| !names.contains(t.as_str())) {
                return Err(invalid(format!("task `{}` depends on unknown task `{unknown}`", task.name)));
            }
            depends.push(dep);
        }
        check_acyclic(&tasks, &depends).map_err(invalid)?;
        Ok(DagPlan { template, tasks, depends })
    }
}

fn check_acyclic(tasks: &[DagTask], depends: &[Depends]) -> Result<(), String> {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    while done.len() < tasks.len() {
        let before = done.len();
        for (task, dep) in tasks.iter().zip(depends) {
            if !done.contains(task.name.as_str()) && dep.tasks().iter().all(|t| done.contains(t.as_str())) {
                done.insert(&task.name);
            }
        }
        if done.len() == before {
            let stuck: Vec<&str> =
                tasks.iter().map(|t| t.name.as_str()).filter(|n| !done.contains(n)).collect();
            return Err(format!("dependency cycle among tasks {}", stuck.join(", ")));
        }
    }
    Ok(())
}

/// `spec.arguments.parameters` with the overrides applied and checked.
fn parameters(
    wf: &Workflow,
    overrides: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, RunnerError> {
    let declared = wf.spec.arguments.as_ref().map(|a| a.parameters.as_slice()).unwrap_or_default();
    if let Some(name) = overrides.keys().find(|k| !declared.iter().any(|p| &p.name == *k)) {
        return Err(RunnerError::UnknownParameter {
            name: name.clone(),
            known: declared.iter().map(|p| p.name.clone()).collect(),
        });
    }
    let mut out = BTreeMap::new();
    for p in declared {
        let value = overrides
            .get(&p.name)
            .or(p.value.as_ref())
            .or(p.default.as_ref())
            .ok_or_else(|| RunnerError::InvalidParameter {
                name: p.name.clone(),
                message: "has no value: pass one".into(),
            })?;
        if !p.enum_.is_empty() && !p.enum_.contains(value) {
            return Err(RunnerError::InvalidParameter {
                name: p.name.clone(),
                message: format!("`{value}` is not one of {}", p.enum_.join(", ")),
            });
        }
        out.insert(p.name.clone(), value.clone());
    }
    Ok(out)
}

fn entropy(salt: &str) -> [u8; 32] {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let local = 0u8;
    let seed = format!("{salt}/{nanos}/{}/{:p}", std::process::id(), &local);
    Sha256::digest(seed.as_bytes()).into()
}

/// `<generateName><5 random [a-z0-9]>`, or `metadata.name`.
fn generate_name(wf: &Workflow) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    match (&wf.metadata.generate_name, &wf.metadata.name) {
        (None, Some(name)) => name.clone(),
        (prefix, _) => {
            let prefix = prefix.clone().unwrap_or_else(|| "workflow-".into());
            let suffix: String = entropy(&prefix)
                .iter()
                .take(5)
                .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
                .collect();
            format!("{prefix}{suffix}")
        }
    }
}

fn uid(name: &str) -> String {
    let h = super::store::hex(&entropy(name));
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// `<parent>/<name>`, or `<name>-2`, `-3`, ... when it already exists.
fn fresh_dir(parent: &Path, name: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(parent)?;
    for n in 1..10_000 {
        let dir = if n == 1 { parent.join(name) } else { parent.join(format!("{name}-{n}")) };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!("too many runs named {name}")))
}
