//! A task calling a DAG or steps template: its inputs become the nested template's
//! `{{inputs.*}}`, it runs as its own DAG (labels prefixed by the caller's), and its outputs
//! come from `outputs.parameters[].valueFrom.parameter`/`expression` and
//! `outputs.artifacts[].from` over what its tasks left (`operator.go`
//! `getTemplateOutputsFromScope`).

use super::context::Ctx;
use super::dag::{run_dag, Frame};
use super::execution::{Execute, Outcome};
use super::prepare::Unit;
use super::progress::Progress;
use super::subst::substitute;
use super::summary::StepStatus;
use super::values::Collected;
use super::values::{ArtifactIndex, Source};

/// Runs `unit` (whose template is a DAG or steps template) to its end, each of its executions
/// with `execute`.
pub(crate) fn run(ctx: &Ctx, unit: &Unit, execute: Execute) -> Outcome {
    let fail = |e: String| {
        Outcome::not_run(
            StepStatus::Failed,
            format!("task `{}` failed: {e}", unit.label),
        )
    };
    let template = unit.template;
    let plan = match ctx.plan_template(template, "template") {
        Ok(plan) => plan,
        Err(e) => return fail(e.to_string()),
    };
    let mut scope = unit.workflow.clone();
    let mut artifacts = ArtifactIndex::new();
    let declared = template.inputs.clone().unwrap_or_default();
    for p in &declared.parameters {
        match unit
            .params
            .get(&p.name)
            .or(p.value.as_ref())
            .or(p.default.as_ref())
        {
            Some(v) => scope.set(format!("inputs.parameters.{}", p.name), v),
            None => return fail(format!("input parameter `{}` has no value", p.name)),
        }
    }
    for a in &declared.artifacts {
        match unit.artifacts.get(&a.name) {
            Some(source) => {
                artifacts.insert(format!("inputs.artifacts.{}", a.name), source.clone());
            }
            None if a.optional == Some(true) => {}
            None => return fail(format!("input artifact `{}` was not passed", a.name)),
        }
    }
    let frame = Frame {
        scope,
        artifacts,
        prefix: format!("{}.", unit.label),
        node: unit.node.clone(),
    };
    let mut progress = Progress::new(false, &unit.label, plan.tasks.len());
    let mut result = run_dag(
        ctx,
        &plan,
        &unit.workflow,
        frame,
        unit.exit_handler,
        &mut progress,
        execute,
    );
    let mut children = std::mem::take(&mut result.steps);
    for child in &mut children {
        child.task = format!("{}.{}", unit.label, child.task);
    }
    let mut outcome = if result.failed() {
        let message = result
            .message
            .clone()
            .unwrap_or_else(|| format!("template `{}` failed", template.name));
        Outcome {
            errored: result.phase == super::depends::Phase::Errored,
            ..Outcome::not_run(StepStatus::Failed, message)
        }
    } else {
        match outputs(template, &result.scope, &result.artifacts) {
            Ok(collected) => Outcome::succeeded(StepStatus::Succeeded, 0, collected),
            Err(e) => fail(e),
        }
    };
    outcome.children = children;
    outcome.failures = result.failures;
    outcome
}

fn outputs(
    template: &crate::argo::Template,
    scope: &super::subst::Scope,
    artifacts: &ArtifactIndex,
) -> Result<Collected, String> {
    let mut out = Collected::default();
    let Some(declared) = &template.outputs else {
        return Ok(out);
    };
    for p in &declared.parameters {
        let from = p.value_from.as_ref();
        let value = if let Some(reference) = from.and_then(|f| f.parameter.as_ref()) {
            substitute(reference, scope)
        } else if let Some(expression) = from.and_then(|f| f.expression.as_ref()) {
            scope.evaluate(expression)
        } else if let Some(v) = &p.value {
            substitute(v, scope)
        } else {
            Err("no value".into())
        };
        let value = match (value, from.and_then(|f| f.default.clone())) {
            (Ok(v), _) => v,
            (Err(_), Some(default)) => default,
            (Err(e), None) => return Err(format!("output parameter `{}`: {e}", p.name)),
        };
        out.parameters.insert(p.name.clone(), value);
    }
    for a in &declared.artifacts {
        let Some(from) = &a.from else {
            return Err(format!("output artifact `{}` has no `from`", a.name));
        };
        let reference = from
            .trim()
            .trim_start_matches("{{")
            .trim_end_matches("}}")
            .trim();
        match artifacts.get(reference) {
            Some(Source::Stored(stored)) => {
                out.artifacts.insert(a.name.clone(), stored.clone());
            }
            Some(_) => {
                return Err(format!(
                    "output artifact `{}`: `{from}` is not a single stored artifact",
                    a.name
                ))
            }
            None if a.optional == Some(true) => {}
            None => {
                return Err(format!(
                    "output artifact `{}`: `{from}` was not produced",
                    a.name
                ))
            }
        }
    }
    Ok(out)
}
