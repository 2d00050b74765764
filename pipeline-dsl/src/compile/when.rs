//! `when` conditions as Argo expression tags: `{{=...}}`, evaluated by expr before govaluate
//! sees the result (`true`/`false`).
//!
//! A plain govaluate comparison (`{{tasks.e.outputs.parameters.acc}} >= 0.8`) makes the task
//! **Error** when a value is not a number (`null` for NaN, a user's `80%`): govaluate cannot
//! parse it (`workflow/controller/dag.go` marks the node Error on a `shouldExecute` error). So a
//! numeric comparison is guarded: each operand that is not a compile-time number must match
//! [`NUMBER_PATTERN`] before `asFloat` reads it, and the comparison is `false` otherwise — the
//! task is Skipped, never Errored. String comparisons compare the raw strings, which cannot fail.

use crate::argo::expr::{path_text, quote, NUMBER_PATTERN};
use crate::param::{encode_json, ValueSource};
use crate::pipeline::{Condition, Graph};

/// The `when` text of `condition`: one `{{=...}}` tag.
pub(crate) fn when_text(graph: &Graph, condition: &Condition) -> Result<String, String> {
    Ok(format!("{{{{={}}}}}", expression(graph, condition)?))
}

fn expression(graph: &Graph, condition: &Condition) -> Result<String, String> {
    Ok(match condition {
        Condition::Compare {
            lhs,
            op,
            rhs,
            numeric,
        } => {
            let (a, b) = (operand(graph, lhs)?, operand(graph, rhs)?);
            let op = op.symbol();
            if !numeric {
                return Ok(format!("{} {op} {}", a.text(), b.text()));
            }
            let guards: Vec<String> = [&a, &b]
                .into_iter()
                .filter_map(|o| match o {
                    Operand::Var(path) => Some(format!("{path} matches {}", quote(NUMBER_PATTERN))),
                    Operand::Literal(_) => None,
                })
                .collect();
            let compare = format!("{} {op} {}", a.number()?, b.number()?);
            if guards.is_empty() {
                compare
            } else {
                format!("({}) ? {compare} : false", guards.join(" && "))
            }
        }
        Condition::And(a, b) => {
            format!("({}) && ({})", expression(graph, a)?, expression(graph, b)?)
        }
        Condition::Or(a, b) => {
            format!("({}) || ({})", expression(graph, a)?, expression(graph, b)?)
        }
        Condition::Not(a) => format!("!({})", expression(graph, a)?),
    })
}

enum Operand {
    /// A variable path in expr syntax.
    Var(String),
    /// A literal's text.
    Literal(String),
}

impl Operand {
    fn text(&self) -> String {
        match self {
            Operand::Var(p) => p.clone(),
            Operand::Literal(s) => quote(s),
        }
    }

    fn number(&self) -> Result<String, String> {
        match self {
            Operand::Var(p) => Ok(format!("asFloat({p})")),
            Operand::Literal(s) if s.parse::<f64>().is_ok_and(f64::is_finite) => Ok(s.clone()),
            Operand::Literal(s) => Err(format!(
                "a numeric `when` compares with {s:?}, which is not a finite number"
            )),
        }
    }
}

fn operand(graph: &Graph, source: &ValueSource) -> Result<Operand, String> {
    Ok(match source {
        ValueSource::Literal(json) => {
            let text = encode_json(json);
            if text.contains("}}") {
                return Err(format!(
                    "a `when` literal cannot contain `}}}}` (it would end Argo's expression tag): {text:?}"
                ));
            }
            Operand::Literal(text)
        }
        ValueSource::Pipeline(name) => {
            Operand::Var(path_text(&["workflow", "parameters", name.as_str()]))
        }
        ValueSource::Output(o) => Operand::Var(path_text(&[
            "tasks",
            graph.tasks[o.task.0].name.as_str(),
            "outputs",
            "parameters",
            o.name,
        ])),
        ValueSource::Workflow(var) => Operand::Var(path_text(&var.split('.').collect::<Vec<_>>())),
        ValueSource::Item => {
            return Err(
                "a `when` cannot read the fan-out item: Argo expands items after it resolves \
                 `when` expressions; compare an output or a pipeline parameter"
                    .into(),
            )
        }
    })
}
