//! Arguments: values and sources, the inputs they must supply, and looped-artifact sources.

use std::collections::BTreeMap;

use super::error::{ErrorKind, ValidationErrors};
use super::expr::{expr_artifact_refs, task_artifact_refs};
use super::names::{check_names, NameKind};
use super::scope::TaskInfo;
use super::template::check_enum;
use crate::model::{Arguments, Artifact, Template};

/// Argument names and values (Argo `validateArguments`).
pub(crate) fn check_arguments(at: &str, args: Option<&Arguments>, errs: &mut ValidationErrors) {
    check_arguments_with(at, args, false, errs);
}

/// Like [`check_arguments`]; `allow_empty_values` for WorkflowTemplates.
pub(crate) fn check_arguments_with(
    at: &str,
    args: Option<&Arguments>,
    allow_empty_values: bool,
    errs: &mut ValidationErrors,
) {
    let Some(args) = args else { return };
    let at_a = format!("{at}: arguments");
    check_names(
        &at_a,
        NameKind::Parameter,
        args.parameters.iter().map(|p| p.name.as_str()),
        errs,
    );
    check_names(
        &at_a,
        NameKind::Artifact,
        args.artifacts.iter().map(|a| a.name.as_str()),
        errs,
    );
    for p in &args.parameters {
        match &p.value_from {
            None if p.value.is_none() && !allow_empty_values => {
                errs.push(&at_a, ErrorKind::ArgumentWithoutValue(p.name.clone()))
            }
            Some(vf)
                if vf.config_map_key_ref.is_none()
                    || vf.path.is_some()
                    || vf.parameter.is_some()
                    || vf.expression.is_some() =>
            {
                errs.push(&at_a, ErrorKind::InvalidArgumentValueFrom(p.name.clone()))
            }
            _ => {}
        }
        check_enum(&at_a, &p.name, p.value.as_ref(), &p.enum_, errs);
    }
    for a in &args.artifacts {
        if a.from.is_none() && a.from_expression.is_none() && !a.has_location() {
            errs.push(&at_a, ErrorKind::ArtifactWithoutSource(a.name.clone()));
        }
        if a.from.is_some() && a.from_expression.is_some() {
            errs.push(&at_a, ErrorKind::FromAndFromExpression(a.name.clone()));
        }
    }
}

/// The arguments supply every required input of `called`; with `unknown_is_error`, they supply
/// nothing it does not declare.
pub(crate) fn check_call(
    at: &str,
    args: Option<&Arguments>,
    called: &Template,
    unknown_is_error: bool,
    errs: &mut ValidationErrors,
) {
    let empty = Arguments::default();
    let args = args.unwrap_or(&empty);
    let inputs = called.inputs.clone().unwrap_or_default();
    for p in &inputs.parameters {
        let required = p.value.is_none() && p.default.is_none();
        if required && !args.parameters.iter().any(|a| a.name == p.name) {
            errs.push(
                at,
                ErrorKind::MissingArgument {
                    param: p.name.clone(),
                    template: called.name.clone(),
                },
            );
        }
    }
    for a in &inputs.artifacts {
        let required = !a.optional.unwrap_or(false) && !a.has_location();
        if required && !args.artifacts.iter().any(|x| x.name == a.name) {
            errs.push(
                at,
                ErrorKind::MissingArtifactArgument {
                    artifact: a.name.clone(),
                    template: called.name.clone(),
                },
            );
        }
    }
    if !unknown_is_error {
        return;
    }
    for p in &args.parameters {
        if !inputs.parameters.iter().any(|x| x.name == p.name) {
            errs.push(
                at,
                ErrorKind::UnknownArgument {
                    what: "parameter",
                    name: p.name.clone(),
                    template: called.name.clone(),
                },
            );
        }
    }
    for a in &args.artifacts {
        if !inputs.artifacts.iter().any(|x| x.name == a.name) {
            errs.push(
                at,
                ErrorKind::UnknownArgument {
                    what: "artifact",
                    name: a.name.clone(),
                    template: called.name.clone(),
                },
            );
        }
    }
}

/// PATTERNS.md §1.1: no `from` / `fromExpression` on an artifact of a looped task.
pub(crate) fn check_looped_from(
    at: &str,
    artifacts: Option<&[Artifact]>,
    infos: &BTreeMap<&str, TaskInfo<'_>>,
    errs: &mut ValidationErrors,
) {
    for a in artifacts.unwrap_or_default() {
        let sources = [
            a.from.as_ref().map(|f| (f, task_artifact_refs(f))),
            a.from_expression
                .as_ref()
                .map(|f| (f, expr_artifact_refs(f))),
        ];
        for (text, refs) in sources.into_iter().flatten() {
            for (task, _) in refs {
                if infos.get(task.as_str()).is_some_and(|i| i.task.is_looped()) {
                    errs.push(
                        at,
                        ErrorKind::LoopedArtifactFrom {
                            artifact: a.name.clone(),
                            from: text.clone(),
                            task,
                        },
                    );
                }
            }
        }
    }
}
