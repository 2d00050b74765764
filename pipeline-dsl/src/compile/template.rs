//! One container template per task (deduplicated into one per component where tasks agree).

use super::{
    CACHE_ANNOTATION, DESCRIPTION_ANNOTATION, HOME, HOME_VOLUME, SCRATCH, SCRATCH_VOLUME, TMPDIR,
    TMP_VOLUME, VERSION_ANNOTATION,
};
use crate::argo::{
    ArchiveStrategy, Artifact, Backoff, Cache, Capabilities, Container, EnvVar, EnvVarSource,
    Inputs, LocalObjectReference, Memoize, Metadata, NoneStrategy, Outputs, Parameter,
    ResourceRequirements, RetryStrategy, S3Artifact, SecretKeySelector, SecurityContext, Template,
    Toleration, ValueFrom, VolumeMount,
};
use crate::component::{ComponentSpec, OutputKind};
use crate::options::TaskOptions;

/// Path of artifact input `name` inside the container.
pub fn input_path(name: &str) -> String {
    format!("{SCRATCH}/in/{name}")
}

/// Path of output `name` inside the container.
pub fn output_path(name: &str) -> String {
    format!("{SCRATCH}/out/{name}")
}

/// Input parameter carrying the fan-out item's key (its zero-padded index).
pub const ITEM_KEY: &str = "item-key";

/// Repository key prefix under which the items of fan-out task `task` store output `output`.
pub fn gathered_prefix(task: &str, output: &str) -> String {
    format!("{{{{workflow.name}}}}/{task}/{output}/")
}

/// The container template for a task running `spec` with `options`; `fan_out` names the task
/// when it runs once per item (its artifact outputs then go under a per-item key).
pub fn container_template(
    name: &str,
    spec: &ComponentSpec,
    options: &TaskOptions,
    image: &str,
    command: &[String],
    fan_out: Option<&str>,
) -> Template {
    let mut args = vec!["component".to_owned(), spec.name.clone()];
    let mut inputs = Inputs::default();
    for p in &spec.parameters {
        inputs.parameters.push(Parameter {
            name: p.name.clone(),
            ..Default::default()
        });
        args.push("--param".into());
        args.push(format!("{}={{{{inputs.parameters.{}}}}}", p.name, p.name));
    }
    if fan_out.is_some() {
        inputs.parameters.push(Parameter {
            name: ITEM_KEY.into(),
            ..Default::default()
        });
    }
    for a in &spec.inputs {
        inputs.artifacts.push(Artifact {
            name: a.name.clone(),
            path: Some(input_path(&a.name)),
            ..Default::default()
        });
        args.push("--input".into());
        args.push(format!("{}={}", a.name, input_path(&a.name)));
    }
    let mut outputs = Outputs::default();
    for o in &spec.outputs {
        args.push("--output".into());
        args.push(format!("{}={}", o.name, output_path(&o.name)));
        match &o.kind {
            OutputKind::Parameter { schema } => outputs.parameters.push(Parameter {
                name: o.name.clone(),
                value_from: Some(ValueFrom {
                    path: Some(output_path(&o.name)),
                    default: Some(skipped_default(schema).into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            OutputKind::Artifact { is_dir, .. } => outputs.artifacts.push(Artifact {
                name: o.name.clone(),
                path: Some(output_path(&o.name)),
                // Single files are stored as they are, so S3 holds the real file (the inference
                // server reads model.json straight from the bucket); directories as tarballs.
                archive: (!is_dir || fan_out.is_some()).then(|| ArchiveStrategy {
                    none: Some(NoneStrategy {}),
                    ..Default::default()
                }),
                s3: fan_out.map(|task| S3Artifact {
                    key: Some(format!(
                        "{}{{{{inputs.parameters.{ITEM_KEY}}}}}{}",
                        gathered_prefix(task, &o.name),
                        if *is_dir { "/" } else { "" }
                    )),
                    ..Default::default()
                }),
                ..Default::default()
            }),
        }
    }
    let mut env = vec![
        plain_env("HOME", HOME),
        plain_env("TMPDIR", TMPDIR),
        plain_env("RUST_BACKTRACE", "0"),
    ];
    env.extend(options.env.iter().map(|(k, v)| plain_env(k, v)));
    env.extend(options.secret_env.iter().map(|s| EnvVar {
        name: s.name.clone(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: s.secret.clone(),
                key: s.key.clone(),
                optional: s.optional.then_some(true),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }));
    Template {
        name: name.into(),
        metadata: metadata(spec, options),
        inputs: (!inputs.parameters.is_empty() || !inputs.artifacts.is_empty()).then_some(inputs),
        outputs: (!outputs.parameters.is_empty() || !outputs.artifacts.is_empty())
            .then_some(outputs),
        node_selector: options.node_selector.clone(),
        tolerations: options
            .tolerations
            .iter()
            .map(|t| Toleration {
                key: Some(t.key.clone()),
                operator: Some(t.operator.clone()),
                value: t.value.clone(),
                effect: t.effect.clone(),
                ..Default::default()
            })
            .collect(),
        retry_strategy: options.retry.as_ref().map(|r| RetryStrategy {
            limit: Some(r.limit.to_string()),
            retry_policy: Some(r.policy.as_str().into()),
            backoff: r.backoff.as_ref().map(|d| Backoff {
                duration: Some(d.clone()),
                factor: Some(r.factor.to_string()),
                max_duration: r.max_duration.clone(),
                ..Default::default()
            }),
            expression: r.expression.clone(),
        }),
        timeout: options.timeout.clone(),
        memoize: options.cache.as_ref().map(|max_age| memoize(spec, max_age)),
        container: Some(Container {
            image: options.image.clone().unwrap_or_else(|| image.into()),
            command: command.to_vec(),
            args,
            env,
            resources: resources(options),
            volume_mounts: [
                (SCRATCH_VOLUME, SCRATCH),
                (HOME_VOLUME, HOME),
                (TMP_VOLUME, TMPDIR),
            ]
            .into_iter()
            .map(|(name, path)| VolumeMount {
                name: name.into(),
                mount_path: path.into(),
                ..Default::default()
            })
            .collect(),
            security_context: Some(SecurityContext {
                allow_privilege_escalation: Some(false),
                read_only_root_filesystem: Some(true),
                capabilities: Some(Capabilities {
                    drop: vec!["ALL".into()],
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The pod annotations of a component's template: its description, and what the local runner
/// needs to know about its caching.
fn metadata(spec: &ComponentSpec, options: &TaskOptions) -> Option<Metadata> {
    let mut annotations = std::collections::BTreeMap::new();
    if !spec.description.is_empty() {
        // Argo substitutes `{{...}}` anywhere in a template, its metadata included: a doc comment
        // that shows a variable must not become one.
        let text = spec.description.replace("{{", "{ {").replace("}}", "} }");
        annotations.insert(DESCRIPTION_ANNOTATION.into(), text);
    }
    if options.never_cache {
        annotations.insert(CACHE_ANNOTATION.into(), "false".into());
    }
    if let Some(version) = &spec.version {
        annotations.insert(VERSION_ANNOTATION.into(), version.clone());
    }
    (!annotations.is_empty()).then(|| Metadata {
        annotations,
        ..Default::default()
    })
}

/// The value a skipped task's output parameter resolves to (Argo's `valueFrom.default`).
fn skipped_default(schema: &serde_json::Value) -> &'static str {
    match schema.get("type").and_then(|t| t.as_str()) {
        Some("number" | "integer") => "0",
        Some("boolean") => "false",
        _ => "",
    }
}

fn plain_env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..Default::default()
    }
}

fn resources(options: &TaskOptions) -> Option<ResourceRequirements> {
    let r = &options.resources;
    let mut out = ResourceRequirements::default();
    let put =
        |map: &mut std::collections::BTreeMap<String, String>, key: &str, v: &Option<String>| {
            if let Some(v) = v {
                map.insert(key.into(), v.clone());
            }
        };
    put(&mut out.requests, "cpu", &r.cpu);
    put(&mut out.requests, "memory", &r.memory);
    put(&mut out.limits, "cpu", &r.cpu_limit);
    put(
        &mut out.limits,
        "memory",
        &r.memory_limit.clone().or_else(|| r.memory.clone()),
    );
    if let Some(gpu) = r.gpu {
        out.requests
            .insert("nvidia.com/gpu".into(), gpu.to_string());
        out.limits.insert("nvidia.com/gpu".into(), gpu.to_string());
    }
    (!out.requests.is_empty() || !out.limits.is_empty()).then_some(out)
}

/// Argo memoization keyed on the component version and a hash of its parameters.
fn memoize(spec: &ComponentSpec, max_age: &str) -> Memoize {
    let joined = if spec.parameters.is_empty() {
        "''".to_owned()
    } else {
        spec.parameters
            .iter()
            .map(|p| format!("inputs.parameters['{}']", p.name))
            .collect::<Vec<_>>()
            .join(" + '\\n' + ")
    };
    Memoize {
        key: format!(
            "{}-{}-{{{{=sprig.sha256sum({joined})}}}}",
            spec.name, spec.source_digest
        ),
        max_age: max_age.into(),
        cache: Cache {
            config_map: LocalObjectReference {
                name: format!("memo-{}", spec.name),
            },
        },
    }
}
