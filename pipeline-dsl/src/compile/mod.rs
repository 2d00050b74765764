//! Compiles a [`Pipeline`] into Argo objects: a `Workflow`, a `WorkflowTemplate` or a
//! `CronWorkflow`, all from the same graph, validated against Argo's rules before they are
//! returned.
//!
//! The shape: one container template per component (a variant per task only where a task
//! overrides options or fans out), one DAG template `main`, an exit handler DAG `exit-handler`
//! when the pipeline has one, pipeline parameters in `spec.arguments`, artifacts through the
//! artifact repository, non-root pods with a read-only root filesystem and an `emptyDir` at
//! `/scratch` for everything the step writes.

mod dag;
mod template;
mod when;

use crate::argo::{
    self, ArtifactRepositoryRef, CronWorkflow, CronWorkflowSpec, EmptyDirVolumeSource, Metadata,
    ObjectMeta, PodGC, PodSecurityContext, SeccompProfile, TTLStrategy, Volume, Workflow,
    WorkflowSpec, WorkflowTemplate,
};
use crate::pipeline::Pipeline;

pub use crate::argo::contract::{CACHE_ANNOTATION, SCRATCH, VERSION_ANNOTATION};
pub use crate::argo::DESCRIPTION_ANNOTATION;

/// The UID/GID every pod runs as (the `argoexec` non-root image's).
pub const RUN_AS: i64 = 8737;
/// `HOME` of every container: an `emptyDir` of its own mounted there, so the directory exists
/// (a subdirectory of `/scratch` would not: nothing creates it) and the local runner maps it with
/// the rest of `/scratch`.
pub const HOME: &str = "/scratch/home";
/// `TMPDIR` of every container, an `emptyDir` of its own like [`HOME`].
pub const TMPDIR: &str = "/scratch/tmp";
/// Names of the three `emptyDir` volumes.
pub(crate) const SCRATCH_VOLUME: &str = "scratch";
pub(crate) const HOME_VOLUME: &str = "home";
pub(crate) const TMP_VOLUME: &str = "tmp";
/// Name of the entrypoint DAG template.
pub const MAIN: &str = "main";
/// Name of the exit handler DAG template.
pub const EXIT_HANDLER: &str = "exit-handler";

/// Why a pipeline could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The pipeline is wired in a way Argo cannot run.
    #[error("pipeline `{pipeline}`: {message}")]
    Pipeline {
        /// The pipeline.
        pipeline: String,
        /// What is wrong, naming the task.
        message: String,
    },
    /// The generated manifest breaks Argo's validation rules.
    #[error("the compiled workflow breaks Argo's rules:\n{0}")]
    Invalid(#[from] argo::ValidationErrors),
    /// The manifest could not be serialized, or is too large for Kubernetes.
    #[error(transparent)]
    Emit(#[from] argo::EmitError),
}

/// A compiled pipeline: the Argo `WorkflowSpec` plus its name, ready to wrap in any of the
/// three Argo kinds.
#[derive(Debug, Clone)]
pub struct Compiled {
    name: String,
    metadata: ObjectMeta,
    spec: WorkflowSpec,
}

impl Pipeline {
    /// Compiles the pipeline and checks the result against Argo's validation rules.
    pub fn compile(&self) -> Result<Compiled, CompileError> {
        let compiled = self.compile_unvalidated()?;
        argo::validate_workflow(&compiled.workflow())?;
        Ok(compiled)
    }

    /// Compiles the pipeline (wiring checks included) without checking the result against
    /// Argo's validation rules: for benchmarks and tests that time or inspect the steps
    /// separately. Argo may refuse what this returns; use [`Pipeline::compile`].
    #[doc(hidden)]
    pub fn compile_unvalidated(&self) -> Result<Compiled, CompileError> {
        let graph = self.graph.borrow();
        let fail = |message: String| CompileError::Pipeline {
            pipeline: graph.name.clone(),
            message,
        };
        let (templates, main, exit) = dag::build(&graph).map_err(fail)?;
        // The components binary runs a step by name: a name two components share is ambiguous.
        let names: std::collections::BTreeSet<&str> =
            graph.tasks.iter().map(|t| t.spec.name.as_str()).collect();
        for name in names {
            crate::component::find(name).map_err(|e| fail(e.to_string()))?;
        }
        let mut metadata = ObjectMeta {
            generate_name: Some(format!("{}-", graph.name)),
            ..Default::default()
        };
        metadata.labels = graph.labels.iter().cloned().collect();
        if !graph.description.is_empty() {
            metadata.annotations.insert(
                "workflows.argoproj.io/description".into(),
                graph.description.clone(),
            );
        }
        let mut all = vec![main];
        all.extend(exit.clone());
        all.extend(templates);
        let spec = WorkflowSpec {
            entrypoint: Some(MAIN.into()),
            arguments: dag::pipeline_arguments(&graph),
            on_exit: exit.map(|t| t.name),
            service_account_name: graph.service_account.clone(),
            parallelism: graph.parallelism.map(i64::from),
            active_deadline_seconds: graph
                .settings
                .active_deadline_seconds
                .map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
            pod_gc: graph.settings.pod_gc.map(|s| PodGC {
                strategy: Some(s.as_str().into()),
            }),
            ttl_strategy: graph.settings.ttl.map(|t| {
                let secs = |v: Option<u32>| v.map(|s| i32::try_from(s).unwrap_or(i32::MAX));
                TTLStrategy {
                    seconds_after_completion: secs(t.after_completion),
                    seconds_after_success: secs(t.after_success),
                    seconds_after_failure: secs(t.after_failure),
                }
            }),
            pod_metadata: pod_metadata(&graph),
            artifact_repository_ref: graph.artifact_repository.as_ref().map(|(cm, key)| {
                ArtifactRepositoryRef {
                    config_map: Some(cm.clone()),
                    key: Some(key.clone()),
                }
            }),
            security_context: Some(PodSecurityContext {
                run_as_non_root: Some(true),
                run_as_user: Some(RUN_AS),
                run_as_group: Some(RUN_AS),
                fs_group: Some(RUN_AS),
                seccomp_profile: Some(SeccompProfile {
                    type_: "RuntimeDefault".into(),
                    ..Default::default()
                }),
            }),
            volumes: [SCRATCH_VOLUME, HOME_VOLUME, TMP_VOLUME]
                .into_iter()
                .map(|name| Volume {
                    name: name.into(),
                    empty_dir: Some(EmptyDirVolumeSource::default()),
                    ..Default::default()
                })
                .collect(),
            templates: all,
            ..Default::default()
        };
        Ok(Compiled {
            name: graph.name.clone(),
            metadata,
            spec,
        })
    }
}

/// `spec.podMetadata`: the workflow's labels plus the pod-only ones, and pod annotations.
fn pod_metadata(graph: &crate::pipeline::Graph) -> Option<Metadata> {
    let s = &graph.settings;
    let metadata = Metadata {
        labels: graph.labels.iter().chain(&s.pod_labels).cloned().collect(),
        annotations: s.pod_annotations.iter().cloned().collect(),
    };
    (!metadata.labels.is_empty() || !metadata.annotations.is_empty()).then_some(metadata)
}

impl Compiled {
    /// The pipeline's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The compiled spec.
    pub fn spec(&self) -> &WorkflowSpec {
        &self.spec
    }

    /// An Argo `Workflow` (submitted with `argo submit`; named `<pipeline>-<random>`).
    pub fn workflow(&self) -> Workflow {
        Workflow::new(self.metadata.clone(), self.spec.clone())
    }

    /// An Argo `WorkflowTemplate` called after the pipeline, to submit repeatedly by name.
    pub fn workflow_template(&self) -> WorkflowTemplate {
        let metadata = ObjectMeta {
            name: Some(self.name.clone()),
            generate_name: None,
            ..self.metadata.clone()
        };
        WorkflowTemplate::new(metadata, self.spec.clone())
    }

    /// An Argo `CronWorkflow` running the pipeline on a cron `schedule` (e.g. `0 3 * * *`).
    pub fn cron_workflow(&self, schedule: &str) -> CronWorkflow {
        let metadata = ObjectMeta {
            name: Some(self.name.clone()),
            generate_name: None,
            ..self.metadata.clone()
        };
        CronWorkflow::new(
            metadata,
            CronWorkflowSpec {
                schedules: vec![schedule.into()],
                concurrency_policy: Some("Forbid".into()),
                workflow_spec: self.spec.clone(),
                ..Default::default()
            },
        )
    }

    /// The `Workflow` as YAML: deterministic (byte-identical for the same pipeline), with a
    /// header comment, checked against the size budget.
    pub fn to_yaml(&self) -> Result<String, CompileError> {
        self.render(&self.workflow())
    }

    /// Any of the three kinds as YAML, with the same header and size checks.
    pub fn render<T: serde::Serialize>(&self, doc: &T) -> Result<String, CompileError> {
        let body = argo::to_yaml(doc)?;
        let report = argo::check_size(&body, &self.spec).into_result()?;
        if let Some(warning) = report.warning() {
            tracing::warn!("{warning}");
        }
        Ok(format!(
            "# Generated by pipeline-dsl from the `{}` pipeline. Do not edit: change the Rust source and rebuild.\n{body}",
            self.name
        ))
    }
}
