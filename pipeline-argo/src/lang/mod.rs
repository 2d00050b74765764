//! Argo's small languages, each parsed in one place: the validator, the compiler and the local
//! runner all read them through these functions, so what validates is what runs.
//!
//! - [`depends`]: a DAG task's `depends` expression and `dependencies` list;
//! - [`tags`]: the `{{...}}` tags of template strings;
//! - [`duration`]: Go durations and Argo's "whole seconds or a Go duration";
//! - [`crate::expr`]: the expr-lang subset of `{{=...}}` tags and `when` expressions.

pub mod depends;
pub mod duration;
pub mod tags;
