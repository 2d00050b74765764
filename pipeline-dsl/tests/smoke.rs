use pipeline_dsl::prelude::*;

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct Row {
    pub x: f64,
    pub y: u8,
}

#[derive(Outputs)]
pub struct Rows {
    /// The rows.
    pub rows: Dataset<Row>,
}

/// Makes rows.
///
/// # Parameters
/// - `n`: how many rows.
#[component(retries = 2, backoff = "5s", cpu = "500m", memory = "256Mi")]
pub fn make(n: u32) -> Result<Rows> {
    Ok(Rows {
        rows: (0..n)
            .map(|i| Row {
                x: i as f64,
                y: (i % 2) as u8,
            })
            .collect::<Vec<_>>()
            .into(),
    })
}

#[derive(Outputs)]
pub struct Scored {
    /// Model.
    pub model: Json<Vec<f64>>,
    /// Score.
    pub score: Param<f64>,
}

/// Fits on one fold.
#[component]
pub fn fit(rows: Input<Dataset<Row>>, fold: u32) -> Result<Scored> {
    Ok(Scored {
        model: Json(vec![fold as f64, rows.len() as f64]),
        score: Param(0.9),
    })
}

#[derive(Outputs)]
pub struct Merged {
    /// Merged.
    pub merged: Json<Vec<f64>>,
    /// Mean score.
    pub accuracy: Param<f64>,
}

/// Merges folds.
#[component]
pub fn merge(models: Input<Collection<Json<Vec<f64>>>>) -> Result<Merged> {
    Ok(Merged {
        merged: Json(models.iter().map(|m| m[0]).collect()),
        accuracy: Param(0.85),
    })
}

/// Publishes.
#[component]
pub fn publish(model: Input<Json<Vec<f64>>>, target: String) -> Result<()> {
    let _ = (model, target);
    Ok(())
}

/// Reports the status.
#[component]
pub fn report(status: String, name: String) -> Result<()> {
    eprintln!("{name}: {status}");
    Ok(())
}

#[test]
fn compiles() {
    let p = Pipeline::new("smoke").image("smoke:1").command(&["smoke"]);
    let n = p.param("n", 10u32);
    let threshold = p.param("threshold", 0.8f64);
    let made = p.add(Make { n });
    let folds = p.fan_out(0..3u32, |fold| Fit {
        rows: made.rows,
        fold,
    });
    let merged = p.add(Merge {
        models: folds.gather(|o| o.model),
    });
    p.add(Publish {
        model: merged.merged,
        target: "s3://x".into(),
    })
    .when(merged.accuracy.ge(threshold));
    p.on_exit(Report {
        status: p.workflow_status(),
        name: p.workflow_name(),
    });
    let yaml = p.compile().unwrap().to_yaml().unwrap();
    println!("{yaml}");
}
