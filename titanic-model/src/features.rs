//! Turns a [`Passenger`] into a standardized numeric feature vector.
//!
//! Everything learned (imputation values, category levels, the family/group survival table,
//! mean/std) comes from the rows given to [`Featurizer::fit`] and is stored in the (serde)
//! featurizer, so the model bundle serves with exactly the training transform.
//!
//! Every engineered feature is computable from the demo's request body (Name, Pclass, Sex, Age,
//! SibSp, Parch, Fare, Embarked); Ticket only adds a group key when it is present, and Cabin is
//! not used (see [`required_fields`](Featurizer::required_fields)). The group signal of a row the
//! featurizer was fitted on is computed leave-one-out ([`Featurizer::fit_transform_with`]).
//!
//! Missing values are imputed as in training: `Age` by the median of the passenger's title,
//! `Fare` by the mean, a missing or blank `Embarked` by the most common port. A category the
//! training rows never showed (a port absent from them, an unknown `Sex`) gets the neutral
//! encoding: each of its one-hot columns at its training mean (0 once standardized), so it pulls
//! the prediction towards no level, least of all a rare one.

use crate::group::GroupTable;
use crate::passenger::{port_of, Passenger};
use crate::prepared::Prepared;
use crate::title::{title, TITLES};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which features to build.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeatureSet {
    /// The demo's baseline: Pclass, Age, SibSp, Parch, Fare, one-hot Sex and Embarked.
    Baseline,
    /// Baseline plus engineered features (title, fare per person, the family/group
    /// survival signal, ...).
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

/// A fitted feature transform (see the module docs).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Featurizer {
    set: FeatureSet,
    embarked_levels: Vec<String>,
    embarked_mode: String,
    age_mean: f64,
    fare_mean: f64,
    title_age_median: BTreeMap<String, f64>,
    groups: GroupTable,
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
        Self::fit_transform_with(rows, set).map(|(f, _)| f)
    }

    /// Fits the given feature set on training rows and returns their standardized features,
    /// each row's group signal computed without its own label (leave-one-out), as the
    /// standardization was.
    pub fn fit_transform_with(
        rows: &[Passenger],
        set: FeatureSet,
    ) -> Result<(Self, Vec<Vec<f32>>), FeatureError> {
        if rows.is_empty() {
            return Err(FeatureError::Empty);
        }
        let age_mean = mean(rows.iter().filter_map(|p| finite(p.age))).unwrap_or(0.0);
        let fare_mean = mean(rows.iter().filter_map(|p| finite(p.fare))).unwrap_or(0.0);
        let mut port_counts: BTreeMap<&str, usize> = BTreeMap::new();
        for port in rows
            .iter()
            .filter_map(|p| p.embarked.as_deref().and_then(port_of))
        {
            if !port.is_empty() {
                *port_counts.entry(port).or_default() += 1;
            }
        }
        // Most common port; on a tie the first in alphabetical order.
        let embarked_mode = port_counts
            .iter()
            .rev()
            .max_by_key(|(_, n)| **n)
            .map_or(String::new(), |(port, _)| port.to_string());
        let embarked_levels: Vec<String> = port_counts.keys().map(|p| p.to_string()).collect();
        let mut by_title: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for p in rows {
            if let Some(a) = finite(p.age) {
                by_title.entry(title(p).to_string()).or_default().push(a);
            }
        }
        let title_age_median = by_title
            .into_iter()
            .filter_map(|(t, ages)| median(ages).map(|m| (t, m)))
            .collect();
        let groups = match set {
            FeatureSet::Baseline => GroupTable::default(),
            FeatureSet::Engineered => GroupTable::fit(rows, &embarked_mode),
        };
        let mut f = Featurizer {
            set,
            embarked_levels,
            embarked_mode,
            age_mean,
            fare_mean,
            title_age_median,
            groups,
            names: Vec::new(),
            mean: Vec::new(),
            std: Vec::new(),
        };
        let prepared: Vec<Prepared<'_>> = rows.iter().map(Prepared::new).collect();
        let mut names = Vec::new();
        f.features(&prepared[0], None, |n, _| names.push(n.to_string()));
        f.names = names;
        let raws: Vec<Vec<f64>> = prepared
            .iter()
            .zip(GroupTable::member_ids(rows))
            .map(|(q, own)| {
                let mut raw = Vec::with_capacity(f.names.len());
                f.features(q, own, |_, v| raw.push(v));
                raw
            })
            .collect();
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
        let x = raws
            .iter()
            .zip(&prepared)
            .map(|(raw, q)| f.standardize(raw, q))
            .collect();
        Ok((f, x))
    }

    /// The standardized feature vector of one passenger (never panics; missing values are
    /// imputed as in training, unseen categories get the neutral encoding: see the module docs).
    pub fn transform(&self, p: &Passenger) -> Vec<f32> {
        let mut x = Vec::with_capacity(self.names.len());
        self.transform_into(&Prepared::new(p), &mut x);
        x
    }

    /// [`transform`](Self::transform) of a passenger already [`Prepared`] (once for all the
    /// folds of a bundle), into `x` (cleared first, so one buffer serves many calls).
    pub fn transform_into(&self, q: &Prepared<'_>, x: &mut Vec<f32>) {
        x.clear();
        let mut j = 0;
        self.features(q, None, |_, v| {
            if let Some(v) = self.scale(j, v) {
                x.push(v);
            }
            j += 1;
        });
        self.neutralize(q, x);
    }

    fn standardize(&self, raw: &[f64], q: &Prepared<'_>) -> Vec<f32> {
        let mut x: Vec<f32> = (0..raw.len())
            .filter_map(|j| self.scale(j, raw[j]))
            .collect();
        self.neutralize(q, &mut x);
        x
    }

    /// Feature `j` standardized with the training mean and deviation.
    fn scale(&self, j: usize, v: f64) -> Option<f32> {
        let (m, s) = (self.mean.get(j)?, self.std.get(j)?);
        Some(((v - m) / s) as f32)
    }

    /// The neutral encoding of an unseen port or an unknown sex: their one-hot columns at 0.
    fn neutralize(&self, q: &Prepared<'_>, x: &mut [f32]) {
        let unseen_port = self.level(q.port).is_none();
        let unknown_sex = q.sex.is_none();
        if unseen_port || unknown_sex {
            for (v, name) in x.iter_mut().zip(&self.names) {
                if (unseen_port && name.starts_with("Embarked_"))
                    || (unknown_sex && name.starts_with("Sex_"))
                {
                    *v = 0.0;
                }
            }
        }
    }

    /// The port level a passenger is encoded as: the port given, or the training mode if it is
    /// missing or blank; `None` for a port the training rows never showed (or no port at all).
    pub fn port(&self, p: &Passenger) -> Option<&str> {
        self.level(p.embarked.as_deref().map_or(Some(""), port_of))
    }

    /// [`port`](Self::port) of a port already read with [`port_of`].
    fn level(&self, port: Option<&str>) -> Option<&str> {
        let port = match port? {
            "" => self.embarked_mode.as_str(),
            port => port,
        };
        self.embarked_levels
            .iter()
            .find(|l| *l == port)
            .map(String::as_str)
    }

    /// [`transform`](Self::transform) for many rows.
    pub fn transform_all(&self, rows: &[Passenger]) -> Vec<Vec<f32>> {
        rows.iter().map(|p| self.transform(p)).collect()
    }

    /// Names of the features, in vector order.
    pub fn feature_names(&self) -> &[String] {
        &self.names
    }

    /// The request fields the features are computed from (`Ticket` only refines the group
    /// signal and is imputed as absent when missing; `Cabin` and `PassengerId` are not used).
    pub fn required_fields(&self) -> &'static [&'static str] {
        &[
            "Name", "Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked",
        ]
    }

    /// How each missing field is filled in: `(field, rule)`.
    pub fn imputed_fields(&self) -> Vec<(&'static str, String)> {
        let age = match self.set {
            FeatureSet::Baseline => format!("training mean {:.2}", self.age_mean),
            FeatureSet::Engineered => "training median of the passenger's title".into(),
        };
        let mut out = vec![
            ("Age", age),
            ("Fare", format!("training mean {:.2}", self.fare_mean)),
            (
                "Embarked",
                format!("most common training port {}", self.embarked_mode),
            ),
        ];
        if self.set == FeatureSet::Engineered {
            out.push((
                "Ticket",
                "optional: without it the group is found by surname, class, fare and port".into(),
            ));
        }
        out
    }

    /// Unstandardized features (the single place that defines the features), each passed to
    /// `sink` with its name as format arguments (only the first row formats them, so the others
    /// build no strings); a non-finite value is passed as 0. `own` is the row's member index in
    /// the group table when it is a training row.
    fn features(
        &self,
        q: &Prepared<'_>,
        own: Option<u32>,
        mut sink: impl FnMut(std::fmt::Arguments<'_>, f64),
    ) {
        let b = |x: bool| if x { 1.0 } else { 0.0 };
        let mut push = |n: std::fmt::Arguments<'_>, v: f64| {
            sink(n, if v.is_finite() { v } else { 0.0 });
        };
        let p = q.passenger;
        let t = q.title;
        let age = finite(p.age);
        let fare = finite(p.fare).unwrap_or(self.fare_mean);
        let sex = q.sex.unwrap_or("");
        push(format_args!("Pclass"), f64::from(p.pclass.clamp(1, 3)));
        let age_imputed = match self.set {
            FeatureSet::Baseline => self.age_mean,
            FeatureSet::Engineered => *self.title_age_median.get(t).unwrap_or(&self.age_mean),
        };
        push(format_args!("Age"), age.unwrap_or(age_imputed));
        push(format_args!("SibSp"), f64::from(p.sib_sp.min(20)));
        push(format_args!("Parch"), f64::from(p.parch.min(20)));
        push(format_args!("Fare"), fare);
        push(format_args!("Sex_female"), b(sex == "female"));
        push(format_args!("Sex_male"), b(sex == "male"));
        let port = self.level(q.port);
        for level in &self.embarked_levels {
            push(
                format_args!("Embarked_{level}"),
                b(Some(level.as_str()) == port),
            );
        }
        if self.set == FeatureSet::Baseline {
            return;
        }
        for c in 1..=3u8 {
            push(format_args!("Pclass_{c}"), b(p.pclass == c));
        }
        for name in TITLES {
            push(format_args!("Title_{name}"), b(t == name));
        }
        push(format_args!("AgeMissing"), b(age.is_none()));
        // FamilySize itself is not a feature: it did not help on development-split CV.
        let family = f64::from(p.sib_sp.min(20) + p.parch.min(20) + 1);
        push(format_args!("FarePerPerson"), fare / family);
        push(format_args!("LogFare"), fare.max(0.0).ln_1p());
        let g = self.groups.stat_of(q, own);
        push(format_args!("GroupSurvival"), g.rate);
        push(format_args!("GroupKnown"), g.known.min(4) as f64);
    }
}

#[cfg(test)]
mod tests;
