//! Plain-Rust multilayer perceptron weights and forward pass (no burn needed for inference).
//!
//! Architecture: `Linear -> ReLU -> ... -> Linear(.., 1)` producing one logit; the survival
//! probability is `sigmoid(logit)`. Weight matrices are row-major `[d_in][d_out]`, the same
//! layout as burn's `Linear` (`y = x W + b`).

use crate::rng::SplitMix64;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// Errors from malformed weights or inputs of the wrong width.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MlpError {
    /// The network has no layers.
    #[error("the network has no layers")]
    NoLayers,
    /// A layer's arrays do not match its declared shape, or layers do not chain.
    #[error("layer {layer}: {message}")]
    BadShape {
        /// 0-based layer index.
        layer: usize,
        /// What does not fit.
        message: String,
    },
    /// The feature vector has the wrong length.
    #[error("expected {expected} features, got {got}")]
    InputWidth {
        /// Width the network takes.
        expected: usize,
        /// Width received.
        got: usize,
    },
}

/// One fully connected layer: `y = x W + b`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Dense {
    /// Input width.
    pub d_in: usize,
    /// Output width.
    pub d_out: usize,
    /// Row-major `[d_in][d_out]` weight matrix.
    pub weight: Vec<f32>,
    /// Bias of length `d_out`.
    pub bias: Vec<f32>,
}

/// A trained network as plain numbers.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct MlpWeights {
    /// Layers in order; ReLU between them, none after the last (which has `d_out == 1`).
    pub layers: Vec<Dense>,
}

impl Dense {
    /// `out = x W + b` for one input row.
    ///
    /// Outputs are computed eight at a time in a fixed-size accumulator that stays in registers
    /// across the inputs. Every output still starts from its bias and adds `x[i] * W[i][o]` in
    /// input order, so the result is the same number as the plain double loop.
    fn apply(&self, x: &[f32], out: &mut Vec<f32>) {
        const LANES: usize = 8;
        out.clear();
        out.extend_from_slice(&self.bias);
        let d_out = self.d_out;
        if d_out == 0 {
            return;
        }
        let rows = self.weight.chunks_exact(d_out);
        let blocked = d_out - d_out % LANES;
        for start in (0..blocked).step_by(LANES) {
            let block = &mut out[start..start + LANES];
            let mut acc = [0.0f32; LANES];
            acc.copy_from_slice(block);
            for (&xi, row) in x.iter().zip(rows.clone()) {
                for (a, w) in acc.iter_mut().zip(&row[start..start + LANES]) {
                    *a += xi * w;
                }
            }
            block.copy_from_slice(&acc);
        }
        for o in blocked..d_out {
            let mut acc = out[o];
            for (&xi, row) in x.iter().zip(rows.clone()) {
                acc += xi * row[o];
            }
            out[o] = acc;
        }
    }
}

impl MlpWeights {
    /// Fresh weights for layer widths `sizes` (input, hidden..., 1), Kaiming-uniform like
    /// burn's default (`U(-k, k)`, `k = 1/sqrt(d_in)`), drawn from `rng`.
    pub fn init(sizes: &[usize], rng: &mut SplitMix64) -> Self {
        let layers = sizes
            .windows(2)
            .map(|w| {
                let (d_in, d_out) = (w[0], w[1]);
                let k = 1.0 / (d_in.max(1) as f32).sqrt();
                Dense {
                    d_in,
                    d_out,
                    weight: (0..d_in * d_out).map(|_| rng.uniform(-k, k)).collect(),
                    bias: (0..d_out).map(|_| rng.uniform(-k, k)).collect(),
                }
            })
            .collect();
        Self { layers }
    }

    /// Checks that every array matches its shape, layers chain, and the output is one logit.
    pub fn check(&self) -> Result<(), MlpError> {
        let last = self.layers.last().ok_or(MlpError::NoLayers)?;
        for (layer, d) in self.layers.iter().enumerate() {
            let bad = |message: String| Err(MlpError::BadShape { layer, message });
            if d.weight.len() != d.d_in * d.d_out || d.bias.len() != d.d_out {
                return bad(format!(
                    "{}x{} layer has {} weights and {} biases",
                    d.d_in,
                    d.d_out,
                    d.weight.len(),
                    d.bias.len()
                ));
            }
            if layer > 0 && self.layers[layer - 1].d_out != d.d_in {
                return bad(format!(
                    "input width {} does not follow previous layer",
                    d.d_in
                ));
            }
            if !d.weight.iter().chain(&d.bias).all(|v| v.is_finite()) {
                return bad("non-finite weight".into());
            }
        }
        if last.d_out != 1 {
            return Err(MlpError::BadShape {
                layer: self.layers.len() - 1,
                message: format!("output width is {}, expected 1", last.d_out),
            });
        }
        Ok(())
    }

    /// Number of input features the network takes (0 if it has no layers).
    pub fn input_dim(&self) -> usize {
        self.layers.first().map_or(0, |d| d.d_in)
    }

    /// The raw output (logit) for one feature vector.
    pub fn logit(&self, x: &[f32]) -> Result<f32, MlpError> {
        if self.layers.is_empty() {
            return Err(MlpError::NoLayers);
        }
        if x.len() != self.input_dim() {
            return Err(MlpError::InputWidth {
                expected: self.input_dim(),
                got: x.len(),
            });
        }
        Ok(self.logit_unchecked(x))
    }

    /// Survival probability `sigmoid(logit)` for one feature vector.
    pub fn predict_proba(&self, x: &[f32]) -> Result<f64, MlpError> {
        self.logit(x).map(|z| sigmoid(f64::from(z)))
    }

    /// Forward pass without width checks (caller guarantees `x.len() == input_dim()`).
    ///
    /// Evaluation and early stopping call this for every row many times over, so the layer
    /// outputs go to two per-thread buffers instead of fresh vectors.
    pub fn logit_unchecked(&self, x: &[f32]) -> f32 {
        thread_local! {
            static SCRATCH: RefCell<(Vec<f32>, Vec<f32>)> =
                const { RefCell::new((Vec::new(), Vec::new())) };
        }
        if self.layers.is_empty() {
            return x.first().copied().unwrap_or(0.0);
        }
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let (a, b) = &mut *scratch;
            let n = self.layers.len();
            for (i, d) in self.layers.iter().enumerate() {
                d.apply(if i == 0 { x } else { a }, b);
                if i + 1 < n {
                    b.iter_mut().for_each(|v| *v = v.max(0.0));
                }
                std::mem::swap(a, b);
            }
            a.first().copied().unwrap_or(0.0)
        })
    }
}

/// The logistic function, numerically safe for large `|z|`.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Binary cross-entropy of a logit against a 0/1 label, computed stably.
pub fn bce_with_logits(z: f64, y: f64) -> f64 {
    z.max(0.0) - z * y + (-z.abs()).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> MlpWeights {
        MlpWeights {
            layers: vec![
                Dense {
                    d_in: 2,
                    d_out: 2,
                    weight: vec![1.0, -1.0, 2.0, 0.5],
                    bias: vec![0.0, 0.1],
                },
                Dense {
                    d_in: 2,
                    d_out: 1,
                    weight: vec![1.0, -2.0],
                    bias: vec![0.25],
                },
            ],
        }
    }

    #[test]
    fn forward_by_hand() {
        // h = relu([1*1 + 1*2, 1*-1 + 1*0.5 + 0.1]) = [3, 0]; z = 3 - 0 + 0.25
        let w = tiny();
        assert_eq!(w.check(), Ok(()));
        assert!((w.logit(&[1.0, 1.0]).unwrap() - 3.25).abs() < 1e-6);
        assert!((w.predict_proba(&[1.0, 1.0]).unwrap() - sigmoid(3.25)).abs() < 1e-9);
        assert_eq!(
            w.logit(&[1.0]),
            Err(MlpError::InputWidth {
                expected: 2,
                got: 1
            })
        );
    }

    #[test]
    fn blocked_forward_matches_the_plain_double_loop_bit_for_bit() {
        let mut rng = SplitMix64::new(11);
        for sizes in [[28, 16, 1], [5, 7, 1], [9, 8, 1], [3, 19, 1], [1, 1, 1]] {
            let w = MlpWeights::init(&sizes, &mut rng);
            for _ in 0..50 {
                let x: Vec<f32> = (0..sizes[0]).map(|_| rng.uniform(-3.0, 3.0)).collect();
                let mut a = x.clone();
                for (i, d) in w.layers.iter().enumerate() {
                    let mut b = d.bias.clone();
                    for (k, &xk) in a.iter().enumerate() {
                        for (o, bo) in b.iter_mut().enumerate() {
                            *bo += xk * d.weight[k * d.d_out + o];
                        }
                    }
                    if i + 1 < w.layers.len() {
                        b.iter_mut().for_each(|v| *v = v.max(0.0));
                    }
                    a = b;
                }
                assert_eq!(w.logit_unchecked(&x).to_bits(), a[0].to_bits());
            }
        }
    }

    #[test]
    fn check_rejects_malformed() {
        let mut w = tiny();
        w.layers[1].weight.pop();
        assert!(matches!(
            w.check(),
            Err(MlpError::BadShape { layer: 1, .. })
        ));
        assert_eq!(
            MlpWeights { layers: vec![] }.check(),
            Err(MlpError::NoLayers)
        );
        assert_eq!(
            MlpWeights { layers: vec![] }.logit(&[]),
            Err(MlpError::NoLayers)
        );
        let mut w = tiny();
        w.layers[0].bias[0] = f32::NAN;
        assert!(w.check().is_err());
        let w = MlpWeights::init(&[3, 4, 2], &mut SplitMix64::new(1));
        assert!(matches!(
            w.check(),
            Err(MlpError::BadShape { layer: 1, .. })
        ));
    }

    #[test]
    fn sigmoid_and_bce_are_stable() {
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-12);
        assert!((bce_with_logits(0.0, 1.0) - std::f64::consts::LN_2).abs() < 1e-12);
        assert!(bce_with_logits(-1000.0, 1.0).is_finite());
        assert!(bce_with_logits(50.0, 1.0) < 1e-20);
    }
}
