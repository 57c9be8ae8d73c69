//! A network applied in a recipe (`branch.net(x, mask: m)`): its call checked against the
//! network's shape rule and added to the graph as a network node.

use super::Builder;
use crate::decls::NetOutput;
use crate::diag::Diag;
use crate::graph::NodeKind;
use crate::registry::{self, ArgIn};
use crate::span::Span;
use crate::types::Ty;
use crate::value::Value;

impl Builder<'_> {
    pub(super) fn net_call(&mut self, branch: String, net: String, args: Vec<ArgIn>, span: Span) -> Value {
        if args.iter().any(|a| matches!(a.value, Value::Poison)) {
            return Value::Poison;
        }
        let Some(network) = self.graph.networks.get(&net) else {
            return Value::Poison;
        };
        let Some(net_args) = network.args.clone() else {
            return Value::Poison;
        };
        let Some(b) = registry::lookup(net_args.builtin) else {
            return Value::Poison;
        };
        let Some((params, rule)) = b.call else {
            return Value::Poison;
        };
        let Some(bound) = registry::bind(b, params, args, span, &mut self.diags) else {
            return Value::Poison;
        };
        let ty = match rule(&net_args, &bound) {
            Ok(t) => t,
            Err(d) => {
                self.diags.push(d);
                return Value::Poison;
            }
        };
        // The same network must always see inputs of one width (its weights are shaped by it).
        let (in_ty, in_span) = bound
            .tensor("x")
            .map(|(t, s)| (t.clone(), s))
            .unwrap_or((Ty::Geometry, span));
        let key = |t: &Ty| {
            t.feature_dim().or(match t {
                Ty::Image { c, .. } => Some(*c),
                _ => None,
            })
        };
        let network = self.graph.networks.get_mut(&net).expect("checked above");
        match (&network.input, network.first_use) {
            (Some(first), Some(first_span)) if key(first) != key(&in_ty) => {
                let expected = first.to_string();
                self.diags.push(Diag::ShapeMismatch {
                    what: format!("the input of `{net}`"),
                    expected: format!("the width it was first applied to ({expected})"),
                    found: in_ty.to_string(),
                    span: in_span,
                    other: Some((first_span, format!("first applied to {expected} here"))),
                    because: vec![],
                });
                return Value::Poison;
            }
            (None, _) => {
                network.input = Some(in_ty);
                network.first_use = Some(in_span);
            }
            _ => {}
        }
        let output = NetOutput::of(bound.int("block"), bound.int("average_last"));
        let ix = self.node(NodeKind::Net { branch, net, output }, Some(ty.clone()), span);
        for (port, from, _) in bound.inputs() {
            self.connect(from, ix, &port);
        }
        Value::Tensor(ix, ty)
    }
}
