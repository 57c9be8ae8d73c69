//! Typed positions of the plan's networks and branches. A step names the network it applies by
//! position, resolved once at lowering, so the runtime indexes and never looks a name up.

use serde::Serialize;

use super::{Branch, Network, Plan};

/// A network's position in `Plan::networks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct NetId(pub usize);

/// A branch's position in `Plan::branches`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct BranchId(pub usize);

impl Plan {
    /// Network `id`'s name and description.
    pub fn network(&self, id: NetId) -> Option<&(String, Network)> {
        self.networks.get(id.0)
    }

    /// Network `id`'s name; empty for a position the plan does not hold.
    pub fn net_name(&self, id: NetId) -> &str {
        self.network(id).map_or("", |(name, _)| name.as_str())
    }

    /// Branch `id`.
    pub fn branch(&self, id: BranchId) -> Option<&Branch> {
        self.branches.get(id.0)
    }

    /// The network called `name`.
    pub fn net_id(&self, name: &str) -> Option<NetId> {
        self.networks.iter().position(|(n, _)| n == name).map(NetId)
    }

    /// The branch called `name`.
    pub fn branch_id(&self, name: &str) -> Option<BranchId> {
        self.branches.iter().position(|b| b.name == name).map(BranchId)
    }

    /// `branch.net` as a probe, a job or the command line names it.
    pub fn resolve(&self, branch: &str, net: &str) -> Option<(BranchId, NetId)> {
        Some((self.branch_id(branch)?, self.net_id(net)?))
    }
}
