//! The weights of every branch: trainable networks (one module, for the optimiser), EMA copies
//! that follow a source branch, and frozen ones. A step finds its network by the plan's
//! positions of its branch and network; names are resolved only for what a person names.

mod decay;
mod flat;

use burn::module::{Module, ParamId};
use burn::tensor::{Device, Tensor};
use sslc_compiler::plan::Plan;
use sslc_compiler::plan::{BranchId, BranchKind, NetId, NetKind};
use sslc_compiler::value::Schedule;

use crate::error::RunError;
use crate::nets::Net;
use decay::Decay;
use flat::{Collect, Mix};

pub use decay::{Rates, is_decayed};
pub(crate) use flat::Place;
pub use flat::{flat_params, param_shapes, shaped_params};

/// Where a branch's network lives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Home {
    Trainable(usize),
    Ema(usize),
    Frozen(usize),
}

/// An EMA copy: its weights, the trainable network it follows, and the momentum schedule.
#[derive(Debug)]
pub struct EmaNet {
    pub net: Net,
    pub source: usize,
    pub momentum: Schedule,
}

/// All weights of a run.
#[derive(Debug)]
pub struct Weights {
    pub trainable: Vec<Net>,
    pub ema: Vec<EmaNet>,
    pub frozen: Vec<Net>,
    /// Where each branch's networks live: `homes[branch][network]`, by the plan's positions.
    homes: Vec<Vec<Option<Home>>>,
    /// The plan's branch and network names, in its order.
    branch_names: Vec<String>,
    net_names: Vec<String>,
    /// Trainable parameters held fixed until an epoch (for ever: infinity): a ViT's frozen
    /// patch embedding, a DINO head's prototypes during its first epochs.
    pub held: Vec<(ParamId, f64)>,
}

impl Weights {
    /// Builds every branch's networks from the device's generator seeded with `seed`.
    pub fn seeded(plan: &Plan, device: &Device, seed: u64) -> Result<Self, RunError> {
        crate::generator::seeded(device, seed, || {
            let w = Weights::new(plan, device)?;
            // burn initialises parameters lazily, on first use: force every draw now, in order.
            for net in w.trainable.iter().chain(&w.frozen) {
                net.visit(&mut Collect::default());
            }
            Ok(w)
        })
    }

    /// Builds every branch's networks; EMA copies start equal to their source.
    pub fn new(plan: &Plan, device: &Device) -> Result<Self, RunError> {
        let mut w = Weights {
            trainable: vec![],
            ema: vec![],
            frozen: vec![],
            homes: vec![vec![None; plan.networks.len()]; plan.branches.len()],
            branch_names: plan.branches.iter().map(|b| b.name.clone()).collect(),
            net_names: plan.networks.iter().map(|(n, _)| n.clone()).collect(),
            held: vec![],
        };
        let build = |net: &str| -> Result<Net, RunError> {
            let (_, network) = plan
                .networks
                .iter()
                .find(|(n, _)| n == net)
                .ok_or_else(|| RunError::Internal(format!("unknown network `{net}`")))?;
            Net::build(&network.kind, network.input.as_ref(), device)
        };
        // A network no call applies has no input to shape it (the checker warns): no weights.
        let applied = |net: &str| {
            plan.networks
                .iter()
                .any(|(n, network)| n == net && network.input.is_some())
        };
        for b in &plan.branches {
            for net in b.nets.iter().filter(|n| applied(n)) {
                let home = match &b.kind {
                    BranchKind::Trainable => {
                        let built = build(net)?;
                        w.held.extend(held(plan, net, &built));
                        w.trainable.push(built);
                        Home::Trainable(w.trainable.len() - 1)
                    }
                    BranchKind::Frozen => {
                        w.frozen.push(build(net)?.valid());
                        Home::Frozen(w.frozen.len() - 1)
                    }
                    BranchKind::Ema { .. } => continue,
                };
                w.place(&b.name, net, home);
            }
        }
        for b in &plan.branches {
            let BranchKind::Ema { source, momentum } = &b.kind else {
                continue;
            };
            let nets: Vec<String> = if b.nets.is_empty() {
                plan.branches
                    .iter()
                    .find(|s| &s.name == source)
                    .map(|s| s.nets.clone())
                    .unwrap_or_default()
            } else {
                b.nets.clone()
            };
            for net in nets.into_iter().filter(|n| applied(n)) {
                let Some(Home::Trainable(src)) = w.named_home(source, &net) else {
                    return Err(RunError::Internal(format!(
                        "ema `{}` follows `{source}.{net}`, which is not trainable",
                        b.name
                    )));
                };
                // A copy on the plain device: no gradients, no autodiff bookkeeping.
                let copy = w.trainable[src].valid();
                w.ema.push(EmaNet {
                    net: copy,
                    source: src,
                    momentum: momentum.clone(),
                });
                w.place(&b.name, &net, Home::Ema(w.ema.len() - 1));
            }
        }
        Ok(w)
    }

    /// Whether `branch.net` is trained (its weights live on the autodiff device); EMA and
    /// frozen copies live on the plain device, outside the autodiff graph.
    pub fn is_trainable(&self, branch: BranchId, net: NetId) -> bool {
        matches!(self.home(branch, net), Some(Home::Trainable(_)))
    }

    /// Where network `net` of `branch` lives, if the branch holds it.
    pub fn home(&self, branch: BranchId, net: NetId) -> Option<Home> {
        *self.homes.get(branch.0)?.get(net.0)?
    }

    /// The weights of network `net` of `branch`.
    pub fn get(&self, branch: BranchId, net: NetId) -> Result<&Net, RunError> {
        match self.home(branch, net) {
            Some(home) => Ok(self.at(home)),
            None => Err(RunError::Internal(format!(
                "branch `{}` has no network `{}`",
                self.branch_names.get(branch.0).map_or("?", String::as_str),
                self.net_names.get(net.0).map_or("?", String::as_str)
            ))),
        }
    }

    /// The weights of `branch.net` as a probe, a job or the command line names them.
    pub fn named(&self, branch: &str, net: &str) -> Result<&Net, RunError> {
        match self.named_home(branch, net) {
            Some(home) => Ok(self.at(home)),
            None => Err(RunError::Internal(format!("branch `{branch}` has no network `{net}`"))),
        }
    }

    /// The network at `home`.
    fn at(&self, home: Home) -> &Net {
        match home {
            Home::Trainable(i) => &self.trainable[i],
            Home::Ema(i) => &self.ema[i].net,
            Home::Frozen(i) => &self.frozen[i],
        }
    }

    /// Where `branch.net` lives, by name.
    fn named_home(&self, branch: &str, net: &str) -> Option<Home> {
        let b = self.branch_names.iter().position(|n| n == branch)?;
        let n = self.net_names.iter().position(|n| n == net)?;
        self.home(BranchId(b), NetId(n))
    }

    /// Records that `branch.net` lives at `home`.
    fn place(&mut self, branch: &str, net: &str, home: Home) {
        let b = self.branch_names.iter().position(|n| n == branch);
        let n = self.net_names.iter().position(|n| n == net);
        if let (Some(b), Some(n)) = (b, n) {
            self.homes[b][n] = Some(home);
        }
    }

    /// Every network a branch holds: its branch's and its own name, and where it lives, in the
    /// plan's order of branches and then networks.
    pub fn homes(&self) -> impl Iterator<Item = (&str, &str, Home)> {
        self.homes.iter().enumerate().flat_map(move |(b, nets)| {
            nets.iter().enumerate().filter_map(move |(n, home)| {
                Some((self.branch_names[b].as_str(), self.net_names[n].as_str(), (*home)?))
            })
        })
    }

    /// Moves every EMA copy towards its source: ξ ← m·ξ + (1−m)·θ, m read at `epoch` of `total`.
    pub fn ema_update(&mut self, epoch: f64, total: f64) {
        let ema = std::mem::take(&mut self.ema);
        self.ema = ema
            .into_iter()
            .map(|e| {
                let m = e.momentum.at(epoch, total);
                let mut source = Collect::default();
                self.trainable[e.source].visit(&mut source);
                let mut copy = Collect::default();
                e.net.visit(&mut copy);
                let net = if source.1 == copy.1 && !copy.0.is_empty() {
                    // One buffer for all the parameters: three operations over it, not three a
                    // parameter (PyTorch's `_foreach_mul_` and `_foreach_add_`), then views of it.
                    let target = Tensor::cat(copy.0, 0);
                    let online = Tensor::cat(source.0, 0);
                    let m = m as f32;
                    let mixed = target.mul_scalar(m).add(online.mul_scalar(1.0 - m));
                    e.net.map(&mut Place {
                        flat: mixed,
                        at: 0,
                        leaf: false,
                    })
                } else {
                    e.net.map(&mut Mix {
                        source: source.0.into_iter(),
                        m,
                    })
                };
                EmaNet { net, ..e }
            })
            .collect();
    }

    /// Each EMA branch's momentum at `epoch` of `total`, by branch name (one entry a branch).
    pub fn ema_momenta(&self, epoch: f64, total: f64) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = vec![];
        for (branch, _, home) in self.homes() {
            if let Home::Ema(i) = home
                && !out.iter().any(|(b, _)| b == branch)
            {
                out.push((branch.to_string(), self.ema[i].momentum.at(epoch, total)));
            }
        }
        out
    }

    /// The trainable parameters held fixed at `epoch`: they get neither update nor decay.
    pub fn held_at(&self, epoch: f64) -> Vec<ParamId> {
        self.held
            .iter()
            .filter(|(_, until)| epoch < *until)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Decoupled weight decay on trainable matrices (biases and norms are not decayed):
    /// θ ← θ·(1 − lr·wd), lr each parameter's rate this step, except on the `held` parameters.
    pub fn decay(&mut self, rates: &Rates, wd: f64, held: Vec<ParamId>) {
        if wd == 0.0 {
            return;
        }
        let nets = std::mem::take(&mut self.trainable);
        self.trainable = nets
            .into_iter()
            .enumerate()
            .map(|(i, n)| {
                n.map(&mut Decay {
                    net: i,
                    rates,
                    wd,
                    held: &held,
                })
            })
            .collect();
    }

    /// The positions among the trainable networks of those named `nets`, in any branch.
    pub fn trainable_named(&self, nets: &[String]) -> Vec<usize> {
        let mut found: Vec<usize> = self
            .homes()
            .filter(|(_, net, _)| nets.iter().any(|n| n == net))
            .filter_map(|(_, _, home)| match home {
                Home::Trainable(i) => Some(i),
                _ => None,
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Number of trainable scalars (running statistics, which burn visits like parameters, are
    /// not counted).
    pub fn trainable_params(&self) -> usize {
        self.trainable.iter().map(Net::trainable_params).sum()
    }
}

/// The parameters of `net` its configuration holds fixed, and until which epoch.
fn held(plan: &Plan, name: &str, net: &Net) -> Vec<(ParamId, f64)> {
    let Some((_, network)) = plan.networks.iter().find(|(n, _)| n == name) else {
        return vec![];
    };
    match (net, &network.kind) {
        (Net::Dino(head), NetKind::DinoHead(d)) if d.freeze_last_epochs > 0.0 => {
            vec![(head.last.id, d.freeze_last_epochs)]
        }
        (Net::Vit(vit), NetKind::Vit(v)) if v.frozen_patch => {
            let mut ids = vec![(vit.embed.weight.id, f64::INFINITY)];
            ids.extend(vit.embed.bias.as_ref().map(|b| (b.id, f64::INFINITY)));
            ids
        }
        _ => vec![],
    }
}
