//! The plan's typed built-ins agree with the registry: every op, loss, view op, mask, network,
//! source, optimiser, probe and job decodes, each of its parameters lands in a field of the type
//! the registry declares, and the plan has none the language lacks.

use sslc_compiler::plan::{Args, JobKind, NetKind, OptimizerKind, ProbeKind, SourceKind, TensorOp, ViewOp};
use sslc_compiler::registry::{self, Category, PTy};
use sslc_compiler::value::Param;

/// A node's inputs (port, slot) and constant parameters.
type Bound = (Vec<(String, usize)>, Vec<(String, Param)>);

/// What `name`'s node binds when every parameter is given: inputs in slots, numbers distinct
/// per parameter, so that a field reading the wrong one shows.
fn bound(b: &registry::Builtin) -> Bound {
    let mut inputs = vec![];
    let mut params = vec![];
    for (i, p) in b.params.iter().enumerate() {
        let x = 3.0 + i as f64;
        match p.ty {
            PTy::Tensor => inputs.push((p.name.to_string(), 10 + i)),
            PTy::Num | PTy::Int | PTy::Sched => params.push((p.name.to_string(), Param::Num(x))),
            PTy::Pair | PTy::NumOrPair => params.push((
                p.name.to_string(),
                Param::List(vec![Param::Num(x), Param::Num(x + 0.5)]),
            )),
            PTy::Bool => params.push((p.name.to_string(), Param::Bool(i % 2 == 0))),
            PTy::Str => params.push((p.name.to_string(), Param::Str(format!("s{i}")))),
            PTy::BranchNet | PTy::Probed => params.push((
                p.name.to_string(),
                Param::BranchNet {
                    branch: format!("b{i}"),
                    net: format!("n{i}"),
                },
            )),
            // The last word, so that a field that ignores the choice shows.
            PTy::Choice(words) => params.push((p.name.to_string(), Param::Str(words[words.len() - 1].into()))),
            PTy::Numbers => params.push((p.name.to_string(), Param::List(vec![Param::Num(x), Param::Num(-x)]))),
            PTy::Networks => params.push((
                p.name.to_string(),
                Param::List(vec![Param::Str(format!("n{i}")), Param::Str(format!("m{i}"))]),
            )),
            PTy::NetFactors => params.push((
                p.name.to_string(),
                Param::List(vec![Param::List(vec![Param::Str(format!("n{i}")), Param::Num(x)])]),
            )),
            other => panic!("`{}.{}` is {other:?}, which no op field takes", b.name, p.name),
        }
    }
    (inputs, params)
}

/// The built-ins of `categories` are exactly `names`, each decodes through `decode` from what
/// its node binds, and keeps exactly its parameters (`shown`).
fn decodes_all<K>(
    categories: &[Category],
    names: &[&str],
    decode: impl Fn(&str, &Args) -> Option<Result<K, String>>,
    shown: impl Fn(&K) -> Vec<(&'static str, Param)>,
) {
    let builtins: Vec<_> = registry::all().filter(|b| categories.contains(&b.category)).collect();
    let mut language: Vec<&str> = builtins.iter().map(|b| b.name).collect();
    let mut plan = names.to_vec();
    language.sort();
    plan.sort();
    assert_eq!(plan, language);
    for b in builtins {
        let (inputs, mut params) = bound(b);
        let kind = decode(
            b.name,
            &Args {
                inputs: &inputs,
                params: &params,
            },
        )
        .unwrap_or_else(|| panic!("`{}` is not in the plan", b.name))
        .unwrap_or_else(|e| panic!("`{}` does not decode: {e}", b.name));
        let mut kept: Vec<(String, Param)> = shown(&kind).into_iter().map(|(n, p)| (n.to_string(), p)).collect();
        kept.sort_by(|a, b| a.0.cmp(&b.0));
        params.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(kept, params, "`{}` keeps other parameters than it was given", b.name);
    }
}

#[test]
fn every_op_and_loss_decodes_into_a_field_of_each_parameters_type() {
    decodes_all(
        &[Category::Op, Category::Math, Category::Loss],
        TensorOp::NAMES,
        TensorOp::decode,
        TensorOp::shown,
    );
}

#[test]
fn every_view_op_and_mask_decodes_into_a_field_of_each_parameters_type() {
    decodes_all(
        &[Category::View, Category::Mask],
        ViewOp::NAMES,
        ViewOp::decode,
        ViewOp::shown,
    );
}

#[test]
fn every_network_decodes_into_its_architecture() {
    decodes_all(&[Category::Network], NetKind::NAMES, NetKind::decode, NetKind::shown);
}

#[test]
fn every_source_optimiser_probe_and_job_decodes_into_its_kind() {
    decodes_all(
        &[Category::Source],
        SourceKind::NAMES,
        SourceKind::decode,
        SourceKind::shown,
    );
    decodes_all(
        &[Category::Optimizer],
        OptimizerKind::NAMES,
        OptimizerKind::decode,
        OptimizerKind::shown,
    );
    decodes_all(
        &[Category::Probe],
        ProbeKind::NAMES,
        ProbeKind::decode,
        ProbeKind::shown,
    );
    decodes_all(&[Category::Job], JobKind::NAMES, JobKind::decode, JobKind::shown);
}

#[test]
fn a_missing_input_is_an_error_not_a_default() {
    let params = vec![("temperature".to_string(), Param::Num(0.2))];
    let inputs = vec![("a".to_string(), 0)];
    let decoded = TensorOp::decode(
        "info_nce",
        &Args {
            inputs: &inputs,
            params: &params,
        },
    )
    .expect("a tensor op");
    assert!(decoded.unwrap_err().contains("`b`"));
}

/// The tensor ops for which `flag` holds, in the list's order.
fn marked(flag: fn(&str) -> bool) -> Vec<&'static str> {
    TensorOp::NAMES.iter().copied().filter(|n| flag(n)).collect()
}

#[test]
fn the_ops_marked_no_grad_are_the_ones_the_gradient_check_cuts_at() {
    assert_eq!(
        marked(registry::stops_gradient),
        [
            "sg",
            "sinkhorn",
            "batch_sinkhorn",
            "queue",
            "nearest",
            "count",
            "normal",
            "linspace",
            "eye",
            "vector"
        ]
    );
    assert!(!registry::stops_gradient("flip"), "not a tensor op");
}

#[test]
fn the_ops_marked_stateful_are_the_ones_the_probe_check_refuses() {
    // `queue` carries both marks.
    assert_eq!(marked(registry::keeps_state), ["center", "queue", "ema"]);
    assert!(!registry::keeps_state("random_resized_crop"), "not a tensor op");
}
