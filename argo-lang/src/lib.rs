//! Argo Workflows' small languages, each parsed in one place. The validator, the compiler, the
//! local runner and the `#[component]` macro (on literals, at expansion time) all read them through
//! this crate, so what the macro accepts validates, and what validates runs.
//!
//! - [`depends`]: a DAG task's `depends` expression and `dependencies` list;
//! - [`tags`]: the `{{...}}` tags of template strings;
//! - [`duration`]: Go durations and Argo's "whole seconds or a Go duration";
//! - [`quantity`]: Kubernetes resource quantities (`500m`, `512Mi`);
//! - [`names`]: the name rules of Argo fields and Kubernetes objects, labels and keys;
//! - [`retry`]: the policies of `retryStrategy.retryPolicy`.
//!
//! The expr-lang subset of `{{=...}}` tags and `when` expressions needs JSON values and lives in
//! `pipeline_argo::expr`. This crate depends on nothing but `thiserror`, so a proc macro can use it
//! without building a second copy of the Argo model for the host.
//!
//! ```
//! use argo_lang::{duration, names, quantity, retry::RetryPolicy};
//!
//! assert_eq!(duration::parse_go("1m30s").unwrap().nanos(), 90_000_000_000);
//! assert!(quantity::parse("512Mi").is_ok());
//! assert!(names::check_dns_label("train-fold").is_ok());
//! assert_eq!("OnError".parse::<RetryPolicy>(), Ok(RetryPolicy::OnError));
//! ```

pub mod depends;
pub mod duration;
pub mod names;
pub mod quantity;
pub mod retry;
pub mod tags;
