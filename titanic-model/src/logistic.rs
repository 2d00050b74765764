//! L2-regularised logistic regression in plain Rust: the baseline the MLP ensemble is compared
//! with, on the same features. Fitted by Newton's method (IRLS), deterministic, no seeds.

use crate::error::ModelError;
use serde::{Deserialize, Serialize};

/// A fitted logistic regression: `p = sigmoid(bias + weights . x)`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Logistic {
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// Intercept (not regularised).
    pub bias: f64,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Solves `a x = b` (a symmetric positive definite, `n x n` row-major) by Gaussian elimination
/// with partial pivoting; `None` if singular.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for c in 0..n {
        let piv = (c..n).max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs()))?;
        if a[piv * n + c].abs() < 1e-12 {
            return None;
        }
        if piv != c {
            for k in 0..n {
                a.swap(c * n + k, piv * n + k);
            }
            b.swap(c, piv);
        }
        for r in c + 1..n {
            let f = a[r * n + c] / a[c * n + c];
            for k in c..n {
                a[r * n + k] -= f * a[c * n + k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[r * n + k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r * n + r];
    }
    Some(x)
}

impl Logistic {
    /// Fits on rows `idx` of `x` (labels `y`, 0/1) with L2 penalty `l2` on the weights, by at
    /// most 50 Newton steps.
    pub fn fit(x: &[Vec<f32>], y: &[u8], idx: &[usize], l2: f64) -> Result<Self, ModelError> {
        let width = x.first().map_or(0, Vec::len);
        if idx.is_empty() || width == 0 || x.len() != y.len() {
            return Err(ModelError::InvalidData(
                "logistic regression needs rows, features and one label per row".into(),
            ));
        }
        if let Some(&i) = idx.iter().find(|&&i| i >= x.len() || x[i].len() != width) {
            return Err(ModelError::InvalidData(format!(
                "row {i} is out of range or has the wrong width"
            )));
        }
        let n = width + 1; // the last coordinate is the bias
        let mut w = vec![0.0; n];
        for _ in 0..50 {
            let mut grad = vec![0.0; n];
            let mut hess = vec![0.0; n * n];
            for &i in idx {
                let xi: Vec<f64> = x[i].iter().map(|&v| f64::from(v)).chain([1.0]).collect();
                let p = sigmoid(xi.iter().zip(&w).map(|(a, b)| a * b).sum());
                let r = p - f64::from(y[i]);
                let s = p * (1.0 - p);
                for a in 0..n {
                    grad[a] += r * xi[a];
                    for b in 0..=a {
                        hess[a * n + b] += s * xi[a] * xi[b];
                    }
                }
            }
            for a in 0..n {
                for b in 0..a {
                    hess[b * n + a] = hess[a * n + b];
                }
                if a < width {
                    grad[a] += l2 * w[a];
                    hess[a * n + a] += l2;
                }
                hess[a * n + a] += 1e-9;
            }
            let step = solve(hess, grad).ok_or_else(|| {
                ModelError::InvalidData("logistic regression: singular Hessian".into())
            })?;
            let size: f64 = step.iter().map(|s| s * s).sum::<f64>().sqrt();
            w.iter_mut().zip(&step).for_each(|(wi, si)| *wi -= si);
            if size < 1e-10 {
                break;
            }
        }
        let bias = w.pop().unwrap_or(0.0);
        Ok(Self { weights: w, bias })
    }

    /// Survival probability of one feature vector (errors on a wrong width).
    pub fn predict_proba(&self, x: &[f32]) -> Result<f64, ModelError> {
        if x.len() != self.weights.len() {
            return Err(ModelError::InvalidData(format!(
                "logistic regression takes {} features, got {}",
                self.weights.len(),
                x.len()
            )));
        }
        let z: f64 = self
            .weights
            .iter()
            .zip(x)
            .map(|(w, &v)| w * f64::from(v))
            .sum();
        Ok(sigmoid(self.bias + z))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separating_direction_and_is_deterministic() {
        // y = 1 when x0 > 0, with x1 noise; a little overlap keeps the optimum finite.
        let x: Vec<Vec<f32>> = (0..200)
            .map(|i| {
                let a = (i as f32 - 100.0) / 50.0;
                vec![a, ((i * 37) % 11) as f32 / 11.0 - 0.5]
            })
            .collect();
        let y: Vec<u8> = (0..200).map(|i| u8::from(i > 100 || i % 17 == 0)).collect();
        let idx: Vec<usize> = (0..200).collect();
        let m = Logistic::fit(&x, &y, &idx, 1.0).unwrap();
        assert!(m.weights[0] > 1.0 && m.weights[1].abs() < m.weights[0] / 4.0);
        assert!(m.predict_proba(&[1.5, 0.0]).unwrap() > 0.9);
        assert!(m.predict_proba(&[-1.5, 0.0]).unwrap() < 0.2);
        assert_eq!(m, Logistic::fit(&x, &y, &idx, 1.0).unwrap());
        let strong = Logistic::fit(&x, &y, &idx, 1000.0).unwrap();
        assert!(strong.weights[0] < m.weights[0], "L2 shrinks");
        assert!(m.predict_proba(&[1.0]).is_err());
        assert!(Logistic::fit(&x, &y, &[], 1.0).is_err());
        assert!(Logistic::fit(&x, &y, &[999], 1.0).is_err());
    }
}
