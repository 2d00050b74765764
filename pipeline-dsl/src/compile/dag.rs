//! The DAG templates: tasks, their arguments, `depends`, `when` and fan-out.

use super::template::{container_template, gathered_prefix, ITEM_KEY};
use super::{EXIT_HANDLER, MAIN};
use crate::argo::{Arguments, Artifact, DagTask, DagTemplate, Parameter, S3Artifact, Template};
use crate::param::{encode_json, ValueSource};
use crate::pipeline::{ArtifactSource, Graph, TaskNode};
use std::collections::{HashMap, HashSet};

/// Key and value fields of a fan-out item (`withItems` entries are `{key, value}` objects).
const ITEM_KEY_FIELD: &str = "key";
const ITEM_VALUE_FIELD: &str = "value";

/// Builds the component templates, the `main` DAG and the optional exit handler DAG.
pub fn build(graph: &Graph) -> Result<(Vec<Template>, Template, Option<Template>), String> {
    check(graph)?;
    let mut templates: Vec<Template> = Vec::new();
    // Template bodies seen so far (serialized without their name) -> index in `templates`, and
    // every template name taken: hash lookups keep this linear in the number of tasks (comparing
    // each task's template with every template so far was quadratic once tasks have variants).
    let mut bodies: HashMap<String, usize> = HashMap::new();
    let mut taken: HashSet<String> = [MAIN, EXIT_HANDLER].map(String::from).into();
    let mut main = Vec::new();
    let mut exit = Vec::new();
    for task in &graph.tasks {
        let options = task.spec.options.overridden_by(&task.options);
        let fan_out = task.items.as_ref().map(|_| task.name.as_str());
        let mut template = container_template(
            &task.spec.name,
            &task.spec,
            &options,
            &graph.image,
            &graph.command,
            fan_out,
        );
        let body = body_key(&mut template);
        let name = match body.as_ref().and_then(|b| bodies.get(b)) {
            Some(&existing) => templates[existing].name.clone(),
            None => {
                if taken.contains(&template.name) {
                    // A variant: this task's options differ from the component's other tasks'.
                    let base = format!("{}-{}", task.spec.name, task.name);
                    template.name = std::iter::once(base.clone())
                        .chain((2..).map(|i| format!("{base}-{i}")))
                        .find(|n| !taken.contains(n))
                        .unwrap_or(base);
                }
                taken.insert(template.name.clone());
                if let Some(body) = body {
                    bodies.insert(body, templates.len());
                }
                let name = template.name.clone();
                templates.push(template);
                name
            }
        };
        let dag_task =
            dag_task(graph, task, name).map_err(|e| format!("task `{}`: {e}", task.name))?;
        if task.on_exit {
            exit.push(dag_task);
        } else {
            main.push(dag_task);
        }
    }
    let dag = |name: &str, tasks: Vec<DagTask>| Template {
        name: name.into(),
        // Argo stops scheduling new tasks after a failure unless told otherwise; independent
        // branches should finish, as they do in the local runner.
        dag: Some(DagTemplate {
            tasks,
            fail_fast: Some(false),
            ..Default::default()
        }),
        ..Default::default()
    };
    if main.is_empty() {
        return Err("has no tasks: add one with `Pipeline::add`".into());
    }
    let exit = (!exit.is_empty()).then(|| dag(EXIT_HANDLER, exit));
    Ok((templates, dag(MAIN, main), exit))
}

/// The template's body as text: everything but its name (two tasks share a template when their
/// bodies are equal).
fn body_key(template: &mut Template) -> Option<String> {
    let name = std::mem::take(&mut template.name);
    // Model types always serialize; if one did not, its template would just not be shared.
    let key = serde_json::to_string(&*template).ok();
    template.name = name;
    key
}

/// Wiring problems the type system cannot see.
fn check(graph: &Graph) -> Result<(), String> {
    for task in &graph.tasks {
        for (input, source) in &task.artifacts {
            let producer = &graph.tasks[source.output().task.0];
            match source {
                ArtifactSource::Gathered(_) if producer.items.is_none() => {
                    return Err(format!(
                        "task `{}` gathers `{input}` from `{}`, which is not a fan-out",
                        task.name, producer.name
                    ))
                }
                ArtifactSource::Output(_) if producer.items.is_some() => {
                    return Err(format!(
                        "task `{}` takes `{input}` from fan-out `{}` directly; Argo does not aggregate \
                         looped artifacts: use `FanOut::gather` and an `Input<Collection<_>>`",
                        task.name, producer.name
                    ))
                }
                _ => {}
            }
        }
        let reads_outputs = !task.artifacts.is_empty()
            || task
                .params
                .iter()
                .any(|(_, v)| matches!(v, ValueSource::Output(_)))
            || task.when.is_some();
        if task.on_exit && reads_outputs {
            return Err(format!(
                "exit handler task `{}` reads other tasks' outputs; Argo only gives the exit handler \
                 workflow variables (`workflow_status`, `workflow_name`, pipeline parameters)",
                task.name
            ));
        }
        if task.items.is_none() && task.params.iter().any(|(_, v)| *v == ValueSource::Item) {
            return Err(format!(
                "task `{}` uses the fan-out item outside `fan_out`",
                task.name
            ));
        }
        if task.items.as_ref().is_some_and(Vec::is_empty) {
            return Err(format!("fan-out `{}` has no items", task.name));
        }
        let options = task.spec.options.overridden_by(&task.options);
        if options.never_cache && options.cache.is_some() {
            return Err(format!(
                "task `{}` is never cached (`cache = false` / `never_cache`) but asks for Argo \
                 memoization (`cache = \"{}\"`); keep one",
                task.name,
                options.cache.as_deref().unwrap_or_default()
            ));
        }
        if task.spec.options.cache.is_some() || task.options.cache.is_some() {
            if !task.spec.inputs.is_empty() {
                return Err(format!(
                    "task `{}` asks for Argo caching but takes artifacts: Argo memoization keys cannot see \
                     artifact content, so a cached result could belong to other inputs",
                    task.name
                ));
            }
            if task.items.is_some() {
                return Err(format!(
                    "fan-out `{}` cannot be cached: its item keys are workflow-scoped",
                    task.name
                ));
            }
        }
    }
    let mut names: Vec<&str> = graph.tasks.iter().map(|t| t.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!(
            "two tasks are named `{}`; rename one with `.named(..)`",
            w[0]
        ));
    }
    Ok(())
}

/// Text of a value in a task's arguments.
fn value_text(graph: &Graph, source: &ValueSource) -> String {
    match source {
        ValueSource::Literal(json) => encode_json(json),
        ValueSource::Pipeline(name) => format!("{{{{workflow.parameters.{name}}}}}"),
        ValueSource::Output(o) => format!(
            "{{{{tasks.{}.outputs.parameters.{}}}}}",
            graph.tasks[o.task.0].name, o.name
        ),
        ValueSource::Item => format!("{{{{item.{ITEM_VALUE_FIELD}}}}}"),
        ValueSource::Workflow(var) => format!("{{{{{var}}}}}"),
    }
}

fn dag_task(graph: &Graph, task: &TaskNode, template: String) -> Result<DagTask, String> {
    let mut arguments = Arguments::default();
    for (name, source) in &task.params {
        arguments.parameters.push(Parameter {
            name: (*name).into(),
            value: Some(value_text(graph, source)),
            ..Default::default()
        });
    }
    if task.items.is_some() {
        arguments.parameters.push(Parameter {
            name: ITEM_KEY.into(),
            value: Some(format!("{{{{item.{ITEM_KEY_FIELD}}}}}")),
            ..Default::default()
        });
    }
    for (name, source) in &task.artifacts {
        let producer = &graph.tasks[source.output().task.0].name;
        let output = source.output().name;
        arguments.artifacts.push(match source {
            ArtifactSource::Output(_) => Artifact {
                name: (*name).into(),
                from: Some(format!(
                    "{{{{tasks.{producer}.outputs.artifacts.{output}}}}}"
                )),
                ..Default::default()
            },
            ArtifactSource::Gathered(_) => Artifact {
                name: (*name).into(),
                s3: Some(S3Artifact {
                    key: Some(gathered_prefix(producer, output)),
                    ..Default::default()
                }),
                ..Default::default()
            },
        });
    }
    Ok(DagTask {
        name: task.name.clone(),
        template,
        depends: depends(graph, task),
        when: task
            .when
            .as_ref()
            .map(|c| super::when::when_text(graph, c))
            .transpose()?,
        with_items: task
            .items
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, v)| serde_json::json!({ ITEM_KEY_FIELD: format!("{i:05}"), ITEM_VALUE_FIELD: v }))
            .collect(),
        arguments: (!arguments.parameters.is_empty() || !arguments.artifacts.is_empty()).then_some(arguments),
        ..Default::default()
    })
}

/// `depends`: data and condition dependencies must have succeeded (a skipped producer skips its
/// consumers); explicit `after` ordering only needs the task to be finished.
fn depends(graph: &Graph, task: &TaskNode) -> Option<String> {
    let mut succeeded: Vec<usize> = task
        .artifacts
        .iter()
        .map(|(_, s)| s.output().task.0)
        .collect();
    succeeded.extend(task.params.iter().filter_map(|(_, v)| match v {
        ValueSource::Output(o) => Some(o.task.0),
        _ => None,
    }));
    succeeded.extend(task.when.iter().flat_map(|c| c.outputs()).map(|o| o.task.0));
    succeeded.sort_unstable();
    succeeded.dedup();
    let mut after: Vec<usize> = task
        .after
        .iter()
        .map(|t| t.0)
        .filter(|t| !succeeded.contains(t))
        .collect();
    after.sort_unstable();
    after.dedup();
    let terms: Vec<String> = succeeded
        .iter()
        .map(|t| format!("{}.Succeeded", graph.tasks[*t].name))
        .chain(after.iter().map(|t| graph.tasks[*t].name.clone()))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" && "))
}

/// `spec.arguments.parameters`: the pipeline parameters with their defaults.
pub fn pipeline_arguments(graph: &Graph) -> Option<Arguments> {
    let parameters: Vec<Parameter> = graph
        .params
        .iter()
        .map(|p| Parameter {
            name: p.name.clone(),
            value: Some(encode_json(&p.default)),
            description: (!p.description.is_empty()).then(|| p.description.clone()),
            enum_: enum_values(&p.schema),
            ..Default::default()
        })
        .collect();
    (!parameters.is_empty()).then(|| Arguments {
        parameters,
        ..Default::default()
    })
}

/// The allowed values of a parameter whose schema is a fixed set: `enum`, or (what schemars emits
/// for an enum whose variants have doc comments) `oneOf`/`anyOf` of `const`s. Empty otherwise.
fn enum_values(schema: &serde_json::Value) -> Vec<String> {
    if let Some(values) = schema.get("enum").and_then(|e| e.as_array()) {
        return values.iter().map(encode_json).collect();
    }
    for key in ["oneOf", "anyOf"] {
        let Some(variants) = schema.get(key).and_then(|v| v.as_array()) else {
            continue;
        };
        let mut values = Vec::new();
        for variant in variants {
            if let Some(value) = variant.get("const") {
                values.push(encode_json(value));
            } else if let Some(list) = variant.get("enum").and_then(|e| e.as_array()) {
                values.extend(list.iter().map(encode_json));
            } else {
                // A variant that is not a fixed value (e.g. one carrying data): no enum.
                return Vec::new();
            }
        }
        return values;
    }
    Vec::new()
}
