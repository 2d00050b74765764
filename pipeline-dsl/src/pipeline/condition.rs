//! Typed conditions on output parameters, compiled to Argo `when` expressions.

use crate::outputs::ParamRef;
use crate::param::{Value, ValueSource};
use schemars::JsonSchema;

/// A condition under which a task runs (`when` in Argo). Build one from a typed output
/// parameter: `evaluate.accuracy.ge(threshold)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `lhs op rhs`.
    Compare {
        /// Left operand.
        lhs: ValueSource,
        /// Comparison operator.
        op: CompareOp,
        /// Right operand.
        rhs: ValueSource,
        /// Compare as numbers (otherwise as quoted strings).
        numeric: bool,
    },
    /// Both hold.
    And(Box<Condition>, Box<Condition>),
    /// Either holds.
    Or(Box<Condition>, Box<Condition>),
    /// Does not hold.
    Not(Box<Condition>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The govaluate operator.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

impl Condition {
    /// Both conditions hold.
    pub fn and(self, other: Condition) -> Condition {
        Condition::And(Box::new(self), Box::new(other))
    }
    /// Either condition holds.
    pub fn or(self, other: Condition) -> Condition {
        Condition::Or(Box::new(self), Box::new(other))
    }
    /// The negation.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Condition {
        Condition::Not(Box::new(self))
    }
    /// The output parameters the condition reads.
    pub fn outputs(&self) -> Vec<crate::pipeline::OutputRef> {
        match self {
            Condition::Compare { lhs, rhs, .. } => [lhs, rhs]
                .into_iter()
                .filter_map(|s| match s {
                    ValueSource::Output(o) => Some(*o),
                    _ => None,
                })
                .collect(),
            Condition::And(a, b) | Condition::Or(a, b) => {
                let mut v = a.outputs();
                v.extend(b.outputs());
                v
            }
            Condition::Not(a) => a.outputs(),
        }
    }
}

fn is_numeric<T: JsonSchema>() -> bool {
    let schema = crate::param::schema_of::<T>();
    matches!(
        schema.get("type").and_then(|t| t.as_str()),
        Some("number" | "integer")
    )
}

macro_rules! comparisons {
    ($($(#[$doc:meta])* $method:ident => $op:ident),*) => {
        impl<T: JsonSchema> ParamRef<T> {
            $(
                $(#[$doc])*
                pub fn $method(self, rhs: impl Into<Value<T>>) -> Condition {
                    Condition::Compare {
                        lhs: ValueSource::Output(self.output),
                        op: CompareOp::$op,
                        rhs: rhs.into().source().clone(),
                        numeric: is_numeric::<T>(),
                    }
                }
            )*
        }
    };
}

comparisons!(
    /// Runs the task when this output equals `rhs`.
    eq => Eq,
    /// Runs the task when this output differs from `rhs`.
    ne => Ne,
    /// Runs the task when this output is below `rhs`.
    lt => Lt,
    /// Runs the task when this output is at most `rhs`.
    le => Le,
    /// Runs the task when this output is above `rhs`.
    gt => Gt,
    /// Runs the task when this output is at least `rhs`.
    ge => Ge
);
