//! YAML form of a graph through serde, so users can snapshot their own recipes' graphs.

use petgraph::visit::EdgeRef;
use serde::Serialize;

use super::{Branch, Graph, Network, Node, Train};
use crate::value::Config;

#[derive(Serialize)]
struct EdgeOut {
    from: usize,
    to: usize,
    port: String,
}

#[derive(Serialize)]
struct NodeOut<'a> {
    id: usize,
    #[serde(flatten)]
    node: &'a Node,
}

#[derive(Serialize)]
struct GraphOut<'a> {
    source: &'a Option<Config>,
    batch: u64,
    networks: &'a std::collections::BTreeMap<String, Network>,
    branches: &'a [Branch],
    nodes: Vec<NodeOut<'a>>,
    edges: Vec<EdgeOut>,
    optimizer: &'a Option<Config>,
    train: &'a Train,
}

/// Renders the graph as YAML.
pub fn to_yaml(g: &Graph) -> String {
    let out = GraphOut {
        source: &g.source,
        batch: g.batch,
        networks: &g.networks,
        branches: &g.branches,
        nodes: g
            .g
            .node_indices()
            .map(|ix| NodeOut {
                id: ix.index(),
                node: &g.g[ix],
            })
            .collect(),
        edges: g
            .g
            .edge_references()
            .map(|e| EdgeOut {
                from: e.source().index(),
                to: e.target().index(),
                port: e.weight().port.clone(),
            })
            .collect(),
        optimizer: &g.optimizer,
        train: &g.train,
    };
    serde_yaml::to_string(&out).unwrap_or_else(|e| format!("# cannot serialise: {e}\n"))
}
