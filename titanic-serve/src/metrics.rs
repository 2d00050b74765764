//! Prometheus metrics (the `prometheus` crate): requests by route and status, latency, model
//! version, reloads, beacon lines.

use prometheus::{
    exponential_buckets, Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The server's metrics, registered in their own registry.
pub struct Metrics {
    registry: Registry,
    /// Requests by route (a pattern, never the raw path) and status code.
    pub requests: IntCounterVec,
    /// Request latency in seconds by route.
    pub latency: HistogramVec,
    /// 1 for the model version being served.
    pub model: IntGaugeVec,
    /// Reload attempts by result (`ok`, `error`).
    pub reloads: IntCounterVec,
    /// Passengers scored.
    pub predictions: IntCounter,
    /// Connections open.
    pub connections: IntGauge,
    /// Connections closed because a request header or the next request did not come in time.
    pub timeouts: IntCounter,
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "titanic_http_requests_total",
                "HTTP requests by route and status",
            ),
            &["route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "titanic_http_request_duration_seconds",
                "Time from request to response, by route",
            )
            .buckets(exponential_buckets(0.000_05, 2.0, 16)?),
            &["route"],
        )?;
        let model = IntGaugeVec::new(
            Opts::new(
                "titanic_model_info",
                "The model version being served (value 1)",
            ),
            &["model", "version"],
        )?;
        let reloads = IntCounterVec::new(
            Opts::new(
                "titanic_model_reloads_total",
                "Model reload attempts by result",
            ),
            &["result"],
        )?;
        let predictions = IntCounter::new(
            "titanic_predictions_total",
            "Passengers scored (all routes)",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(model.clone()))?;
        registry.register(Box::new(reloads.clone()))?;
        let connections = IntGauge::new("titanic_http_connections", "HTTP connections open")?;
        let timeouts = IntCounter::new(
            "titanic_http_connection_timeouts_total",
            "Connections closed because a request header or the next request did not come in time",
        )?;
        registry.register(Box::new(predictions.clone()))?;
        registry.register(Box::new(connections.clone()))?;
        registry.register(Box::new(timeouts.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            model,
            reloads,
            predictions,
            connections,
            timeouts,
        })
    }

    /// Records one finished request.
    pub fn observe(&self, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[route, &status.to_string()])
            .inc();
        self.latency.with_label_values(&[route]).observe(seconds);
    }

    /// Marks `version` as the one served (and no other).
    pub fn serving(&self, name: &str, version: &str) {
        self.model.reset();
        self.model.with_label_values(&[name, version]).set(1);
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metrics.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }
}
