//! `metrics.png`: a run's loss curves (the total and each weighted term), learning rate and the
//! probed features' effective rank against the step, drawn with plotters from `metrics.jsonl`,
//! probe results in the caption.
//!
//! plotters draws into a buffer and the `image` crate the project already uses encodes the
//! PNG (plotters' own encoder would bring a second version of `image`). Text needs a TrueType
//! font: the first of a few common system fonts that exists; without one the curves are drawn
//! unlabelled.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use serde_json::Value;

const SIZE: (u32, u32) = (1000, 700);

const FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

/// Registers a system font as plotters' `sans-serif`, once; whether one was found.
fn font() -> bool {
    static FOUND: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FOUND.get_or_init(|| {
        FONTS.iter().any(|path| match std::fs::read(path) {
            Ok(bytes) => register_font("sans-serif", FontStyle::Normal, Vec::leak(bytes)).is_ok(),
            Err(_) => false,
        })
    })
}

/// The curves of one run, read from its metrics lines.
#[derive(Default)]
pub struct Curves {
    pub total: Vec<(f64, f64)>,
    pub terms: Vec<(String, Vec<(f64, f64)>)>,
    pub lr: Vec<(f64, f64)>,
    /// The probed features' effective rank (RankMe) at the log interval.
    pub rankme: Vec<(f64, f64)>,
    /// The last result of each probe.
    pub probes: Vec<(String, f64)>,
}

impl Curves {
    pub fn from_lines(lines: &[Value]) -> Curves {
        let mut c = Curves::default();
        for v in lines {
            let Some(step) = v.get("step").and_then(Value::as_f64) else {
                continue;
            };
            if let Some(loss) = v.get("loss").and_then(Value::as_f64) {
                c.total.push((step, loss));
                if let Some(lr) = v.get("lr").and_then(Value::as_f64) {
                    c.lr.push((step, lr));
                }
                if let Some(rank) = v.pointer("/health/rankme").and_then(Value::as_f64) {
                    c.rankme.push((step, rank));
                }
                for (name, w) in v.get("weighted").and_then(Value::as_object).into_iter().flatten() {
                    let Some(w) = w.as_f64() else { continue };
                    match c.terms.iter_mut().find(|(n, _)| n == name) {
                        Some((_, points)) => points.push((step, w)),
                        None => c.terms.push((name.clone(), vec![(step, w)])),
                    }
                }
            } else if let (Some(name), Some(acc)) = (
                v.get("probe").and_then(Value::as_str),
                v.get("accuracy").and_then(Value::as_f64),
            ) {
                match c.probes.iter_mut().find(|(n, _)| n == name) {
                    Some((_, a)) => *a = acc,
                    None => c.probes.push((name.into(), acc)),
                }
            }
        }
        c
    }
}

fn range(points: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = points
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (lo - pad, hi + pad)
}

/// Draws `curves` of the run `title` into a PNG at `path`.
pub fn write(path: &Path, title: &str, curves: &Curves) -> Result<(), String> {
    let labelled = font();
    let mut buffer = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (top, bottom) = root.split_vertically(SIZE.1 * 2 / 3);
        let steps = range(curves.total.iter().map(|p| p.0));
        let losses = range(
            curves
                .total
                .iter()
                .chain(curves.terms.iter().flat_map(|(_, t)| t))
                .map(|p| p.1),
        );
        let probes: Vec<String> = curves
            .probes
            .iter()
            .map(|(n, a)| format!("{n} {:.1}%", a * 100.0))
            .collect();
        let caption = if probes.is_empty() {
            title.to_string()
        } else {
            format!("{title} — probe: {}", probes.join(", "))
        };
        let mut chart = ChartBuilder::on(&top);
        chart.margin(12).x_label_area_size(if labelled { 30 } else { 0 });
        if labelled {
            chart.caption(caption, ("sans-serif", 20)).y_label_area_size(60);
        }
        let mut chart = chart
            .build_cartesian_2d(steps.0..steps.1, losses.0..losses.1)
            .map_err(|e| e.to_string())?;
        let mut mesh = chart.configure_mesh();
        if labelled {
            mesh.y_desc("loss (weighted)");
        } else {
            mesh.disable_x_axis().disable_y_axis();
        }
        mesh.draw().map_err(|e| e.to_string())?;
        let mut series = vec![("total".to_string(), &curves.total)];
        if curves.terms.len() > 1 {
            series.extend(curves.terms.iter().map(|(n, t)| (n.clone(), t)));
        }
        for (i, (name, points)) in series.into_iter().enumerate() {
            let colour = Palette99::pick(i).to_rgba();
            let drawn = chart
                .draw_series(LineSeries::new(points.iter().copied(), colour.stroke_width(2)))
                .map_err(|e| e.to_string())?;
            if labelled {
                drawn
                    .label(name)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
            }
        }
        if labelled {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(|e| e.to_string())?;
        }
        // The learning rate, and beside it the effective rank where the run measured it.
        let (bottom, right) = if curves.rankme.is_empty() {
            (bottom.clone(), None)
        } else {
            let (l, r) = bottom.split_horizontally(SIZE.0 / 2);
            (l, Some(r))
        };
        if let Some(area) = right {
            let ranks = range(curves.rankme.iter().map(|p| p.1).chain([0.0]));
            let mut chart = ChartBuilder::on(&area);
            chart.margin(12);
            if labelled {
                chart.x_label_area_size(30).y_label_area_size(60);
            }
            let mut chart = chart
                .build_cartesian_2d(steps.0..steps.1, ranks.0..ranks.1)
                .map_err(|e| e.to_string())?;
            let mut mesh = chart.configure_mesh();
            if labelled {
                mesh.x_desc("step").y_desc("effective rank (RankMe)");
            } else {
                mesh.disable_x_axis().disable_y_axis();
            }
            mesh.draw().map_err(|e| e.to_string())?;
            chart
                .draw_series(LineSeries::new(curves.rankme.iter().copied(), RED.stroke_width(2)))
                .map_err(|e| e.to_string())?;
        }
        let lrs = range(curves.lr.iter().map(|p| p.1));
        let mut chart = ChartBuilder::on(&bottom);
        chart.margin(12);
        if labelled {
            chart.x_label_area_size(30).y_label_area_size(60);
        }
        let mut chart = chart
            .build_cartesian_2d(steps.0..steps.1, lrs.0..lrs.1)
            .map_err(|e| e.to_string())?;
        let mut mesh = chart.configure_mesh();
        if labelled {
            mesh.x_desc("step").y_desc("learning rate");
        } else {
            mesh.disable_x_axis().disable_y_axis();
        }
        mesh.draw().map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(curves.lr.iter().copied(), BLUE.stroke_width(2)))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    image::RgbImage::from_raw(SIZE.0, SIZE.1, buffer)
        .ok_or("the plot buffer has the wrong size")?
        .save(path)
        .map_err(|e| e.to_string())
}
