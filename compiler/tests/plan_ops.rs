//! The plan's typed ops agree with the registry: every op, loss, view op and mask of the language
//! decodes, each of its parameters lands in a field of the type the registry declares, and the
//! plan has no op the language lacks.

use sslc_compiler::plan::{Args, JobKind, NetKind, OptimizerKind, ProbeKind, TensorOp, ViewOp};
use sslc_compiler::registry::{self, Category, PTy};
use sslc_compiler::value::Param;

fn tensor_builtins() -> impl Iterator<Item = &'static registry::Builtin> {
    registry::all().filter(|b| matches!(b.category, Category::Op | Category::Loss))
}

#[test]
fn the_plan_has_one_op_for_each_op_and_loss_of_the_language() {
    let mut language: Vec<&str> = tensor_builtins().map(|b| b.name).collect();
    let mut plan: Vec<&str> = TensorOp::NAMES.to_vec();
    language.sort();
    plan.sort();
    assert_eq!(plan, language);
}

fn view_builtins() -> impl Iterator<Item = &'static registry::Builtin> {
    registry::all().filter(|b| matches!(b.category, Category::View | Category::Mask))
}

#[test]
fn the_plan_has_one_view_op_for_each_view_op_and_mask_of_the_language() {
    let mut language: Vec<&str> = view_builtins().map(|b| b.name).collect();
    let mut plan: Vec<&str> = ViewOp::NAMES.to_vec();
    language.sort();
    plan.sort();
    assert_eq!(plan, language);
}

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
            PTy::BranchNet => params.push((
                p.name.to_string(),
                Param::BranchNet {
                    branch: format!("b{i}"),
                    net: format!("n{i}"),
                },
            )),
            // The last word, so that a field that ignores the choice shows.
            PTy::Choice(words) => params.push((p.name.to_string(), Param::Str(words[words.len() - 1].into()))),
            other => panic!("`{}.{}` is {other:?}, which no op field takes", b.name, p.name),
        }
    }
    (inputs, params)
}

#[test]
fn every_view_parameter_decodes_into_a_field_of_its_type() {
    for b in view_builtins() {
        let (inputs, mut params) = bound(b);
        let op = ViewOp::decode(
            b.name,
            &Args {
                inputs: &inputs,
                params: &params,
            },
        )
        .unwrap_or_else(|| panic!("`{}` is not a view op of the plan", b.name))
        .unwrap_or_else(|e| panic!("`{}` does not decode: {e}", b.name));
        assert_eq!(op.name(), b.name);
        let mut shown: Vec<(String, Param)> = op.shown().into_iter().map(|(n, p)| (n.to_string(), p)).collect();
        shown.sort_by(|a, b| a.0.cmp(&b.0));
        params.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(shown, params, "`{}` keeps other parameters than it was given", b.name);
    }
}

#[test]
fn every_parameter_decodes_into_a_field_of_its_type() {
    for b in tensor_builtins() {
        let (inputs, mut params) = bound(b);
        let op = TensorOp::decode(
            b.name,
            &Args {
                inputs: &inputs,
                params: &params,
            },
        )
        .unwrap_or_else(|| panic!("`{}` is not a tensor op of the plan", b.name))
        .unwrap_or_else(|e| panic!("`{}` does not decode: {e}", b.name));
        assert_eq!(op.name(), b.name);
        let mut shown: Vec<(String, Param)> = op.shown().into_iter().map(|(n, p)| (n.to_string(), p)).collect();
        shown.sort_by(|a, b| a.0.cmp(&b.0));
        params.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(shown, params, "`{}` keeps other parameters than it was given", b.name);
    }
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

#[test]
fn every_network_of_the_language_decodes_into_its_architecture() {
    let networks: Vec<_> = registry::all().filter(|b| b.category == Category::Network).collect();
    let mut language: Vec<&str> = networks.iter().map(|b| b.name).collect();
    let mut plan: Vec<&str> = NetKind::NAMES.to_vec();
    language.sort();
    plan.sort();
    assert_eq!(plan, language);
    for b in networks {
        let (inputs, mut params) = bound(b);
        assert!(inputs.is_empty(), "`{}` takes no tensor", b.name);
        let kind = NetKind::decode(
            b.name,
            &Args {
                inputs: &[],
                params: &params,
            },
        )
        .unwrap_or_else(|| panic!("`{}` is not a network of the plan", b.name))
        .unwrap_or_else(|e| panic!("`{}` does not decode: {e}", b.name));
        let mut shown: Vec<(String, Param)> = kind.shown().into_iter().map(|(n, p)| (n.to_string(), p)).collect();
        shown.sort_by(|a, b| a.0.cmp(&b.0));
        params.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(shown, params, "`{}` keeps other settings than it was given", b.name);
    }
}

/// Every built-in of `category` decodes through `decode` and keeps exactly its parameters, and
/// `names` lists exactly them.
fn settings_decode<K>(
    category: Category,
    names: &[&str],
    decode: impl Fn(&str, &Args) -> Option<Result<K, String>>,
    shown: impl Fn(&K) -> Vec<(&'static str, Param)>,
) {
    let builtins: Vec<_> = registry::all().filter(|b| b.category == category).collect();
    let mut language: Vec<&str> = builtins.iter().map(|b| b.name).collect();
    let mut plan = names.to_vec();
    language.sort();
    plan.sort();
    assert_eq!(plan, language);
    for b in builtins {
        let (_, mut params) = bound(b);
        let kind = decode(
            b.name,
            &Args {
                inputs: &[],
                params: &params,
            },
        )
        .unwrap_or_else(|| panic!("`{}` is not in the plan", b.name))
        .unwrap_or_else(|e| panic!("`{}` does not decode: {e}", b.name));
        let mut kept: Vec<(String, Param)> = shown(&kind).into_iter().map(|(n, p)| (n.to_string(), p)).collect();
        kept.sort_by(|a, b| a.0.cmp(&b.0));
        params.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(kept, params, "`{}` keeps other settings than it was given", b.name);
    }
}

#[test]
fn every_optimiser_probe_and_job_decodes_into_its_kind() {
    settings_decode(
        Category::Optimizer,
        OptimizerKind::NAMES,
        OptimizerKind::decode,
        OptimizerKind::shown,
    );
    settings_decode(Category::Probe, ProbeKind::NAMES, ProbeKind::decode, ProbeKind::shown);
    settings_decode(Category::Job, JobKind::NAMES, JobKind::decode, JobKind::shown);
}

#[test]
fn the_ops_marked_no_grad_are_the_ones_the_gradient_check_cuts_at() {
    let cut: Vec<&str> = TensorOp::NAMES
        .iter()
        .copied()
        .filter(|n| registry::stops_gradient(n))
        .collect();
    assert_eq!(cut, ["sg", "sinkhorn"]);
    assert!(!registry::stops_gradient("flip"), "not a tensor op");
}
