//! What ops report about a step beside their values, when the trainer asks (at its log
//! interval): a loss with a teacher softmax reports the teacher's entropies, which tell a
//! collapse to the uniform distribution or to one prototype (`eval::collapse`).

use std::sync::Mutex;

use burn::tensor::Tensor;

/// Values ops reported, by the reporting step's index and a name, as `[1]` tensors read once
/// the step is done.
#[derive(Debug, Default)]
pub struct Observations {
    seen: Mutex<Vec<(usize, &'static str, Tensor<1>)>>,
}

impl Observations {
    /// Keeps `value` as step `step`'s `name`.
    pub fn record(&self, step: usize, name: &'static str, value: Tensor<1>) {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((step, name, value.detach()));
    }

    /// Everything reported since the last call, read.
    pub fn take(&self) -> Vec<(usize, &'static str, f64)> {
        let seen = std::mem::take(&mut *self.seen.lock().unwrap_or_else(|p| p.into_inner()));
        seen.into_iter()
            .filter_map(|(step, name, t)| {
                let v: Vec<f32> = t.try_into_vec_as().ok()?;
                Some((step, name, f64::from(*v.first()?)))
            })
            .collect()
    }
}

/// The entropies of a teacher distribution `q` `[rows, k]`: the mean over rows of each row's
/// (ln k when every row is uniform), and that of the mean row (0 when every row picks one
/// prototype).
pub fn teacher_entropies(q: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
    let q = q.detach();
    let h = |p: Tensor<2>| p.clone().mul(p.clamp_min(1e-12).log()).sum_dim(1).neg();
    let per_row = h(q.clone()).mean().reshape([1]);
    let mean = h(q.mean_dim(0)).reshape([1]);
    (per_row, mean)
}
