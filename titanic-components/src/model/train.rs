//! Training one fold with burn (flex CPU backend, autodiff, Adam, BCE-with-logits).
//!
//! This is the only file that uses burn. Randomness (initial weights, batch order, dropout
//! masks) comes from [`SplitMix64`] seeded by [`TrainParams::seed`], and flex runs
//! single-threaded, so a run is bit-for-bit reproducible.

use crate::model::ensemble::{FoldModel, LossCurve};
use crate::model::error::ModelError;
use crate::model::mlp::{bce_with_logits, Dense, MlpWeights};
use crate::model::params::TrainParams;
use crate::model::rng::SplitMix64;
use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};

/// The burn twin of [`MlpWeights`], used only while training.
#[derive(Module, Debug)]
pub(crate) struct BurnMlp {
    layers: Vec<Linear>,
}

impl BurnMlp {
    /// Builds the burn network holding exactly `w`'s numbers.
    pub(crate) fn from_weights(w: &MlpWeights, device: &Device) -> Self {
        let layers = w
            .layers
            .iter()
            .map(|d| Linear {
                weight: Param::from_tensor(Tensor::from_data(
                    TensorData::new(d.weight.clone(), [d.d_in, d.d_out]),
                    device,
                )),
                bias: Some(Param::from_tensor(Tensor::from_data(
                    TensorData::new(d.bias.clone(), [d.d_out]),
                    device,
                ))),
            })
            .collect();
        Self { layers }
    }

    /// Exports the current numbers as plain weights.
    pub(crate) fn to_weights(&self) -> Result<MlpWeights, ModelError> {
        let vec = |d: TensorData| {
            d.try_into_vec::<f32>()
                .map_err(|e| ModelError::Backend(format!("{e:?}")))
        };
        let layers = self
            .layers
            .iter()
            .map(|l| {
                let [d_in, d_out] = l.weight.val().dims();
                let bias = match &l.bias {
                    Some(b) => vec(b.val().into_data())?,
                    None => vec![0.0; d_out],
                };
                Ok(Dense {
                    d_in,
                    d_out,
                    weight: vec(l.weight.val().into_data())?,
                    bias,
                })
            })
            .collect::<Result<_, ModelError>>()?;
        Ok(MlpWeights { layers })
    }

    /// Logits `[batch, 1]`; `masks[i]` (if given) multiplies the output of hidden layer `i`.
    pub(crate) fn forward(&self, mut x: Tensor<2>, masks: &[Tensor<2>]) -> Tensor<2> {
        let n = self.layers.len();
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i + 1 < n {
                x = x.clamp_min(0.0);
                if let Some(m) = masks.get(i) {
                    x = x * m.clone();
                }
            }
        }
        x
    }
}

/// Checks shapes, labels and indices shared by the training entry points.
pub(crate) fn check_data(x: &[Vec<f32>], y: &[f32], idx: &[&[usize]]) -> Result<usize, ModelError> {
    let bad = |m: String| Err(ModelError::InvalidData(m));
    let Some(width) = x.first().map(Vec::len).filter(|w| *w > 0) else {
        return bad("no feature rows (or zero-width rows)".into());
    };
    if let Some(r) = x.iter().position(|r| r.len() != width) {
        return bad(format!(
            "row {r} has {} features, row 0 has {width}",
            x[r].len()
        ));
    }
    if x.len() != y.len() {
        return bad(format!("{} feature rows but {} labels", x.len(), y.len()));
    }
    if let Some(i) = y.iter().position(|v| *v != 0.0 && *v != 1.0) {
        return bad(format!("label {i} is {}, expected 0 or 1", y[i]));
    }
    if let Some(i) = x.iter().position(|r| r.iter().any(|v| !v.is_finite())) {
        return bad(format!("row {i} has a non-finite feature"));
    }
    for list in idx {
        if let Some(i) = list.iter().find(|&&i| i >= x.len()) {
            return bad(format!("index {i} out of range for {} rows", x.len()));
        }
    }
    Ok(width)
}

fn matrix(x: &[Vec<f32>], idx: &[usize], device: &Device) -> Tensor<2> {
    let width = x[0].len();
    let flat: Vec<f32> = idx.iter().flat_map(|&i| x[i].iter().copied()).collect();
    Tensor::from_data(TensorData::new(flat, [idx.len(), width]), device)
}

fn column(y: &[f32], idx: &[usize], device: &Device) -> Tensor<2> {
    let v: Vec<f32> = idx.iter().map(|&i| y[i]).collect();
    Tensor::from_data(TensorData::new(v, [idx.len(), 1]), device)
}

/// Mean BCE of the plain network on the rows `idx`.
pub(crate) fn mean_loss(w: &MlpWeights, x: &[Vec<f32>], y: &[f32], idx: &[usize]) -> f64 {
    let s: f64 = idx
        .iter()
        .map(|&i| bce_with_logits(f64::from(w.logit_unchecked(&x[i])), f64::from(y[i])))
        .sum();
    s / idx.len().max(1) as f64
}

/// Trains one network from `init` on `train_idx`, early-stopping on `valid_idx` (if not empty)
/// and returning the best weights with the loss curve.
pub(crate) fn train_member(
    x: &[Vec<f32>],
    y: &[f32],
    train_idx: &[usize],
    valid_idx: &[usize],
    params: &TrainParams,
    init: &MlpWeights,
    rng: &mut SplitMix64,
) -> Result<(MlpWeights, LossCurve), ModelError> {
    let device = Device::flex().autodiff();
    let mut net = BurnMlp::from_weights(init, &device);
    let mut optim = AdamConfig::new()
        .with_weight_decay(
            (params.weight_decay > 0.0).then(|| WeightDecayConfig::new(params.weight_decay as f32)),
        )
        .init();
    let batch = if params.batch_size == 0 {
        train_idx.len()
    } else {
        params.batch_size
    };
    let full = batch >= train_idx.len();
    let full_xy = full.then(|| (matrix(x, train_idx, &device), column(y, train_idx, &device)));
    let hidden: Vec<usize> = init.layers.iter().skip(1).map(|d| d.d_in).collect();
    let keep = 1.0 - params.dropout as f32;
    let keep_cut = SplitMix64::cut(f64::from(keep));
    let mut order = train_idx.to_vec();
    let mut curve = LossCurve::default();
    let mut best = (f64::INFINITY, init.clone());
    let mut since_best = 0;
    for epoch in 0..params.max_epochs {
        if !full {
            rng.shuffle(&mut order);
        }
        let mut loss_sum = 0.0;
        for chunk in order.chunks(batch) {
            let (xb, yb) = match &full_xy {
                Some((xt, yt)) => (xt.clone(), yt.clone()),
                None => (matrix(x, chunk, &device), column(y, chunk, &device)),
            };
            let masks: Vec<Tensor<2>> = if params.dropout > 0.0 {
                hidden
                    .iter()
                    .map(|&h| {
                        // Each unit is kept when `rng.next_f64() < keep` (as an integer test).
                        let m = (0..chunk.len() * h)
                            .map(|_| {
                                if rng.next_below(keep_cut) {
                                    1.0 / keep
                                } else {
                                    0.0
                                }
                            })
                            .collect::<Vec<f32>>();
                        Tensor::from_data(TensorData::new(m, [chunk.len(), h]), &device)
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let z = net.forward(xb, &masks);
            let loss =
                (z.clone().clamp_min(0.0) - z.clone() * yb + z.abs().neg().exp().log1p()).mean();
            loss_sum += f64::from(loss.clone().into_scalar::<f32>()) * chunk.len() as f64;
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            net = optim.step(params.learning_rate, net, grads);
        }
        let w = net.to_weights()?;
        curve.train.push(loss_sum / train_idx.len() as f64);
        let valid = if valid_idx.is_empty() {
            curve.train[epoch]
        } else {
            mean_loss(&w, x, y, valid_idx)
        };
        curve.valid.push(valid);
        if !valid.is_finite() {
            break;
        }
        if valid < best.0 - 1e-7 {
            best = (valid, w);
            curve.best_epoch = epoch;
            since_best = 0;
        } else {
            since_best += 1;
            if !valid_idx.is_empty() && since_best >= params.patience {
                break;
            }
        }
    }
    Ok((best.1, curve))
}

/// Trains the seed ensemble of one fold: `params.n_seeds` networks on `train_idx`, each
/// early-stopped on `valid_idx`, with the fold's out-of-fold predictions for `valid_idx`.
///
/// `x` holds one feature vector per row, `y` its label as 0.0 or 1.0 (1 = survived). An
/// empty `valid_idx` trains for `max_epochs` without early stopping (and gives no out-of-fold
/// predictions).
pub fn train_fold(
    x: &[Vec<f32>],
    y: &[f32],
    train_idx: &[usize],
    valid_idx: &[usize],
    params: &TrainParams,
) -> Result<FoldModel, ModelError> {
    params.check()?;
    let width = check_data(x, y, &[train_idx, valid_idx])?;
    if train_idx.is_empty() {
        return Err(ModelError::InvalidData("empty training index list".into()));
    }
    let sizes: Vec<usize> = std::iter::once(width)
        .chain(params.hidden.iter().copied())
        .chain([1])
        .collect();
    let mut members = Vec::new();
    let mut curves = Vec::new();
    for s in 0..params.n_seeds {
        let mut rng = SplitMix64::derive(params.seed, s as u64);
        let init = MlpWeights::init(&sizes, &mut rng);
        let (w, c) = train_member(x, y, train_idx, valid_idx, params, &init, &mut rng)?;
        members.push(w);
        curves.push(c);
    }
    let mut fold = FoldModel {
        members,
        curves,
        valid_idx: valid_idx.to_vec(),
        oof: Vec::new(),
    };
    fold.oof = valid_idx
        .iter()
        .map(|&i| fold.predict_unchecked(&x[i]))
        .collect();
    Ok(fold)
}

#[cfg(test)]
mod tests;
