//! How much gradient each loss term sends to each trainable network, measured on the batch of
//! the run's next step: `sslc grads`, and the warning `sslc run` gives at its first step about
//! a term that reaches a network in the graph and sends it no gradient (a dead term).

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use sslc_compiler::plan::{BranchId, NetId};

use crate::error::RunError;
use crate::rng::Rng;
use crate::trainer::{DEVICE_STREAM, Trainer};

/// A network's gradient norm at or below this share of the largest norm the same term sends
/// anywhere counts as none (the rest is rounding).
const NONE_BELOW: f64 = 1e-7;

/// One term's gradient norms.
#[derive(Clone, Debug)]
pub struct TermGrads {
    pub term: String,
    /// The term's weight at this step (the norms are of the unweighted term).
    pub weight: f64,
    /// ‖∂term/∂θ‖ over each network's parameters, in the order of [`GradReport::nets`];
    /// `None` where the term does not reach the network.
    pub norms: Vec<Option<f64>>,
}

/// Every term's gradient norms on one batch.
#[derive(Clone, Debug)]
pub struct GradReport {
    /// The 1-based step whose batch was used.
    pub step: u64,
    pub images: usize,
    /// The trainable networks as `(branch, network)`.
    pub nets: Vec<(String, String)>,
    pub terms: Vec<TermGrads>,
}

impl GradReport {
    /// `(term, branch, network)` for every network a term reaches and sends no gradient.
    pub fn dead(&self) -> Vec<(String, String, String)> {
        let mut dead = vec![];
        for t in &self.terms {
            let largest = t.norms.iter().flatten().fold(0.0f64, |a, b| a.max(*b));
            for (norm, (branch, net)) in t.norms.iter().zip(&self.nets) {
                if norm.is_some_and(|n| n <= largest * NONE_BELOW || n == 0.0) {
                    dead.push((t.term.clone(), branch.clone(), net.clone()));
                }
            }
        }
        dead
    }
}

impl Trainer {
    /// Measures, on the batch of the next step, the gradient each loss term alone sends to each
    /// trainable network. Nothing of the run changes: the weights are not updated and the
    /// state ops keep (centres) is put back.
    pub fn grads(&self) -> Result<GradReport, RunError> {
        let plan = &self.plan;
        // Every trainable network a branch holds, by position, in the plan's order.
        let ids: Vec<(BranchId, NetId)> = plan
            .branches
            .iter()
            .enumerate()
            .flat_map(|(b, branch)| {
                branch
                    .nets
                    .iter()
                    .filter_map(move |n| Some((BranchId(b), plan.net_id(n)?)))
            })
            .filter(|(b, n)| self.weights.is_trainable(*b, *n))
            .collect();
        let views = self.batches().views_at(self.step)?;
        let t = self.step as f64 / self.steps_per_epoch as f64;
        let epochs = plan.train.epochs as f64;
        let ctx = crate::exec::ops::Ctx {
            epoch: t,
            total: epochs,
            // Measuring trains nothing: running statistics stay as they are.
            pass: crate::nets::Pass::Batch,
        };
        let device_seed = Rng::derive(plan.train.seed, DEVICE_STREAM, self.step).next_u64();
        let saved = self.program.save_states();
        let mut terms = vec![];
        for (k, loss) in plan.losses.iter().enumerate() {
            let reached = plan.reached_by(k);
            // Every term sees the state the step sees: what an earlier term's pass put in a
            // queue or a centre is taken back first.
            self.program.restore_states(saved.clone());
            let images = self.batch / crate::dist::size();
            let measured = crate::generator::seeded(&self.device, device_seed, || {
                let values = crate::dist::stepping(|| self.program.losses(&self.weights, views.clone(), images, ctx))?;
                let value = values
                    .into_iter()
                    .nth(k)
                    .ok_or_else(|| RunError::Internal(format!("loss `{}` was not computed", loss.name)))?;
                let mut grads = crate::trainer::gradients(value, &self.weights);
                crate::dist::check()?;
                // Across ranks, the term's gradient is the mean of every rank's.
                crate::dist::average_gradients(&self.weights.trainable, &mut grads)?;
                Ok::<_, RunError>(grads)
            });
            let grads = match measured {
                Ok(g) => g,
                Err(e) => {
                    self.program.restore_states(saved);
                    return Err(e);
                }
            };
            let mut norms = vec![];
            for &(branch, net) in &ids {
                if !reached.contains(&(branch, net)) {
                    norms.push(None);
                    continue;
                }
                let mut sum = SquaredNorm {
                    grads: &grads,
                    sum: 0.0,
                };
                self.weights.get(branch, net)?.visit(&mut sum);
                norms.push(Some(sum.sum.sqrt()));
            }
            terms.push(TermGrads {
                term: loss.name.clone(),
                weight: loss.weight.at(t, epochs),
                norms,
            });
        }
        self.program.restore_states(saved);
        let nets = ids
            .iter()
            .map(|(b, n)| {
                let branch = plan.branch(*b).map_or("", |b| b.name.as_str());
                (branch.to_string(), plan.net_name(*n).to_string())
            })
            .collect();
        Ok(GradReport {
            step: self.step + 1,
            images: self.batch,
            nets,
            terms,
        })
    }
}

/// Adds up the squared gradients of a network's parameters.
struct SquaredNorm<'a> {
    grads: &'a GradientsParams,
    sum: f64,
}

impl ModuleVisitor for SquaredNorm<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(param.id) {
            let squares: Vec<f32> = (g.clone() * g).sum().try_into_vec_as().unwrap_or_default();
            self.sum += squares.iter().map(|v| *v as f64).sum::<f64>();
        }
    }
}
