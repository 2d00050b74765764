//! Turns a [`Passenger`] into a standardized numeric feature vector.
//!
//! Everything learned (imputation values, category levels, ticket counts, mean/std) comes from
//! the rows given to [`Featurizer::fit`] and is stored in the (serde) featurizer, so the model
//! bundle serves with exactly the training transform.

use crate::model::title::{deck, title, TITLES};
use crate::passenger::Passenger;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which features to build.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeatureSet {
    /// The demo's baseline: Pclass, Age, SibSp, Parch, Fare, one-hot Sex and Embarked.
    Baseline,
    /// Baseline plus engineered features (title, family, ticket group, fare per person, ...).
    #[default]
    Engineered,
}

/// Errors from fitting a featurizer.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FeatureError {
    /// `fit` needs at least one row.
    #[error("cannot fit a featurizer on zero passengers")]
    Empty,
}

/// Embarked level used for a missing (or never seen) port.
pub const UNKNOWN: &str = "Unknown";

/// A fitted feature transform (see the module docs).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Featurizer {
    set: FeatureSet,
    embarked_levels: Vec<String>,
    age_mean: f64,
    fare_mean: f64,
    title_age_median: BTreeMap<String, f64>,
    ticket_counts: BTreeMap<String, u32>,
    names: Vec<String>,
    mean: Vec<f64>,
    std: Vec<f64>,
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (s, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| s / n as f64)
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    (n > 0).then(|| (xs[(n - 1) / 2] + xs[n / 2]) / 2.0)
}

impl Featurizer {
    /// Fits the engineered feature set on training rows only.
    pub fn fit(rows: &[Passenger]) -> Result<Self, FeatureError> {
        Self::fit_with(rows, FeatureSet::Engineered)
    }

    /// Fits the given feature set on training rows only.
    pub fn fit_with(rows: &[Passenger], set: FeatureSet) -> Result<Self, FeatureError> {
        if rows.is_empty() {
            return Err(FeatureError::Empty);
        }
        let age_mean = mean(rows.iter().filter_map(|p| finite(p.age))).unwrap_or(0.0);
        let fare_mean = mean(rows.iter().filter_map(|p| finite(p.fare))).unwrap_or(0.0);
        let mut embarked_levels: Vec<String> = rows
            .iter()
            .filter_map(|p| p.embarked.clone().filter(|e| !e.trim().is_empty()))
            .collect();
        embarked_levels.push(UNKNOWN.to_string());
        embarked_levels.sort();
        embarked_levels.dedup();
        let mut by_title: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        let mut ticket_counts = BTreeMap::new();
        for p in rows {
            if let Some(a) = finite(p.age) {
                by_title.entry(title(p).to_string()).or_default().push(a);
            }
            if !p.ticket.trim().is_empty() {
                *ticket_counts
                    .entry(p.ticket.trim().to_string())
                    .or_insert(0) += 1;
            }
        }
        let title_age_median = by_title
            .into_iter()
            .filter_map(|(t, ages)| median(ages).map(|m| (t, m)))
            .collect();
        let mut f = Featurizer {
            set,
            embarked_levels,
            age_mean,
            fare_mean,
            title_age_median,
            ticket_counts,
            names: Vec::new(),
            mean: Vec::new(),
            std: Vec::new(),
        };
        f.names = f.raw_named(&rows[0]).into_iter().map(|(n, _)| n).collect();
        let raws: Vec<Vec<f64>> = rows.iter().map(|p| f.raw(p)).collect();
        let n = raws.len() as f64;
        f.mean = (0..f.names.len())
            .map(|j| raws.iter().map(|r| r[j]).sum::<f64>() / n)
            .collect();
        f.std = (0..f.names.len())
            .map(|j| {
                let var = raws.iter().map(|r| (r[j] - f.mean[j]).powi(2)).sum::<f64>() / n;
                if var.sqrt() > 1e-12 {
                    var.sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        Ok(f)
    }

    /// The standardized feature vector of one passenger (never panics; missing or unseen
    /// values get the imputed / "unknown" encoding).
    pub fn transform(&self, p: &Passenger) -> Vec<f32> {
        self.raw(p)
            .iter()
            .zip(self.mean.iter().zip(&self.std))
            .map(|(x, (m, s))| ((x - m) / s) as f32)
            .collect()
    }

    /// [`transform`](Self::transform) for many rows.
    pub fn transform_all(&self, rows: &[Passenger]) -> Vec<Vec<f32>> {
        rows.iter().map(|p| self.transform(p)).collect()
    }

    /// Names of the features, in vector order.
    pub fn feature_names(&self) -> &[String] {
        &self.names
    }

    /// Which feature set this featurizer builds.
    pub fn feature_set(&self) -> FeatureSet {
        self.set
    }

    /// Number of training passengers with this ticket (1 for an unseen or empty ticket).
    pub fn ticket_group(&self, ticket: &str) -> u32 {
        self.ticket_counts
            .get(ticket.trim())
            .copied()
            .unwrap_or(1)
            .max(1)
    }

    fn raw(&self, p: &Passenger) -> Vec<f64> {
        self.raw_named(p).into_iter().map(|(_, v)| v).collect()
    }

    /// Unstandardized features with their names (the single place that defines the features).
    fn raw_named(&self, p: &Passenger) -> Vec<(String, f64)> {
        let b = |x: bool| if x { 1.0 } else { 0.0 };
        let mut out: Vec<(String, f64)> = Vec::new();
        let mut push =
            |n: &str, v: f64| out.push((n.to_string(), if v.is_finite() { v } else { 0.0 }));
        let t = title(p);
        let age = finite(p.age);
        let fare = finite(p.fare).unwrap_or(self.fare_mean);
        let sex = p.sex.trim().to_ascii_lowercase();
        push("Pclass", f64::from(p.pclass.clamp(1, 3)));
        let age_imputed = match self.set {
            FeatureSet::Baseline => self.age_mean,
            FeatureSet::Engineered => *self.title_age_median.get(t).unwrap_or(&self.age_mean),
        };
        push("Age", age.unwrap_or(age_imputed));
        push("SibSp", f64::from(p.sib_sp.min(20)));
        push("Parch", f64::from(p.parch.min(20)));
        push("Fare", fare);
        push("Sex_female", b(sex == "female"));
        push("Sex_male", b(sex == "male"));
        let emb = p.embarked.as_deref().map(str::trim).unwrap_or("");
        let emb = if self.embarked_levels.iter().any(|l| l == emb) {
            emb
        } else {
            UNKNOWN
        };
        for level in &self.embarked_levels {
            push(&format!("Embarked_{level}"), b(level == emb));
        }
        if self.set == FeatureSet::Baseline {
            return out;
        }
        for c in 1..=3u8 {
            push(&format!("Pclass_{c}"), b(p.pclass == c));
        }
        for name in TITLES {
            push(&format!("Title_{name}"), b(t == name));
        }
        push("AgeMissing", b(age.is_none()));
        let family = f64::from(p.sib_sp.min(20) + p.parch.min(20) + 1);
        push("FamilySize", family);
        let group = f64::from(self.ticket_group(&p.ticket));
        push("TicketGroup", group);
        push("FarePerPerson", fare / group);
        push("LogFare", fare.max(0.0).ln_1p());
        let d = deck(p);
        push("CabinKnown", b(d.is_some()));
        push("DeckABC", b(matches!(d, Some('A' | 'B' | 'C' | 'T'))));
        push("DeckDE", b(matches!(d, Some('D' | 'E'))));
        push("DeckFG", b(matches!(d, Some('F' | 'G'))));
        out
    }
}

#[cfg(test)]
#[path = "features_tests.rs"]
mod tests;
