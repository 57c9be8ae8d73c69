//! The `grads` command: on the batch of a run's first step, the gradient norm each loss term
//! sends to each trainable network, and which terms reach a network and send it none.

use std::path::PathBuf;
use std::process::ExitCode;

use sslc_runtime::Trainer;
use sslc_runtime::grads::GradReport;

/// Options of `sslc grads`.
#[derive(clap::Args)]
pub struct GradsArgs {
    /// The recipe to measure.
    pub file: PathBuf,
    #[command(flatten)]
    pub overrides: crate::settings::Overrides,
    #[command(flatten)]
    pub device: crate::device::DeviceArg,
}

pub fn run(args: GradsArgs) -> ExitCode {
    let (_, compiled) = match crate::load::load(&args.file, &args.overrides) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let Some(plan) = compiled.plan else {
        return ExitCode::FAILURE;
    };
    let (device, _) = match args.device.resolve_or_exit() {
        Ok(d) => d,
        Err(code) => return code,
    };
    let report = Trainer::new(&plan, &device).and_then(|t| t.grads());
    match report {
        Ok(report) => {
            print!("{}", table(&report));
            let dead = report.dead();
            for line in warnings(&report) {
                println!("{line}");
            }
            if dead.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => crate::load::finish(Err(e)),
    }
}

/// The norms as a table: a row per term, a column per trainable network, `-` where the term
/// does not reach the network.
pub fn table(r: &GradReport) -> String {
    let mut rows = vec![];
    let mut header = vec!["term".to_string(), "weight".to_string()];
    header.extend(r.nets.iter().map(|(b, n)| format!("{b}.{n}")));
    rows.push(header);
    for t in &r.terms {
        let mut row = vec![t.term.clone(), format!("{}", t.weight)];
        row.extend(t.norms.iter().map(|n| match n {
            None => "-".to_string(),
            Some(v) if *v == 0.0 => "0".to_string(),
            Some(v) => format!("{v:.3e}"),
        }));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!(
        "gradient norm of each loss term (unweighted) for each trainable network, step {} ({} images):\n",
        r.step, r.images
    );
    for row in rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// One warning per network a term reaches in the graph and sends no gradient.
pub fn warnings(r: &GradReport) -> Vec<String> {
    r.dead()
        .into_iter()
        .map(|(term, branch, net)| {
            format!(
                "warning: loss `{term}` reaches `{branch}.{net}` in the graph but sends it no gradient at step {}: \
                 the term teaches it nothing",
                r.step
            )
        })
        .collect()
}
