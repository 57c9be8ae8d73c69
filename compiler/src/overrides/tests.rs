//! Overrides in, recipe text out: each kind of path, and every order of overrides on one path.

use super::*;

const SRC: &str = "data {\n  source = scenes(size: 32)\n  batch = 64\n}\nview v1 = image |> random_resized_crop(size: 32) |> blur(p: 1.0)\nnetwork backbone = vit(patch: 4, dim: 64, depth: 4, heads: 4)\noptimizer = adamw(lr: 1e-3)\nloss l = soft_ce(a, b) + soft_ce(c, d, teacher_temp: 0.04)\ntrain {\n  epochs = 8\n}\n";

fn set(path: &str, value: &str) -> Override {
    Override::new(path, value)
}

#[test]
fn settings_arguments_and_nested_calls_are_replaced_or_added() {
    let out = apply(
        SRC,
        &[
            set("train.epochs", "300"),
            set("train.seed", "7"),
            set("data.source.size", "224"),
            set("backbone.dim", "384"),
            set("backbone.mlp_ratio", "4"),
            set("optimizer.weight_decay", "cosine(0.04, 0.4)"),
            set("v1.random_resized_crop.size", "224"),
            set("v1.p", "0.5"),
            set("l.soft_ce.teacher_temp", "0.07"),
        ],
    )
    .expect("applies");
    assert!(out.contains("epochs = 300"));
    assert!(out.contains("  seed = 7\n}"));
    assert!(out.contains("scenes(size: 224)"));
    assert!(out.contains("vit(patch: 4, dim: 384, depth: 4, heads: 4, mlp_ratio: 4)"));
    assert!(out.contains("adamw(lr: 1e-3, weight_decay: cosine(0.04, 0.4))"));
    assert!(out.contains("random_resized_crop(size: 224) |> blur(p: 0.5)"));
    assert!(out.contains("soft_ce(a, b, teacher_temp: 0.07) + soft_ce(c, d, teacher_temp: 0.07)"));
    assert!(crate::syntax::parse(&out).is_ok(), "{out}");
}

#[test]
fn a_path_to_nothing_is_reported_with_a_suggestion() {
    let err = apply(SRC, &[set("backbon.dim", "8")]).expect_err("no such name");
    let Diag::Override { help, .. } = &err[0] else {
        panic!("{err:?}")
    };
    assert_eq!(help.as_deref(), Some("did you mean `backbone`?"));
    assert!(apply(SRC, &[set("train", "1")]).is_err());
    assert!(Override::parse("train.epochs").is_err());
    let parsed = Override::parse(" train.epochs = 3 ").expect("parses");
    assert_eq!((parsed.path.as_str(), parsed.value.as_str()), ("train.epochs", "3"));
}

#[test]
fn a_loss_weight_is_replaced_or_added() {
    let weighted = SRC.replace("loss l =", "loss l weight 5 =");
    let out = apply(&weighted, &[set("l.weight", "1")]).expect("applies");
    assert!(out.contains("loss l weight 1 = soft_ce"), "{out}");
    let out = apply(SRC, &[set("l.weight", "cosine(1, 0)")]).expect("applies");
    assert!(out.contains("loss l weight cosine(1, 0) = soft_ce"), "{out}");
    assert!(crate::syntax::parse(&out).is_ok(), "{out}");
    // Only losses have weights.
    assert!(apply(SRC, &[set("backbone.weight", "1")]).is_ok_and(|o| o.contains("weight: 1")));
}

/// Every kind of path this file's recipe offers, with two values for it.
const PATHS: &[(&str, &str, &str)] = &[
    ("train.epochs", "123456", "2"),
    ("train.seed", "7", "9"),
    ("data.batch", "64", "6"),
    ("data.source", "scenes(size: 16)", "fashion_mnist(size: 28)"),
    ("data.source.size", "224", "96"),
    ("data.source.count", "10", "20"),
    ("backbone.dim", "384", "128"),
    ("backbone.mlp_ratio", "4", "2"),
    ("optimizer.lr", "1e-3", "warmup(epochs: 1, then: cosine(1e-3, 0))"),
    ("optimizer.weight_decay", "0.1", "0.2"),
    ("v1.p", "0.5", "0.25"),
    ("v1.random_resized_crop.size", "224", "96"),
    ("v1.blur.sigma", "1", "2"),
    ("l.soft_ce.teacher_temp", "0.07", "0.04"),
    ("l.weight", "5", "cosine(1, 0)"),
];

#[test]
fn a_later_override_of_the_same_path_wins_as_if_alone() {
    for (path, first, second) in PATHS {
        let alone = apply(SRC, &[set(path, second)]).expect("applies");
        let both = apply(SRC, &[set(path, first), set(path, second)]).expect("applies");
        assert_eq!(both, alone, "{path} = {first} then {second}");
        let thrice = apply(SRC, &[set(path, second), set(path, first), set(path, second)]).expect("applies");
        assert_eq!(thrice, alone, "{path} three times");
    }
}

#[test]
fn overrides_of_different_paths_commute_whatever_they_move() {
    // Every pair, in both orders: an earlier edit that lengthens or shortens the text must not
    // shift where a later one lands.
    for (a, a1, _) in PATHS {
        for (b, _, b2) in PATHS {
            if a == b || a.starts_with(&format!("{b}.")) || b.starts_with(&format!("{a}.")) {
                continue;
            }
            let ab = apply(SRC, &[set(a, a1), set(b, b2)]).expect("applies");
            let ba = apply(SRC, &[set(b, b2), set(a, a1)]).expect("applies");
            assert_eq!(ab, ba, "{a} and {b}");
            assert!(crate::syntax::parse(&ab).is_ok(), "{ab}");
        }
    }
}

#[test]
fn a_call_and_then_its_argument_or_the_argument_and_then_the_call() {
    let out = apply(
        SRC,
        &[
            set("data.source", "fashion_mnist(size: 28)"),
            set("data.source.size", "64"),
        ],
    )
    .expect("applies");
    assert!(out.contains("source = fashion_mnist(size: 64)"), "{out}");
    let out = apply(
        SRC,
        &[
            set("data.source.size", "64"),
            set("data.source", "fashion_mnist(size: 28)"),
        ],
    )
    .expect("applies");
    assert!(out.contains("source = fashion_mnist(size: 28)"), "{out}");
    // A setting added by one override is there for the next to change.
    let out = apply(SRC, &[set("train.probe", "knn(k: 5)"), set("train.probe.k", "7")]).expect("applies");
    assert!(out.contains("probe = knn(k: 7)"), "{out}");
    assert_eq!(out.matches("probe =").count(), 1, "{out}");
}

#[test]
fn a_nested_call_to_the_same_op_is_replaced_once_by_the_outer_argument() {
    let src = SRC.replace(
        "soft_ce(a, b)",
        "soft_ce(a, b, teacher_temp: soft_ce(c, d, teacher_temp: 1))",
    );
    let out = apply(&src, &[set("l.soft_ce.teacher_temp", "0.5")]).expect("applies");
    assert!(
        out.contains("loss l = soft_ce(a, b, teacher_temp: 0.5) + soft_ce(c, d, teacher_temp: 0.5)"),
        "{out}"
    );
}

#[test]
fn a_value_is_one_expression_and_cannot_add_declarations() {
    for value in [
        "1 }\nview x = image\ntrain {",
        "1 loss x = mse(a, b)",
        "(1",
        "cosine(1, 0",
        "1 2",
        "\"open",
    ] {
        let err = apply(SRC, &[set("train.epochs", value)]).expect_err(value);
        assert!(matches!(err[0], Diag::Override { .. }), "{value}: {err:?}");
    }
    // The recipe is untouched by a refused override, and the other overrides are still judged.
    let err = apply(SRC, &[set("train.epochs", "1 }"), set("nothing.x", "1")]).expect_err("two errors");
    assert_eq!(err.len(), 2, "{err:?}");
}

#[test]
fn an_error_points_at_the_set_argument_not_at_the_recipe() {
    let o = Override::parse("train.epochs=3)").expect("path=value");
    let err = apply(SRC, &[o]).expect_err("not one value");
    let Diag::Override { origin: Some(at), .. } = &err[0] else {
        panic!("{err:?}")
    };
    assert_eq!(at.name, "--set");
    assert_eq!(&at.text[at.span.start..at.span.end], ")");
    let rendered = crate::diag::render(&err[0], "recipe.ssl", SRC);
    assert!(rendered.contains("[--set:1:"), "{rendered}");
    assert!(!rendered.contains("recipe.ssl"), "{rendered}");
    let o = Override::parse("backbon.dim=8").expect("path=value");
    let err = apply(SRC, &[o]).expect_err("no such name");
    let Diag::Override { origin: Some(at), .. } = &err[0] else {
        panic!("{err:?}")
    };
    assert_eq!(&at.text[at.span.start..at.span.end], "backbon.dim=8");
}
