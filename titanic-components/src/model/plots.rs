//! Evaluation plots as PNG bytes, drawn with plotters into memory.
//!
//! Text uses Noto Sans compiled into the binary (crate `ttf-noto-sans`), so plots render the
//! same on a machine or container without any font installed.

use crate::model::ensemble::LossCurve;
use crate::model::error::ModelError;
use crate::model::importance::FeatureImportance;
use crate::model::metrics::{
    average_precision, brier, pr_curve, reliability, roc_auc, roc_curve, ConfusionMatrix,
};
use plotters::prelude::*;
use std::sync::Once;

const W: u32 = 640;
const H: u32 = 480;

pub(crate) fn err(e: impl std::fmt::Display) -> ModelError {
    ModelError::Plot(e.to_string())
}

pub(crate) fn font(size: u32) -> TextStyle<'static> {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // Cannot fail for the bundled font; if it did, text would be missing, not a panic.
        let _ =
            plotters::style::register_font("sans-serif", FontStyle::Normal, ttf_noto_sans::REGULAR);
    });
    ("sans-serif", size).into_font().into()
}

/// Renders `draw` onto a `w` x `h` white canvas and encodes it as PNG.
pub(crate) fn render(
    w: u32,
    h: u32,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<(), ModelError>,
) -> Result<Vec<u8>, ModelError> {
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    let mut png_bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut png_bytes, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    // Paeth prediction turns the repeated grid lines and flat areas of a chart into runs of
    // zeros: about half the bytes of the default (Sub) filter for the same pixels and no
    // slower to encode, and every later step (hashing, storing, the report) reads fewer bytes.
    enc.set_filter(png::FilterType::Paeth);
    enc.write_header()
        .and_then(|mut wr| wr.write_image_data(&rgb))
        .map_err(err)?;
    Ok(png_bytes)
}

/// A unit-square line chart (ROC or PR) with an optional chance line.
fn curve_plot(
    title: &str,
    xl: &str,
    yl: &str,
    pts: Vec<(f64, f64)>,
    chance: Option<[(f64, f64); 2]>,
) -> Result<Vec<u8>, ModelError> {
    render(W, H, |root| {
        let mut c = ChartBuilder::on(root)
            .caption(title, font(22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(52)
            .build_cartesian_2d(0.0..1.0, 0.0..1.02)
            .map_err(err)?;
        c.configure_mesh()
            .x_desc(xl)
            .y_desc(yl)
            .label_style(font(14))
            .axis_desc_style(font(16))
            .draw()
            .map_err(err)?;
        if let Some(line) = chance {
            c.draw_series(LineSeries::new(line, BLACK.mix(0.4)))
                .map_err(err)?;
        }
        c.draw_series(LineSeries::new(pts, BLUE.stroke_width(2)))
            .map_err(err)?;
        Ok(())
    })
}

/// ROC curve with its AUC in the title (needs both classes).
pub fn roc_png(labels: &[u8], probs: &[f64]) -> Result<Vec<u8>, ModelError> {
    let pts = roc_curve(labels, probs)?;
    let auc = roc_auc(labels, probs)?;
    curve_plot(
        &format!("ROC curve (AUC = {auc:.3})"),
        "False positive rate",
        "True positive rate",
        pts,
        Some([(0.0, 0.0), (1.0, 1.0)]),
    )
}

/// Precision-recall curve with average precision in the title and the base rate as a line.
pub fn pr_png(labels: &[u8], probs: &[f64]) -> Result<Vec<u8>, ModelError> {
    let pts = pr_curve(labels, probs)?;
    let ap = average_precision(labels, probs)?;
    let base = labels.iter().filter(|l| **l == 1).count() as f64 / labels.len() as f64;
    curve_plot(
        &format!("Precision-recall (AP = {ap:.3})"),
        "Recall",
        "Precision",
        pts,
        Some([(0.0, base), (1.0, base)]),
    )
}

/// 2x2 confusion-matrix heatmap with counts (rows: actual, columns: predicted).
pub fn confusion_png(m: &ConfusionMatrix) -> Result<Vec<u8>, ModelError> {
    let cells = [[m.tn, m.fp], [m.fn_, m.tp]];
    let max = cells.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    render(520, 440, |root| {
        let root = root.titled("Confusion matrix", font(22)).map_err(err)?;
        let (rows_lbl, area) = root.split_horizontally(120);
        let (area, cols_lbl) = area.split_vertically(380);
        let names = ["died", "survived"];
        for (r, row) in cells.iter().enumerate() {
            for (c, &n) in row.iter().enumerate() {
                let shade = 1.0 - 0.85 * n as f64 / max;
                let fill = RGBColor((255.0 * shade) as u8, (255.0 * shade) as u8, 255);
                let (x0, y0) = (10 + c as i32 * 185, 10 + r as i32 * 180);
                area.draw(&Rectangle::new(
                    [(x0, y0), (x0 + 180, y0 + 175)],
                    fill.filled(),
                ))
                .map_err(err)?;
                let ink = if shade < 0.5 { WHITE } else { BLACK };
                area.draw(&Text::new(
                    n.to_string(),
                    (x0 + 70, y0 + 75),
                    font(30).color(&ink),
                ))
                .map_err(err)?;
            }
            rows_lbl
                .draw(&Text::new(
                    format!("actual {}", names[r]),
                    (5, 90 + r as i32 * 180),
                    font(15),
                ))
                .map_err(err)?;
        }
        for (c, n) in names.iter().enumerate() {
            cols_lbl
                .draw(&Text::new(
                    format!("predicted {n}"),
                    (30 + c as i32 * 185, 10),
                    font(15),
                ))
                .map_err(err)?;
        }
        Ok(())
    })
}

/// Training (dashed) and validation (solid) loss per epoch, one colour per curve.
pub fn loss_png(curves: &[(String, &LossCurve)]) -> Result<Vec<u8>, ModelError> {
    let epochs = curves
        .iter()
        .map(|(_, c)| c.train.len().max(c.valid.len()))
        .max()
        .unwrap_or(0)
        .max(2);
    let all = curves
        .iter()
        .flat_map(|(_, c)| c.train.iter().chain(&c.valid))
        .copied()
        .filter(|v| v.is_finite());
    let ymax = all.fold(0.0f64, f64::max).clamp(0.1, 10.0) * 1.05;
    render(W, H, |root| {
        let mut c = ChartBuilder::on(root)
            .caption(
                "Loss per epoch (solid: validation, dashed: training)",
                font(18),
            )
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(52)
            .build_cartesian_2d(0..epochs, 0.0..ymax)
            .map_err(err)?;
        c.configure_mesh()
            .x_desc("Epoch")
            .y_desc("BCE loss")
            .label_style(font(14))
            .axis_desc_style(font(16))
            .draw()
            .map_err(err)?;
        for (i, (name, curve)) in curves.iter().enumerate() {
            let col = Palette99::pick(i).to_rgba();
            let pts = |v: &[f64]| {
                v.iter()
                    .enumerate()
                    .map(|(e, &l)| (e, l.min(ymax)))
                    .collect::<Vec<_>>()
            };
            c.draw_series(DashedLineSeries::new(
                pts(&curve.train),
                6,
                4,
                col.stroke_width(1),
            ))
            .map_err(err)?;
            c.draw_series(LineSeries::new(pts(&curve.valid), col.stroke_width(2)))
                .map_err(err)?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], col.stroke_width(2)));
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(font(13))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        Ok(())
    })
}

/// Reliability (calibration) plot: for each named set of `(labels, probabilities)`, the mean
/// predicted probability against the observed survival rate in ten equal-width bins (marker
/// area grows with the bin's rows), the diagonal being perfect calibration; each legend entry
/// gives the set's Brier score.
pub fn reliability_png(sets: &[(&str, &[u8], &[f64])]) -> Result<Vec<u8>, ModelError> {
    let mut series = Vec::new();
    for (name, labels, probs) in sets {
        let bins = reliability(labels, probs, 10)?;
        let score = brier(labels, probs)?;
        series.push((
            format!("{name} (n = {}, Brier {score:.3})", labels.len()),
            bins,
        ));
    }
    render(W, H, |root| {
        let mut c = ChartBuilder::on(root)
            .caption("Reliability: predicted vs observed survival", font(20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(52)
            .build_cartesian_2d(0.0..1.0, 0.0..1.02)
            .map_err(err)?;
        c.configure_mesh()
            .x_desc("Mean predicted probability (bin)")
            .y_desc("Observed survival rate")
            .label_style(font(14))
            .axis_desc_style(font(16))
            .draw()
            .map_err(err)?;
        c.draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], BLACK.mix(0.4)))
            .map_err(err)?;
        for (i, (name, bins)) in series.iter().enumerate() {
            let col = Palette99::pick(i).to_rgba();
            let pts: Vec<(f64, f64)> = bins.iter().map(|&(p, y, _)| (p, y)).collect();
            c.draw_series(LineSeries::new(pts, col.stroke_width(2)))
                .map_err(err)?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], col.stroke_width(2)));
            c.draw_series(bins.iter().map(|&(p, y, n)| {
                let r = (2.0 + (n as f64).sqrt() / 1.5).min(12.0) as i32;
                Circle::new((p, y), r, col.filled())
            }))
            .map_err(err)?;
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(font(13))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        Ok(())
    })
}

/// Horizontal bars of permutation importance (drop in ROC AUC), most important on top.
pub fn importance_png(imp: &[FeatureImportance]) -> Result<Vec<u8>, ModelError> {
    let n = imp.len().max(1);
    let h = (80 + 22 * n as u32).max(200);
    let lo = imp.iter().map(|i| i.auc_drop).fold(0.0f64, f64::min);
    let hi = imp
        .iter()
        .map(|i| i.auc_drop)
        .fold(0.0f64, f64::max)
        .max(1e-3)
        * 1.1;
    render(W, h, |root| {
        let root = root
            .titled(
                "Permutation importance (drop in out-of-fold ROC AUC)",
                font(17),
            )
            .map_err(err)?;
        let (labels, bars) = root.split_horizontally(170);
        let row_h = (h as i32 - 60) / n as i32;
        let bw = 440.0;
        let x_of = |v: f64| 10 + ((v - lo) / (hi - lo) * bw) as i32;
        for (k, fi) in imp.iter().enumerate() {
            let y = 5 + k as i32 * row_h;
            labels
                .draw(&Text::new(fi.feature.clone(), (8, y + 2), font(14)))
                .map_err(err)?;
            let (a, b) = (x_of(0.0), x_of(fi.auc_drop));
            let color = if fi.auc_drop >= 0.0 {
                BLUE.mix(0.7)
            } else {
                RED.mix(0.7)
            };
            bars.draw(&Rectangle::new(
                [(a.min(b), y), (a.max(b).max(a.min(b) + 1), y + row_h - 4)],
                color.filled(),
            ))
            .map_err(err)?;
            bars.draw(&Text::new(
                format!("{:.3}", fi.auc_drop),
                (a.max(b) + 4, y + 2),
                font(12),
            ))
            .map_err(err)?;
        }
        bars.draw(&PathElement::new(
            [(x_of(0.0), 0), (x_of(0.0), h as i32)],
            BLACK,
        ))
        .map_err(err)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_png(b: &[u8]) -> bool {
        b.len() > 1000 && b.starts_with(&[0x89, b'P', b'N', b'G'])
    }

    #[test]
    fn every_plot_is_a_png() {
        let (y, p) = ([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.2, 0.9]);
        assert!(is_png(&roc_png(&y, &p).unwrap()));
        assert!(is_png(&pr_png(&y, &p).unwrap()));
        assert!(is_png(
            &confusion_png(&ConfusionMatrix {
                tp: 5,
                fp: 1,
                tn: 7,
                fn_: 2
            })
            .unwrap()
        ));
        let c = LossCurve {
            train: vec![0.7, 0.5, 0.45],
            valid: vec![0.68, 0.55, 0.56],
            best_epoch: 1,
        };
        assert!(is_png(&loss_png(&[("fold 1".into(), &c)]).unwrap()));
        let imp = vec![
            FeatureImportance {
                feature: "Sex_male".into(),
                auc_drop: 0.12,
                std: 0.01,
            },
            FeatureImportance {
                feature: "Fare".into(),
                auc_drop: -0.002,
                std: 0.001,
            },
        ];
        assert!(is_png(&importance_png(&imp).unwrap()));
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        assert!(roc_png(&[1, 1], &[0.2, 0.3]).is_err());
        assert!(pr_png(&[], &[]).is_err());
        assert!(is_png(&confusion_png(&ConfusionMatrix::default()).unwrap()));
        assert!(is_png(&loss_png(&[]).unwrap()));
        assert!(is_png(&importance_png(&[]).unwrap()));
    }
}
