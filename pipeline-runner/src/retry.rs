//! The retry loop around a step's attempts: a template's `retryStrategy` resolved into a
//! [`RetryPlan`] (policy, limit, backoff, expression) and [`with_retries`].

use std::time::{Duration, Instant};

use super::duration;
use super::exec::AttemptError;
use super::interrupt;
use crate::argo::lang::retry::RetryPolicy;
use crate::argo::{expr, expr::Expr, RetryStrategy};

/// Retry settings of a template, resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RetryPlan {
    /// Retries after the first attempt.
    pub limit: u32,
    /// Retry step failures (non-zero exit, timeout).
    pub on_failure: bool,
    /// Retry runner errors.
    pub on_error: bool,
    /// Base backoff.
    pub backoff: Duration,
    /// Backoff multiplier.
    pub factor: u32,
    /// Upper bound of one wait.
    pub cap: Option<Duration>,
    /// No retry starts later than this after the first attempt.
    pub max_duration: Option<Duration>,
    /// `retryStrategy.expression`: a retry also needs it to be true.
    pub expression: Option<(String, Expr)>,
}

impl RetryPlan {
    /// No retries.
    pub(crate) fn none() -> Self {
        RetryPlan {
            limit: 0,
            on_failure: false,
            on_error: false,
            backoff: Duration::ZERO,
            factor: 1,
            cap: None,
            max_duration: None,
            expression: None,
        }
    }

    /// From a template's `retryStrategy` whose `{{...}}` are already substituted.
    pub(crate) fn from_strategy(rs: Option<&RetryStrategy>) -> Result<Self, String> {
        let Some(rs) = rs else {
            return Ok(Self::none());
        };
        let int = |field: &str, v: &Option<String>| -> Result<Option<u32>, String> {
            v.as_ref()
                .map(|t| {
                    t.trim()
                        .parse::<u32>()
                        .map_err(|_| format!("retryStrategy.{field} `{t}` is not a count"))
                })
                .transpose()
        };
        let dur = |field: &str, v: &Option<String>| -> Result<Option<Duration>, String> {
            v.as_ref()
                .map(|t| duration::parse(t).map_err(|e| format!("retryStrategy.{field}: {e}")))
                .transpose()
        };
        // Argo: an empty retryStrategy retries forever; bound it instead of hanging.
        let limit = int("limit", &rs.limit)?.unwrap_or(u32::MAX).min(1000);
        let expression = rs
            .expression
            .as_ref()
            .filter(|e| !e.trim().is_empty())
            .map(|e| {
                expr::parse(e)
                    .map(|parsed| (e.clone(), parsed))
                    .map_err(|err| format!("retryStrategy.expression `{e}`: {err}"))
            })
            .transpose()?;
        // `RetryPolicyActual` (workflow_types.go): no policy means Always when an expression
        // decides, OnFailure otherwise.
        let policy = rs.retry_policy.as_deref().filter(|p| !p.is_empty());
        let policy = policy.map(str::parse::<RetryPolicy>).transpose();
        let policy = policy.map_err(|e| e.to_string())?;
        let (on_failure, on_error) = match policy {
            None if expression.is_some() => (true, true),
            None | Some(RetryPolicy::OnFailure) => (true, false),
            Some(RetryPolicy::Always) => (true, true),
            Some(RetryPolicy::OnError | RetryPolicy::OnTransientError) => (false, true),
        };
        let backoff = rs.backoff.clone().unwrap_or_default();
        Ok(RetryPlan {
            limit,
            on_failure,
            on_error,
            backoff: dur("backoff.duration", &backoff.duration)?.unwrap_or_default(),
            factor: int("backoff.factor", &backoff.factor)?.unwrap_or(1).max(1),
            cap: dur("backoff.cap", &backoff.cap)?,
            max_duration: dur("backoff.maxDuration", &backoff.max_duration)?,
            expression,
        })
    }

    /// The wait before retry `n` (1-based), or `None` when no retry may start anymore.
    fn wait_before(&self, n: u32, elapsed: Duration) -> Option<Duration> {
        let factor = f64::from(self.factor).powi(n.saturating_sub(1).min(60) as i32);
        let mut wait = Duration::from_secs_f64((self.backoff.as_secs_f64() * factor).min(1e9));
        if let Some(cap) = self.cap {
            wait = wait.min(cap);
        }
        match self.max_duration {
            Some(max) if elapsed >= max => None,
            Some(max) => Some(wait.min(max - elapsed)),
            None => Some(wait),
        }
    }

    /// Whether `retryStrategy.expression` lets attempt `n`'s failure `e` (which took `took`) be
    /// retried, with the variables Argo gives it (`buildRetryStrategyLocalScope` in
    /// `workflow/controller/operator.go`: all strings; exit code `-1` when there is none).
    fn expression_allows(&self, n: u32, e: &AttemptError, took: Duration) -> Result<bool, String> {
        let Some((text, parsed)) = &self.expression else {
            return Ok(true);
        };
        let vars = [
            ("retries", (n - 1).to_string()),
            (
                "lastRetry.exitCode",
                e.exit_code.map_or("-1".into(), |c| c.to_string()),
            ),
            (
                "lastRetry.status",
                if e.errored { "Error" } else { "Failed" }.into(),
            ),
            ("lastRetry.duration", took.as_secs_f64().to_string()),
            ("lastRetry.message", e.message.clone()),
        ];
        let lookup = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        };
        match expr::evaluate(parsed, &lookup) {
            Ok(expr::Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!(
                "retryStrategy.expression `{text}` is {other:?}, not a bool"
            )),
            Err(err) => Err(format!("retryStrategy.expression `{text}`: {err}")),
        }
    }
}

/// Runs `attempt(1)`, `attempt(2)`, ... until one succeeds or the plan stops retrying. Returns
/// the last result and the number of attempts. The order of checks is Argo's
/// (`processNodeRetries`, `workflow/controller/operator.go`): policy, limit, then expression.
/// `wait(d)` spends each backoff (the scheduler frees the step's parallelism slot meanwhile).
pub(crate) fn with_retries<T>(
    plan: &RetryPlan,
    mut wait: impl FnMut(Duration),
    mut attempt: impl FnMut(u32) -> Result<T, AttemptError>,
) -> (Result<T, AttemptError>, u32) {
    let started = Instant::now();
    let mut n = 1;
    loop {
        let attempt_started = Instant::now();
        let mut result = attempt(n);
        let took = attempt_started.elapsed();
        let retry = match &mut result {
            Ok(_) => false,
            Err(_) if interrupt::received().is_some() => false,
            Err(e) => {
                n <= plan.limit
                    && (if e.errored {
                        plan.on_error
                    } else {
                        plan.on_failure
                    })
                    && match plan.expression_allows(n, e, took) {
                        Ok(true) => true,
                        Ok(false) => {
                            e.message
                                .push_str(" (not retried: retryStrategy.expression is false)");
                            false
                        }
                        Err(why) => {
                            e.message.push_str(&format!(" (not retried: {why})"));
                            false
                        }
                    }
            }
        };
        let backoff = retry
            .then(|| plan.wait_before(n, started.elapsed()))
            .flatten();
        match backoff {
            Some(d) => wait(d),
            None => return (result, n),
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::argo::Backoff;

    #[test]
    fn plans_retries_and_backoff() {
        let rs = RetryStrategy {
            limit: Some("3".into()),
            retry_policy: Some("Always".into()),
            backoff: Some(Backoff {
                duration: Some("100ms".into()),
                factor: Some("2".into()),
                cap: Some("300ms".into()),
                max_duration: Some("1m".into()),
            }),
            ..Default::default()
        };
        let plan = RetryPlan::from_strategy(Some(&rs)).unwrap();
        let ms = |n| plan.wait_before(n, Duration::ZERO).unwrap().as_millis();
        assert_eq!((ms(1), ms(2), ms(3)), (100, 200, 300));
        assert_eq!(plan.wait_before(1, Duration::from_secs(61)), None);
        let mut calls = 0;
        let quick = RetryPlan {
            backoff: Duration::ZERO,
            ..plan
        };
        let (result, attempts) = with_retries(&quick, std::thread::sleep, |n| {
            calls += 1;
            if n < 3 {
                Err(AttemptError::error("no"))
            } else {
                Ok(n)
            }
        });
        assert_eq!((result, attempts, calls), (Ok(3), 3, 3));
        let on_error_only = RetryPlan {
            on_failure: false,
            ..quick
        };
        let (_, attempts) =
            with_retries(&on_error_only, std::thread::sleep, |_| -> Result<(), _> {
                Err(AttemptError {
                    errored: false,
                    message: "exit status 1".into(),
                    last_line: None,
                    exit_code: Some(1),
                })
            });
        assert_eq!(attempts, 1, "OnError does not retry a failure");
        let bad = RetryStrategy {
            retry_policy: Some("Sometimes".into()),
            ..Default::default()
        };
        assert!(RetryPlan::from_strategy(Some(&bad)).is_err());
    }

    fn failed(code: i32) -> AttemptError {
        AttemptError {
            errored: false,
            message: format!("exit status {code}"),
            last_line: None,
            exit_code: Some(code),
        }
    }

    #[test]
    fn expression_stops_retries_of_exit_code_2() {
        let rs = RetryStrategy {
            limit: Some("3".into()),
            retry_policy: Some("Always".into()),
            expression: Some("lastRetry.exitCode != '2'".into()),
            ..Default::default()
        };
        let plan = RetryPlan::from_strategy(Some(&rs)).unwrap();
        let (result, attempts) = with_retries(&plan, std::thread::sleep, |_| -> Result<(), _> {
            Err(failed(2))
        });
        assert_eq!(attempts, 1, "exit code 2 is not retried");
        assert!(result.unwrap_err().message.contains("expression is false"));
        let (_, attempts) = with_retries(&plan, std::thread::sleep, |_| -> Result<(), _> {
            Err(failed(1))
        });
        assert_eq!(attempts, 4, "exit code 1 is retried up to the limit");
        let (_, attempts) = with_retries(&plan, std::thread::sleep, |_| -> Result<(), _> {
            Err(AttemptError::error("pod deleted"))
        });
        assert_eq!(
            attempts, 4,
            "an Error (exit code -1) is retried under Always"
        );
        let (_, attempts) = with_retries(&plan, std::thread::sleep, |n| -> Result<(), _> {
            Err(failed(if n < 3 { 1 } else { 2 }))
        });
        assert_eq!(
            attempts, 3,
            "the expression sees the last attempt's exit code"
        );
        // No policy with an expression: Always (RetryPolicyActual).
        let implicit = RetryStrategy {
            retry_policy: None,
            ..rs.clone()
        };
        let plan = RetryPlan::from_strategy(Some(&implicit)).unwrap();
        assert!(plan.on_error && plan.on_failure);
        let broken = RetryStrategy {
            expression: Some("asInt(lastRetry.message) > 1".into()),
            ..rs
        };
        let plan = RetryPlan::from_strategy(Some(&broken)).unwrap();
        let (result, attempts) = with_retries(&plan, std::thread::sleep, |_| -> Result<(), _> {
            Err(failed(1))
        });
        assert_eq!(attempts, 1, "an expression that errors stops retrying");
        assert!(result.unwrap_err().message.contains("Atoi"));
    }
}
