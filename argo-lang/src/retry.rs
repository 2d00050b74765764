//! `retryStrategy.retryPolicy` (`pkg/apis/workflow/v1alpha1/workflow_types.go`, `RetryPolicy`).
//!
//! ```
//! use argo_lang::retry::RetryPolicy;
//!
//! let p: RetryPolicy = "OnTransientError".parse().unwrap();
//! assert_eq!(p.as_str(), "OnTransientError");
//! assert_eq!(
//!     "OnFailures".parse::<RetryPolicy>().unwrap_err().to_string(),
//!     "unknown retryPolicy `OnFailures` (use Always, OnFailure, OnError or OnTransientError)"
//! );
//! ```

use std::fmt;
use std::str::FromStr;

/// Which failed attempts Argo retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryPolicy {
    /// Retry any failure or error (for idempotent steps: also pod evictions, node loss and
    /// artifact upload failures, which `OnFailure` does not retry).
    Always,
    /// Retry when the step exits non-zero (the default without an `expression`).
    OnFailure,
    /// Retry on Argo/Kubernetes errors (pod deleted, ...).
    OnError,
    /// Retry on transient errors only.
    OnTransientError,
}

impl RetryPolicy {
    /// Every policy, in Argo's order.
    pub const ALL: [RetryPolicy; 4] = [
        RetryPolicy::Always,
        RetryPolicy::OnFailure,
        RetryPolicy::OnError,
        RetryPolicy::OnTransientError,
    ];

    /// The name Argo uses.
    pub fn as_str(self) -> &'static str {
        match self {
            RetryPolicy::Always => "Always",
            RetryPolicy::OnFailure => "OnFailure",
            RetryPolicy::OnError => "OnError",
            RetryPolicy::OnTransientError => "OnTransientError",
        }
    }
}

impl fmt::Display for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `retryPolicy` Argo does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown retryPolicy `{0}` (use Always, OnFailure, OnError or OnTransientError)")]
pub struct UnknownRetryPolicy(pub String);

impl FromStr for RetryPolicy {
    type Err = UnknownRetryPolicy;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RetryPolicy::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownRetryPolicy(s.to_owned()))
    }
}
