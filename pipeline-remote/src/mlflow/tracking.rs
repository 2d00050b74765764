//! Experiments, runs, batched logging and artifacts through the server's proxy.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::Body;
use super::{
    Experiment, Metric, MlflowClient, MlflowError, Param, Run, RunInfo, RunStatus, RunTag,
};

/// MLflow's limits for one `runs/log-batch` call.
pub const MAX_METRICS_PER_BATCH: usize = 1000;
/// See [`MAX_METRICS_PER_BATCH`].
pub const MAX_PARAMS_PER_BATCH: usize = 100;
/// See [`MAX_METRICS_PER_BATCH`].
pub const MAX_TAGS_PER_BATCH: usize = 100;
/// See [`MAX_METRICS_PER_BATCH`].
pub const MAX_ENTITIES_PER_BATCH: usize = 1000;
/// The longest parameter value MLflow stores.
pub const MAX_PARAM_VALUE_CHARS: usize = 6000;

/// Milliseconds since the Unix epoch, as MLflow timestamps are.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl MlflowClient {
    /// The experiment named `name`, or `None`.
    pub fn get_experiment_by_name(&self, name: &str) -> Result<Option<Experiment>, MlflowError> {
        #[derive(Deserialize)]
        struct Answer {
            experiment: Experiment,
        }
        let found = self.api::<Answer>(
            Method::GET,
            "experiments/get-by-name",
            &[("experiment_name", name)],
            None,
        );
        match found {
            Ok(a) => Ok(Some(a.experiment)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The experiment named `name`, created when missing. Two clients that create it at once both
    /// get the one that won.
    pub fn get_or_create_experiment(&self, name: &str) -> Result<Experiment, MlflowError> {
        if let Some(found) = self.get_experiment_by_name(name)? {
            return Ok(found);
        }
        #[derive(Deserialize)]
        struct Created {
            #[allow(dead_code)]
            experiment_id: String,
        }
        let created = self.api::<Created>(
            Method::POST,
            "experiments/create",
            &[],
            Some(json!({ "name": name })),
        );
        match created {
            Ok(_) => {}
            Err(e) if e.is_already_exists() => {}
            Err(e) => return Err(e),
        }
        self.get_experiment_by_name(name)?
            .ok_or_else(|| MlflowError::Decode {
                call: "GET experiments/get-by-name".into(),
                message: format!("experiment `{name}` was created but cannot be read back"),
            })
    }

    /// Starts a run named `name` in `experiment` with `tags` (add
    /// `RunTag::new("mlflow.parentRunId", parent)` for a child run).
    pub fn create_run(
        &self,
        experiment: &Experiment,
        name: &str,
        tags: &[RunTag],
    ) -> Result<RunInfo, MlflowError> {
        let answer: RunAnswer = self.api(
            Method::POST,
            "runs/create",
            &[],
            Some(json!({
                "experiment_id": experiment.experiment_id,
                "run_name": name,
                "start_time": now_ms(),
                "tags": tags,
            })),
        )?;
        Ok(answer.run.info)
    }

    /// The run `run_id` with its latest metrics, params and tags.
    pub fn get_run(&self, run_id: &str) -> Result<Run, MlflowError> {
        let answer: RunAnswer = self.api(Method::GET, "runs/get", &[("run_id", run_id)], None)?;
        Ok(answer.run)
    }

    /// Runs of `experiment_ids` matching MLflow's `filter` syntax (e.g.
    /// `tags.mlflow.parentRunId = '<id>'`), every page.
    pub fn search_runs(
        &self,
        experiment_ids: &[&str],
        filter: &str,
    ) -> Result<Vec<Run>, MlflowError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            runs: Vec<Run>,
            #[serde(default)]
            next_page_token: Option<String>,
        }
        let mut runs = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page: Page = self.api(
                Method::POST,
                "runs/search",
                &[],
                Some(json!({
                    "experiment_ids": experiment_ids,
                    "filter": filter,
                    "max_results": 1000,
                    "page_token": token,
                })),
            )?;
            runs.extend(page.runs);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => return Ok(runs),
            }
        }
    }

    /// Every value logged for metric `key` of run `run_id`, in the server's order.
    pub fn metric_history(&self, run_id: &str, key: &str) -> Result<Vec<Metric>, MlflowError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            metrics: Vec<Metric>,
            #[serde(default)]
            next_page_token: Option<String>,
        }
        let mut metrics = Vec::new();
        let mut token = String::new();
        loop {
            let mut query = vec![("run_id", run_id), ("metric_key", key)];
            if !token.is_empty() {
                query.push(("page_token", token.as_str()));
            }
            let page: Page = self.api(Method::GET, "metrics/get-history", &query, None)?;
            metrics.extend(page.metrics);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) => token = t,
                None => return Ok(metrics),
            }
        }
    }

    /// Logs metrics, params and tags, split into as many `runs/log-batch` calls as MLflow's
    /// limits need. A parameter value over 6,000 characters is refused before anything is sent.
    pub fn log_batch(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[Param],
        tags: &[RunTag],
    ) -> Result<(), MlflowError> {
        if let Some(p) = params
            .iter()
            .find(|p| p.value.chars().count() > MAX_PARAM_VALUE_CHARS)
        {
            return Err(MlflowError::Config(format!(
                "parameter `{}` has {} characters; MLflow stores at most {MAX_PARAM_VALUE_CHARS}",
                p.key,
                p.value.chars().count()
            )));
        }
        for batch in batches(metrics, params, tags) {
            let _: serde_json::Value = self.api(
                Method::POST,
                "runs/log-batch",
                &[],
                Some(json!({
                    "run_id": run_id,
                    "metrics": batch.0,
                    "params": batch.1,
                    "tags": batch.2,
                })),
            )?;
        }
        Ok(())
    }

    /// Ends run `run_id` with `status` at the current time.
    pub fn end_run(&self, run_id: &str, status: RunStatus) -> Result<(), MlflowError> {
        let _: serde_json::Value = self.api(
            Method::POST,
            "runs/update",
            &[],
            Some(json!({ "run_id": run_id, "status": status, "end_time": now_ms() })),
        )?;
        Ok(())
    }

    /// Uploads `bytes` as the artifact `path` (e.g. `plots/roc.png`) of `run`, through the
    /// server's artifact proxy (`mlflow server --serve-artifacts`, the default since MLflow 2).
    pub fn log_artifact(&self, run: &RunInfo, path: &str, bytes: &[u8]) -> Result<(), MlflowError> {
        let location = join(&run.artifact_uri, path);
        let proxied = proxy_path(&location)?;
        self.send(Method::PUT, &proxied, &[], Body::Bytes(bytes))?;
        Ok(())
    }

    /// Downloads the artifact at `location` (an `mlflow-artifacts:` URI).
    pub fn download_artifact(&self, location: &str) -> Result<Vec<u8>, MlflowError> {
        self.send(Method::GET, &proxy_path(location)?, &[], Body::None)
    }
}

#[derive(Deserialize)]
struct RunAnswer {
    run: Run,
}

/// `base/path` without doubled slashes.
pub(super) fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// `mlflow-artifacts:/1/<run>/artifacts/x` (or `mlflow-artifacts://host:port/1/...`) to the
/// proxy's `api/2.0/mlflow-artifacts/artifacts/1/<run>/artifacts/x`, each segment
/// percent-encoded.
fn proxy_path(location: &str) -> Result<String, MlflowError> {
    let rest = location
        .strip_prefix("mlflow-artifacts:")
        .ok_or_else(|| MlflowError::BadUri {
            uri: location.to_owned(),
            message: "artifacts are not served by the tracking server (start it with \
                      --serve-artifacts, the default since MLflow 2); this client only \
                      uploads through the mlflow-artifacts proxy"
                .into(),
        })?;
    // `//host:port/path` names the server itself; the path is what follows the authority.
    let path = match rest.strip_prefix("//") {
        Some(with_host) => with_host.split_once('/').map_or("", |(_, p)| p),
        None => rest.trim_start_matches('/'),
    };
    if path.split('/').any(|s| s == ".." || s == ".") {
        return Err(MlflowError::BadUri {
            uri: location.to_owned(),
            message: "`.` and `..` are not allowed in artifact paths".into(),
        });
    }
    let encoded: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_encode)
        .collect();
    Ok(format!(
        "api/2.0/mlflow-artifacts/artifacts/{}",
        encoded.join("/")
    ))
}

fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Splits into batches within MLflow's per-call limits, keeping each kind's order.
fn batches<'a>(
    metrics: &'a [Metric],
    params: &'a [Param],
    tags: &'a [RunTag],
) -> Vec<(&'a [Metric], &'a [Param], &'a [RunTag])> {
    let (mut m, mut p, mut t) = (metrics, params, tags);
    let mut out = Vec::new();
    while !(m.is_empty() && p.is_empty() && t.is_empty()) {
        let np = p.len().min(MAX_PARAMS_PER_BATCH);
        let nt = t.len().min(MAX_TAGS_PER_BATCH);
        let nm = m
            .len()
            .min(MAX_METRICS_PER_BATCH)
            .min(MAX_ENTITIES_PER_BATCH - np - nt);
        out.push((&m[..nm], &p[..np], &t[..nt]));
        (m, p, t) = (&m[nm..], &p[np..], &t[nt..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_every_limit_and_keep_everything_in_order() {
        let metrics: Vec<Metric> = (0..2_345)
            .map(|i| Metric {
                key: "loss".into(),
                value: i as f64,
                timestamp: 0,
                step: i,
            })
            .collect();
        let params: Vec<Param> = (0..250).map(|i| Param::new(format!("p{i}"), "v")).collect();
        let tags: Vec<RunTag> = (0..130)
            .map(|i| RunTag::new(format!("t{i}"), "v"))
            .collect();
        let out = batches(&metrics, &params, &tags);
        for (m, p, t) in &out {
            assert!(m.len() <= 1000 && p.len() <= 100 && t.len() <= 100);
            assert!(m.len() + p.len() + t.len() <= 1000);
        }
        let steps: Vec<i64> = out
            .iter()
            .flat_map(|b| b.0.iter().map(|m| m.step))
            .collect();
        assert_eq!(steps, (0..2_345).collect::<Vec<_>>());
        assert_eq!(out.iter().map(|b| b.1.len()).sum::<usize>(), 250);
        assert_eq!(out.iter().map(|b| b.2.len()).sum::<usize>(), 130);
        assert!(batches(&[], &[], &[]).is_empty());
    }

    #[test]
    fn artifact_uris_map_to_the_proxy() {
        assert_eq!(
            proxy_path("mlflow-artifacts:/1/abc/artifacts/plots/roc curve.png").unwrap(),
            "api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/plots/roc%20curve.png"
        );
        assert_eq!(
            proxy_path("mlflow-artifacts://mlflow:5000/1/abc/artifacts/m.json").unwrap(),
            "api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/m.json"
        );
        let e = proxy_path("s3://bucket/1/abc/artifacts").unwrap_err();
        assert!(e.to_string().contains("--serve-artifacts"), "{e}");
        assert!(proxy_path("mlflow-artifacts:/1/../etc").is_err());
    }
}
