//! The model card drawn as a PNG, so the run report (which embeds a step's images) shows it.

use crate::model::card::ModelCard;
use crate::model::error::ModelError;
use crate::model::plots::{err, font, render};
use crate::model::validation::Validation;
use plotters::prelude::*;

const WIDTH: u32 = 960;
/// Characters per line of wrapped text at the body font size.
const WRAP: usize = 105;
const LINE: i32 = 22;

/// One line of the card: heading (bold size) or body text.
enum Line {
    Heading(String),
    Body(String),
}

/// `text` broken into lines of at most [`WRAP`] characters, at spaces.
fn wrap(text: &str, indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > WRAP {
            lines.push(std::mem::take(&mut line));
        }
        if line.is_empty() {
            line.push_str(if lines.is_empty() { "" } else { indent });
        } else {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The metric rows of the validation figures: repeated CV (mean ± sd) and held out.
fn metric_lines(v: &Validation) -> Vec<String> {
    let mut out = vec![format!(
        "{} development passengers, {}-fold CV over fold seeds {:?}; {} held out (seed {}).",
        v.development_rows, v.folds, v.fold_seeds, v.held_out_rows, v.holdout_seed
    )];
    for (name, cv, held) in [
        (
            "all test.csv fields",
            &v.cv.all_fields,
            &v.held_out.all_fields,
        ),
        (
            "demo request fields",
            &v.cv.demo_fields,
            &v.held_out.demo_fields,
        ),
    ] {
        out.push(format!(
            "{name}: CV accuracy {:.4} ± {:.4}, ROC AUC {:.4} ± {:.4}, Brier {:.4} ± {:.4} | \
             held out: accuracy {:.4}, ROC AUC {:.4}, Brier {:.4}",
            cv.accuracy.mean,
            cv.accuracy.sd,
            cv.roc_auc.mean,
            cv.roc_auc.sd,
            cv.brier.mean,
            cv.brier.sd,
            held.accuracy,
            held.roc_auc,
            held.brier
        ));
    }
    out
}

/// The card's sections as lines.
fn lines(card: &ModelCard) -> Vec<Line> {
    let mut out = Vec::new();
    let mut section = |title: &str, paragraphs: Vec<String>, bullet: bool| {
        out.push(Line::Heading(title.into()));
        for p in paragraphs {
            let text = if bullet { format!("• {p}") } else { p };
            out.extend(wrap(&text, "   ").into_iter().map(Line::Body));
        }
    };
    section("Data", vec![card.data.clone()], false);
    section("Features", vec![card.features.join(", ")], false);
    section("Validation", vec![card.validation.clone()], false);
    let mut metrics = vec![format!(
        "Published ensemble, per fold: accuracy {:.4} (sd {:.4}, {:.4}-{:.4}), ROC AUC {:.4} (sd {:.4})",
        card.fold_accuracy.mean,
        card.fold_accuracy.sd,
        card.fold_accuracy.min,
        card.fold_accuracy.max,
        card.fold_roc_auc.mean,
        card.fold_roc_auc.sd
    )];
    metrics.extend(
        card.evaluation
            .as_ref()
            .map(metric_lines)
            .unwrap_or_default(),
    );
    section("Metrics", metrics, true);
    section("Known limits", card.limits.clone(), true);
    out
}

/// The model card as a PNG: data, features, validation scheme, metrics with their spread,
/// known limits.
pub fn card_png(card: &ModelCard) -> Result<Vec<u8>, ModelError> {
    let lines = lines(card);
    let height = 60 + lines.len() as i32 * LINE + 20 * 5;
    render(WIDTH, height as u32, |root| {
        root.draw(&Text::new("Model card", (16, 14), font(24)))
            .map_err(err)?;
        let mut y = 54;
        for line in &lines {
            match line {
                Line::Heading(h) => {
                    y += 8;
                    root.draw(&Text::new(h.as_str(), (16, y), font(19).color(&BLUE)))
                        .map_err(err)?;
                    y += 4;
                }
                Line::Body(t) => {
                    root.draw(&Text::new(t.as_str(), (28, y), font(16)))
                        .map_err(err)?;
                }
            }
            y += LINE;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        let text = "word ".repeat(60);
        let lines = wrap(&text, "  ");
        assert!(lines.len() >= 2);
        assert!(lines.iter().all(|l| l.chars().count() <= WRAP + 2));
        assert_eq!(lines.concat().matches("word").count(), 60);
    }
}
