//! Whether a run's representation collapses, measured while it trains: on the probed features
//! of a few held-out images, RankMe (the effective rank, Garrido et al. 2023: exp of the entropy
//! of the normalised singular values) and the mean per-feature deviation of the unit-length
//! features (Jing et al.'s dimensional-collapse measure); and, for a loss with a teacher
//! softmax, the teacher distribution's entropy against ln K (uniform: DINO's collapse to the
//! centre; zero: one prototype takes everything).

use nalgebra::{DMatrix, SymmetricEigen};

/// What collapse looks like: the thresholds of the warnings.
pub mod limits {
    /// An effective rank below this is a collapse to a few directions.
    pub const RANK: f64 = 2.0;
    /// A deviation of unit-length features below this share of a healthy one (1/√D) is a
    /// collapse to a point.
    pub const STD_SHARE: f64 = 0.1;
    /// A teacher entropy above this share of ln K is uniform.
    pub const UNIFORM: f64 = 0.99;
    /// A teacher entropy below this (nats) is one-hot.
    pub const ONE_HOT: f64 = 0.05;
}

/// The measures of one set of features `[n, d]` (row-major).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// exp(−Σ pₖ log pₖ), pₖ the singular values over their sum: between 1 and min(n, d).
    pub rankme: f64,
    /// The mean over features of the deviation over rows of the unit-length rows.
    pub std: f64,
    pub dim: usize,
}

impl Spread {
    /// The measures of `rows` of width `d`.
    pub fn of(rows: &[f32], d: usize) -> Spread {
        let n = rows.len().checked_div(d).unwrap_or(0);
        if n == 0 {
            return Spread {
                rankme: 0.0,
                std: 0.0,
                dim: d,
            };
        }
        let z = DMatrix::from_row_slice(n, d, &rows.iter().map(|v| f64::from(*v)).collect::<Vec<_>>());
        // Singular values as the roots of ZᵀZ's eigenvalues.
        let gram = z.transpose() * &z;
        let sigma: Vec<f64> = SymmetricEigen::new(gram)
            .eigenvalues
            .iter()
            .map(|l| l.max(0.0).sqrt())
            .collect();
        let total: f64 = sigma.iter().sum::<f64>() + 1e-12;
        let entropy: f64 = sigma.iter().map(|s| s / total + 1e-7).map(|p| -p * p.ln()).sum();
        let unit = DMatrix::from_fn(n, d, |r, c| {
            let norm = z.row(r).norm().max(1e-12);
            z[(r, c)] / norm
        });
        let std = (0..d)
            .map(|c| {
                let col = unit.column(c);
                let mean = col.mean();
                (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt()
            })
            .sum::<f64>()
            / d as f64;
        Spread {
            rankme: entropy.exp(),
            std,
            dim: d,
        }
    }

    /// What about it looks collapsed, if anything.
    pub fn collapsed(&self) -> Option<String> {
        if self.rankme < limits::RANK {
            return Some(format!(
                "its effective rank (RankMe) is {:.2} of {} dimensions",
                self.rankme, self.dim
            ));
        }
        let healthy = 1.0 / (self.dim.max(1) as f64).sqrt();
        if self.std < limits::STD_SHARE * healthy {
            return Some(format!(
                "the unit-length features barely vary: a mean deviation of {:.4} where spread features give about {healthy:.3}",
                self.std
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Spread;
    use crate::rng::Rng;

    #[test]
    fn spread_features_have_full_rank_and_collapsed_ones_are_named() {
        let mut rng = Rng::new(3);
        let (n, d) = (128, 16);
        let spread: Vec<f32> = (0..n * d).map(|_| rng.normal()).collect();
        let s = Spread::of(&spread, d);
        assert!(s.rankme > 12.0 && s.collapsed().is_none(), "{s:?}");
        // Every row the same direction, scaled: rank one, no deviation.
        let line: Vec<f32> = (0..n)
            .flat_map(|r| (0..d).map(move |c| (r as f32 + 1.0) * (c as f32 + 1.0)))
            .collect();
        let c = Spread::of(&line, d);
        assert!(c.rankme < 1.1, "{c:?}");
        assert!(c.collapsed().is_some_and(|w| w.contains("effective rank")));
    }

    #[test]
    fn a_uniform_and_a_one_prototype_teacher_are_named() {
        let teacher = |entropy, mean_entropy| super::Health {
            spread: None,
            teachers: vec![super::Teacher {
                term: "dino".into(),
                entropy,
                mean_entropy,
                classes: 256,
            }],
        };
        assert!(teacher(256f64.ln(), 256f64.ln()).warnings()[0].contains("uniform"));
        assert!(teacher(0.01, 0.01).warnings()[0].contains("one prototype"));
        // Sharp rows on many prototypes: what training aims at.
        assert!(teacher(0.2, 4.0).warnings().is_empty());
    }
}

/// A teacher softmax's entropies, as a loss reported them.
#[derive(Clone, Debug, PartialEq)]
pub struct Teacher {
    /// The loss term whose teacher it is.
    pub term: String,
    /// The mean over rows of each row's entropy (ln K: uniform).
    pub entropy: f64,
    /// The entropy of the mean row (0: every row picks one prototype).
    pub mean_entropy: f64,
    pub classes: usize,
}

/// What a step's measures say of collapse.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Health {
    /// The probed features' spread on held-out images, when the recipe has a probe.
    pub spread: Option<Spread>,
    pub teachers: Vec<Teacher>,
}

impl Health {
    /// One line for each sign of collapse.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = vec![];
        if let Some(w) = self.spread.as_ref().and_then(Spread::collapsed) {
            out.push(format!("the probed features collapse: {w}"));
        }
        for t in &self.teachers {
            let max = (t.classes.max(2) as f64).ln();
            if t.entropy > limits::UNIFORM * max {
                out.push(format!(
                    "loss `{}`'s teacher is uniform: entropy {:.3} of ln {} = {max:.3}",
                    t.term, t.entropy, t.classes
                ));
            } else if t.mean_entropy < limits::ONE_HOT {
                out.push(format!(
                    "loss `{}`'s teacher puts every image on one prototype: the mean distribution's entropy is {:.3}",
                    t.term, t.mean_entropy
                ));
            }
        }
        out
    }
}
