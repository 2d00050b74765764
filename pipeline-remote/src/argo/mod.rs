//! A client of the Argo Server REST API for `titanic submit`: create a workflow (or submit a
//! WorkflowTemplate), follow it over the workflow-events stream with reconnects, redraw its node
//! tree the way `argo submit --watch` does, and stream its main containers' logs.
//!
//! Settings come from flags or the argo CLI's environment variables with its meanings
//! (`ARGO_SERVER` as `host:port`, `ARGO_SECURE`, `ARGO_INSECURE_SKIP_VERIFY`, `ARGO_TOKEN`,
//! `ARGO_NAMESPACE`, `ARGO_BASE_HREF`; `cmd/argo/commands/client/conn.go`). Every request has a
//! connect timeout and a bound, and a server error is one line with the HTTP status and the
//! server's `message`.

mod client;
mod settings;
mod submit;
pub mod tree;

pub use client::{ArgoClient, ArgoError, Stream, StreamKind};
pub use settings::{BadServerAddress, ServerSettings, SettingsFlags};
pub use submit::{with_params, Outcome, SubmitArgs, SubmitError};
