//! Loss functions over batched rows (vectors, or tokens flattened to rows). Each returns a `[1]`
//! scalar averaged over rows; `runtime/tests/losses.rs` checks each against a float64
//! computation of its formula, values and finite-difference gradients.

use burn::tensor::Tensor;
use burn::tensor::activation::{log_softmax, sigmoid, softmax};

use crate::tensor::l2norm;

/// Mean over rows of −cos(aᵢ, bᵢ) (BYOL, UniVIP).
pub fn neg_cosine(a: Tensor<2>, b: Tensor<2>) -> Tensor<1> {
    cosine(a, b).neg().mean()
}

/// Mean over rows of 2 − 2·cos(aᵢ, bᵢ) (FLSL's mean-shift term).
pub fn cosine_distance(a: Tensor<2>, b: Tensor<2>) -> Tensor<1> {
    cosine(a, b).mul_scalar(-2.0).add_scalar(2.0).mean()
}

/// Mean squared error over all elements.
pub fn mse(a: Tensor<1>, b: Tensor<1>) -> Tensor<1> {
    a.sub(b).powf_scalar(2.0).mean()
}

/// InfoNCE: row i of `a` against every row of `b`, cosine logits / t, positive on the diagonal
/// (SimCLR, MoCo v3): mean over i of −log softmax_j(cos(aᵢ, bⱼ)/t)[i].
pub fn info_nce(a: Tensor<2>, b: Tensor<2>, t: f32) -> Tensor<1> {
    let n = a.dims()[0];
    let logits = l2norm(a).matmul(l2norm(b).transpose()).div_scalar(t);
    let logp = log_softmax(logits, 1);
    let eye = Tensor::<2>::eye(n, &logp.device());
    logp.mul(eye).sum().div_scalar(-(n as f32))
}

/// KL of the mean prediction to uniform (FLSL): Σₖ p̄ₖ log p̄ₖ + log K, with p̄ the mean over rows
/// of softmax(x/t).
pub fn mean_entropy(x: Tensor<2>, t: f32) -> Tensor<1> {
    let k = x.dims()[1];
    let mean = softmax(x.div_scalar(t), 1).mean_dim(0);
    mean.clone()
        .mul(mean.clamp_min(1e-12).log())
        .sum()
        .add_scalar((k as f32).ln())
}

/// Cosine similarity of matching rows.
fn cosine(a: Tensor<2>, b: Tensor<2>) -> Tensor<1> {
    l2norm(a).mul(l2norm(b)).sum_dim(1).flatten(0, 1)
}

/// Mean absolute error on masked tokens only (SimMIM): Σ |p − t|·m / (Σ m · width), with `masked`
/// 1 on masked tokens.
pub fn masked_l1(pred: Tensor<3>, target: Tensor<3>, masked: Tensor<2>) -> Tensor<1> {
    let width = pred.dims()[2] as f32;
    let per_token = pred.sub(target).abs().sum_dim(2).squeeze_dim::<2>(2);
    let count = masked.clone().sum().clamp_min(1.0);
    per_token.mul(masked).sum().div(count).div_scalar(width)
}

/// Mean squared error on masked tokens only (MAE): Σ ‖p − t‖²·m / (Σ m · width).
pub fn masked_mse(pred: Tensor<3>, target: Tensor<3>, masked: Tensor<2>) -> Tensor<1> {
    let width = pred.dims()[2] as f32;
    let per_token = pred.sub(target).powf_scalar(2.0).sum_dim(2).squeeze_dim::<2>(2);
    let count = masked.clone().sum().clamp_min(1.0);
    per_token.mul(masked).sum().div(count).div_scalar(width)
}

/// Sigmoid binary cross-entropy of logits against 0/1 labels, averaged over every entry, in
/// the stable form max(x, 0) − x·y + log(1 + e^{−|x|}).
pub fn bce(logits: Tensor<2>, labels: Tensor<2>) -> Tensor<1> {
    let soft = logits.clone().abs().neg().exp().add_scalar(1.0).log();
    logits.clone().clamp_min(0.0).sub(logits.mul(labels)).add(soft).mean()
}

/// Cross-entropy of the student against the detached teacher: mean over rows of
/// −Σₖ softmax(b/τ_t)ₖ · log softmax(a/τ_s)ₖ (DINO, iBOT, FLSL). Centering, if any, is done by
/// the caller on `b`.
pub fn soft_ce(a: Tensor<2>, b: Tensor<2>, student_temp: f32, teacher_temp: f32) -> Tensor<1> {
    let q = softmax(b.div_scalar(teacher_temp), 1).detach();
    let logp = log_softmax(a.div_scalar(student_temp), 1);
    q.mul(logp).sum_dim(1).neg().mean()
}

/// UniGrad over all rows (SiameseIM): (1/D)·[mean ‖a − b‖² + λ·mean aᵀFa] with F = mean(b bᵀ);
/// `b` is the (detached) target.
pub fn unigrad(a: Tensor<2>, b: Tensor<2>, lambda: f32) -> Tensor<1> {
    let [rows, d] = a.dims();
    let f = b.clone().transpose().matmul(b.clone()).div_scalar(rows as f32);
    let align = a.clone().sub(b).powf_scalar(2.0).sum_dim(1).mean();
    let spread = a.clone().matmul(f).mul(a).sum_dim(1).mean();
    align.add(spread.mul_scalar(lambda)).div_scalar(d as f32)
}

/// DetCon-B over segment slots (CYBORGS): each online prediction against the target projections
/// of the other view (positives: same image and segment id, each weighted 1/#positives) and of
/// its own view (same image and id masked out), cosine logits / t; the two directions summed.
/// `image_a[i]`/`id_a[i]` say where slot i of view a comes from; rows with no positive count 0.
#[allow(clippy::too_many_arguments)]
pub fn detcon(
    pred_a: Tensor<2>,
    pred_b: Tensor<2>,
    proj_a: Tensor<2>,
    proj_b: Tensor<2>,
    owner_a: &[(usize, i64)],
    owner_b: &[(usize, i64)],
    t: f32,
) -> Tensor<1> {
    let one = |p: Tensor<2>, other: Tensor<2>, same: Tensor<2>, mine: &[(usize, i64)], theirs: &[(usize, i64)]| {
        let device = p.device();
        let (m, n) = (mine.len(), theirs.len());
        let p = l2norm(p);
        let cross = p.clone().matmul(l2norm(other).transpose()).div_scalar(t);
        let own = p.matmul(l2norm(same).transpose()).div_scalar(t);
        let mut positive = vec![0f32; m * n];
        let mut hide = vec![0f32; m * m];
        let mut rows_with = 0usize;
        for (i, a) in mine.iter().enumerate() {
            let count = theirs.iter().filter(|b| *b == a).count();
            rows_with += usize::from(count > 0);
            for (j, b) in theirs.iter().enumerate() {
                if a == b {
                    positive[i * n + j] = 1.0 / count as f32;
                }
            }
            for (j, b) in mine.iter().enumerate() {
                if a == b {
                    hide[i * m + j] = 1.0;
                }
            }
        }
        let positive = Tensor::<2>::from_data(burn::tensor::TensorData::new(positive, [m, n]), &device);
        let hide = Tensor::<2>::from_data(burn::tensor::TensorData::new(hide, [m, m]), &device);
        let own = own - hide.mul_scalar(1e9);
        let logp = log_softmax(Tensor::cat(vec![cross, own], 1), 1).narrow(1, 0, n);
        logp.mul(positive).sum().div_scalar(-(rows_with.max(1) as f32))
    };
    let ab = one(pred_a, proj_b.clone(), proj_a.clone(), owner_a, owner_b);
    let ba = one(pred_b, proj_a, proj_b, owner_b, owner_a);
    ab + ba
}

/// Asymmetric loss (Ridnik et al., ASL) of logits against 0/1 labels, summed over classes and
/// averaged over rows: −[y·(1 − p)^γ₊·log p + (1 − y)·p_m^γ₋·log(1 − p_m)] with p = σ(x) and the
/// shifted negative probability p_m = max(p − clip, 0).
pub fn asl(logits: Tensor<2>, labels: Tensor<2>, gamma_pos: f32, gamma_neg: f32, clip: f32) -> Tensor<1> {
    let rows = logits.dims()[0] as f32;
    let p = sigmoid(logits);
    let p_neg = p.clone().sub_scalar(clip).clamp_min(0.0);
    let pos = p
        .clone()
        .neg()
        .add_scalar(1.0)
        .powf_scalar(gamma_pos)
        .mul(p.clamp_min(1e-8).log());
    let neg = p_neg
        .clone()
        .powf_scalar(gamma_neg)
        .mul(p_neg.neg().add_scalar(1.0).clamp_min(1e-8).log());
    let negatives = labels.clone().neg().add_scalar(1.0);
    labels.mul(pos).add(negatives.mul(neg)).sum().div_scalar(-rows)
}

/// Each column scaled to zero mean and unit variance over the rows (biased, as BatchNorm).
fn standardise(x: Tensor<2>) -> Tensor<2> {
    let centred = x.clone().sub(x.mean_dim(0));
    let var = centred.clone().powf_scalar(2.0).mean_dim(0);
    centred.div(var.add_scalar(1e-5).sqrt())
}

/// Barlow Twins: with C = ẑ_aᵀẑ_b / N the cross-correlation of the standardised embeddings,
/// Σᵢ (1 − Cᵢᵢ)² + λ·Σ_{i≠j} Cᵢⱼ².
pub fn barlow_twins(a: Tensor<2>, b: Tensor<2>, lambda: f32) -> Tensor<1> {
    let [n, d] = a.dims();
    let c = standardise(a).transpose().matmul(standardise(b)).div_scalar(n as f32);
    let eye = Tensor::<2>::eye(d, &c.device());
    let on = c.clone().mul(eye.clone()).sum_dim(1).flatten::<1>(0, 1);
    let off = c.mul(eye.neg().add_scalar(1.0)).powf_scalar(2.0).sum();
    on.neg()
        .add_scalar(1.0)
        .powf_scalar(2.0)
        .sum()
        .add(off.mul_scalar(lambda))
}

/// VICReg's variance and covariance terms of one branch: mean over columns of
/// max(0, 1 − √(var + 1e-4)) (unbiased variance), and the squared off-diagonal covariances
/// summed and divided by the width.
fn vicreg_spread(x: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
    let [n, d] = x.dims();
    let centred = x.clone().sub(x.mean_dim(0));
    let var = centred
        .clone()
        .powf_scalar(2.0)
        .sum_dim(0)
        .div_scalar((n - 1).max(1) as f32);
    let std = var.add_scalar(1e-4).sqrt().flatten::<1>(0, 1);
    let hinge = std.neg().add_scalar(1.0).clamp_min(0.0).mean();
    let cov = centred
        .clone()
        .transpose()
        .matmul(centred)
        .div_scalar((n - 1).max(1) as f32);
    let eye = Tensor::<2>::eye(d, &cov.device());
    let off = cov
        .mul(eye.neg().add_scalar(1.0))
        .powf_scalar(2.0)
        .sum()
        .div_scalar(d as f32);
    (hinge, off)
}

/// VICReg: sim·mse(a, b) + var·(v(a) + v(b))/2 + cov·(c(a) + c(b)), with v and c the variance
/// hinge and off-diagonal covariance of each branch.
pub fn vicreg(a: Tensor<2>, b: Tensor<2>, sim: f32, var: f32, cov: f32) -> Tensor<1> {
    let invariance = a.clone().sub(b.clone()).powf_scalar(2.0).mean();
    let (va, ca) = vicreg_spread(a);
    let (vb, cb) = vicreg_spread(b);
    invariance
        .mul_scalar(sim)
        .add(va.add(vb).mul_scalar(var / 2.0))
        .add(ca.add(cb).mul_scalar(cov))
}
