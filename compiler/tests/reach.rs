//! Which trainable networks each loss term reaches: through values that carry gradient, never
//! through `sg`, EMA or frozen branches.

use sslc_compiler::plan::Plan;

fn plan(src: &str) -> Plan {
    let compiled = sslc_compiler::compile(src);
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    compiled.plan.expect("a plan")
}

/// Each term's name and the networks it reaches, as `branch.network`.
fn reached(plan: &Plan) -> Vec<(String, Vec<String>)> {
    (0..plan.losses.len())
        .map(|i| {
            let nets = plan
                .reached_by(i)
                .into_iter()
                .map(|(b, n)| format!("{}.{}", plan.branch(b).expect("a branch").name, plan.net_name(n)))
                .collect();
            (plan.losses[i].name.clone(), nets)
        })
        .collect()
}

#[test]
fn byol_reaches_the_online_networks_and_never_the_target() {
    let r = reached(&plan(include_str!("../../recipes/byol.ssl")));
    assert_eq!(r.len(), 1);
    let (_, nets) = &r[0];
    assert_eq!(nets, &["online.backbone", "online.projector", "online.predictor"]);
}

#[test]
fn each_hybrid_term_reaches_its_own_head_and_the_backbone() {
    let r = reached(&plan(include_str!("../../recipes/hybrid.ssl")));
    let of = |term: &str| r.iter().find(|(t, _)| t == term).map(|(_, n)| n.clone()).expect(term);
    assert_eq!(of("multilabel"), ["online.backbone", "online.classifier"]);
    assert!(of("mim").contains(&"online.backbone".to_string()), "{:?}", of("mim"));
    assert!(of("mim").contains(&"online.decoder".to_string()));
    assert_eq!(of("contrastive"), ["online.backbone", "online.projector"]);
}

#[test]
fn stopped_and_frozen_values_hide_the_networks_behind_them() {
    let p = plan(
        r#"
data { source = scenes(size: 16, count: 32, holdout: 16) batch = 8 }
view v = image |> random_resized_crop(size: 16)
network backbone = vit(patch: 4, dim: 16, depth: 1, heads: 2)
network head = fc(out: 8)
branch online = trainable(backbone, head)
branch fixed = frozen(backbone)
let a = v |> online.backbone |> cls
let b = v |> fixed.backbone |> cls
loss mixed = mse(online.head(sg(a)), fixed.backbone(v) |> cls |> online.head)
loss both = mse(a, b)
optimizer = adamw(lr: 1e-3)
"#,
    );
    let r = reached(&p);
    // (A term that reaches nothing is an error of `check`: it could not train.)
    assert_eq!(r[0], ("mixed".into(), vec!["online.head".to_string()]));
    assert_eq!(r[1], ("both".into(), vec!["online.backbone".to_string()]));
}
