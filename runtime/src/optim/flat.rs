//! AdamW over one flat buffer of all the trainable parameters, PyTorch's multi-tensor
//! (`_foreach`) AdamW: the moments, the decoupled decay and the update are a few operations over
//! the concatenated parameters and gradients, not a chain of operations per parameter, and the
//! parameters come back as views of the result. Elementwise it computes what burn's AdamW after
//! `Weights::decay` computes, operation for operation, so a run takes the same steps bit for bit.
//!
//! Clipping stays per parameter (burn's rule: each gradient to the norm, before the moments), but
//! its arithmetic after the norms runs once over a vector of them, as PyTorch's `_foreach_norm`
//! then one scale per gradient.
//! A parameter without a gradient this step (held, or a running statistic) keeps its value and
//! its moments, and its step count does not advance, as burn's optimiser skips it.

use std::collections::HashMap;

use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::{Bool, Device, Tensor, TensorData};

use crate::nets::Net;
use crate::tensor::as_vector;
use crate::weights::{Place, Rates, is_decayed};

/// The tag a checkpoint's flat AdamW state starts with.
const MAGIC: &[u8] = b"sslc flat adamw 1\n";

/// The optimiser's state: both moments over every parameter, in visiting order, and each
/// parameter's step count.
#[derive(Clone)]
pub struct FlatAdamW {
    pub betas: (f32, f32),
    pub eps: f32,
    /// Each gradient's norm clipped to this, parameter by parameter, as burn's optimisers clip.
    clip: Option<f32>,
    moments: Option<(Tensor<1>, Tensor<1>)>,
    /// Each parameter's steps taken, by position in visiting order.
    times: Vec<usize>,
    /// Per-element masks built for a pattern of parameters (which had no gradient, which decay),
    /// kept while the pattern holds (a byte an element).
    masks: HashMap<Vec<bool>, Tensor<1, Bool>>,
}

/// A parameter as the step sees it.
struct Slot {
    id: ParamId,
    len: usize,
    rank: usize,
    net: usize,
}

impl FlatAdamW {
    /// AdamW with `betas` and `eps`, each parameter's gradient clipped to norm `clip` when it
    /// is positive.
    pub fn new(betas: (f32, f32), eps: f32, clip: f64) -> FlatAdamW {
        FlatAdamW {
            betas,
            eps,
            clip: (clip > 0.0).then_some(clip as f32),
            moments: None,
            times: vec![],
            masks: HashMap::new(),
        }
    }

    /// One step of every parameter of `nets`: decay by `wd` at each parameter's rate (matrices
    /// and convolutions not `held`), then the Adam update.
    pub fn step(
        &mut self,
        nets: Vec<Net>,
        mut grads: GradientsParams,
        rates: &Rates,
        wd: f64,
        held: &[ParamId],
    ) -> Vec<Net> {
        let mut gather = Gather {
            net: 0,
            grads: &mut grads,
            slots: vec![],
            values: vec![],
            flat_grads: vec![],
        };
        for (n, net) in nets.iter().enumerate() {
            gather.net = n;
            net.visit(&mut gather);
        }
        let Gather {
            slots,
            values,
            mut flat_grads,
            ..
        } = gather;
        if slots.is_empty() {
            return nets;
        }
        if let Some(threshold) = self.clip {
            clip_norms(&mut flat_grads, threshold);
        }
        let total: usize = slots.iter().map(|s| s.len).sum();
        let device = values[0].device();
        let active: Vec<bool> = flat_grads.iter().map(Option::is_some).collect();
        let grad = Tensor::cat(
            flat_grads
                .into_iter()
                .zip(&slots)
                .map(|(g, s)| g.unwrap_or_else(|| Tensor::zeros([s.len], &device)))
                .collect(),
            0,
        );
        let theta = Tensor::cat(values, 0);
        if self.times.len() != slots.len() {
            self.times = vec![0; slots.len()];
            self.moments = None;
        }
        for (t, a) in self.times.iter_mut().zip(&active) {
            *t += usize::from(*a);
        }
        let all_active = active.iter().all(|a| *a);
        let inactive =
            (!all_active).then(|| self.mask(&slots, &active.iter().map(|a| !a).collect::<Vec<_>>(), &device));

        // Decoupled decay, θ·(1 − rate·wd), on the decayed parameters that step.
        let rate_of = |s: &Slot| rates.of(s.net, &s.id);
        let decayed: Vec<bool> = slots
            .iter()
            .map(|s| wd != 0.0 && is_decayed(s.rank, &s.id, held) && (1.0 - rate_of(s) * wd) as f32 != 1.0)
            .collect();
        let factor = |s: &Slot| (1.0 - rate_of(s) * wd) as f32;
        let mut decay_factors = slots.iter().zip(&decayed).filter(|(_, d)| **d).map(|(s, _)| factor(s));
        let first_factor = decay_factors.next();
        let theta = if let Some(f) = first_factor
            && decay_factors.all(|g| g.to_bits() == f.to_bits())
        {
            // One factor for every decayed parameter (no layer-wise or per-network rates): the
            // decayed elements scaled, the rest kept, under a mask built once.
            let mask = self.mask(&slots, &decayed, &device);
            theta.clone().mask_where(mask, theta.mul_scalar(f))
        } else if decayed.iter().any(|d| *d) {
            let factors = self.per_element(
                &slots,
                |i, s| {
                    if decayed[i] {
                        (1.0 - rate_of(s) * wd) as f32
                    } else {
                        1.0
                    }
                },
                &device,
            );
            theta.mul(factors)
        } else {
            theta
        };

        let (b1, b2) = self.betas;
        let (m, v) = match self.moments.take() {
            Some((m, v)) => (m, v),
            None => (Tensor::zeros([total], &device), Tensor::zeros([total], &device)),
        };
        let (m_old, v_old) = (
            inactive.as_ref().map(|_| m.clone()),
            inactive.as_ref().map(|_| v.clone()),
        );
        let squared = grad.clone().square();
        let mut m = m.mul_scalar(b1).add(grad.mul_scalar(1.0 - b1));
        let mut v = v.mul_scalar(b2).add(squared.mul_scalar(1.0 - b2));
        if let (Some(mask), Some(m_old), Some(v_old)) = (&inactive, m_old, v_old) {
            m = m.mask_where(mask.clone(), m_old);
            v = v.mask_where(mask.clone(), v_old);
        }
        // Bias corrections by each parameter's own step count (one number when they agree).
        let corrected = |x: Tensor<1>, beta: f32, this: &FlatAdamW| {
            let times = &this.times;
            let first = times
                .iter()
                .zip(&active)
                .find(|(_, a)| **a)
                .map(|(t, _)| *t)
                .unwrap_or(1);
            if times.iter().zip(&active).all(|(t, a)| !*a || *t == first) {
                x.div_scalar(1f32 - beta.powi(first as i32))
            } else {
                let c = this.per_element(&slots, |i, _| 1f32 - beta.powi(times[i].max(1) as i32), &device);
                x.div(c)
            }
        };
        let m_hat = corrected(m.clone(), b1, self);
        let v_hat = corrected(v.clone(), b2, self);
        let delta = m_hat.div(v_hat.sqrt().add_scalar(self.eps));
        let first_rate = slots.iter().zip(&active).find(|(_, a)| **a).map(|(s, _)| rate_of(s));
        let step = match first_rate {
            Some(r) if slots.iter().zip(&active).all(|(s, a)| !*a || rate_of(s) == r) => delta.mul_scalar(r),
            _ => delta.mul(self.per_element(&slots, |_, s| rate_of(s) as f32, &device)),
        };
        let mut updated = theta.clone() - step;
        if let Some(mask) = &inactive {
            updated = updated.mask_where(mask.clone(), theta);
        }
        self.moments = Some((m, v));
        let mut place = Place {
            flat: updated,
            at: 0,
            leaf: true,
        };
        nets.into_iter().map(|net| net.map(&mut place)).collect()
    }

    /// The state as bytes for a checkpoint: a tag, the step counts, then both moments as
    /// little-endian float32.
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let mut out = MAGIC.to_vec();
        let header = serde_json::json!({ "times": self.times }).to_string();
        out.extend((header.len() as u64).to_le_bytes());
        out.extend(header.as_bytes());
        if let Some((m, v)) = &self.moments {
            for t in [m, v] {
                let values: Vec<f32> = t.clone().try_into_vec_as().map_err(|e| format!("{e:?}"))?;
                out.extend(values.iter().flat_map(|x| x.to_le_bytes()));
            }
        }
        Ok(out)
    }

    /// Whether `bytes` hold this optimiser's state (not burn's record of another).
    pub fn holds(bytes: &[u8]) -> bool {
        bytes.starts_with(MAGIC)
    }

    /// Reads the state [`FlatAdamW::to_bytes`] wrote.
    pub fn load(&mut self, bytes: &[u8], device: &Device) -> Result<(), String> {
        let rest = bytes.strip_prefix(MAGIC).ok_or("is not a flat AdamW state")?;
        let (len, rest) = rest.split_at_checked(8).ok_or("ends in its header")?;
        let len = u64::from_le_bytes(len.try_into().map_err(|_| "a bad header length")?) as usize;
        let (header, rest) = rest.split_at_checked(len).ok_or("ends in its header")?;
        let header: serde_json::Value = serde_json::from_slice(header).map_err(|e| e.to_string())?;
        let times: Vec<usize> = serde_json::from_value(header["times"].clone()).map_err(|e| e.to_string())?;
        let floats: Vec<f32> = rest
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if rest.len() % 8 != 0 {
            return Err(format!(
                "holds {} bytes of moments, not two float32 buffers",
                rest.len()
            ));
        }
        let n = floats.len() / 2;
        self.moments = (n > 0).then(|| {
            let (m, v) = floats.split_at(n);
            (
                Tensor::from_data(TensorData::new(m.to_vec(), [n]), device),
                Tensor::from_data(TensorData::new(v.to_vec(), [n]), device),
            )
        });
        self.times = times;
        Ok(())
    }

    /// The mask that is true on the elements of the parameters marked in `pattern`.
    fn mask(&mut self, slots: &[Slot], pattern: &[bool], device: &Device) -> Tensor<1, Bool> {
        if let Some(m) = self.masks.get(pattern) {
            return m.clone();
        }
        let values: Vec<bool> = slots
            .iter()
            .zip(pattern)
            .flat_map(|(s, p)| std::iter::repeat_n(*p, s.len))
            .collect();
        let n = values.len();
        let mask = Tensor::<1, Bool>::from_data(TensorData::new(values, [n]), device);
        self.masks.insert(pattern.to_vec(), mask.clone());
        mask
    }

    /// A value per parameter, repeated over its elements. Only the values travel to the device,
    /// one number a run of parameters that share one; the repeats are made there (a model-sized
    /// upload every step would cost a GPU more than the update).
    fn per_element(&self, slots: &[Slot], value: impl Fn(usize, &Slot) -> f32, device: &Device) -> Tensor<1> {
        let mut runs: Vec<(f32, usize)> = vec![];
        for (i, s) in slots.iter().enumerate() {
            let v = value(i, s);
            match runs.last_mut() {
                Some((last, len)) if last.to_bits() == v.to_bits() => *len += s.len,
                _ => runs.push((v, s.len)),
            }
        }
        let values: Vec<f32> = runs.iter().map(|(v, _)| *v).collect();
        let n = values.len();
        let values = Tensor::<1>::from_data(TensorData::new(values, [n]), device);
        Tensor::cat(
            runs.iter()
                .enumerate()
                .map(|(k, (_, len))| values.clone().slice(k..k + 1).expand([*len]))
                .collect(),
            0,
        )
    }
}

/// Scales each gradient to norm at most `threshold` as burn's `GradientClipping::Norm` does,
/// g·min(1, threshold / (‖g‖ + f32::MIN_POSITIVE)), operation for operation: the norms are each
/// gradient's own (the same sums, so the same bits), the rest runs once over all of them.
fn clip_norms(grads: &mut [Option<Tensor<1>>], threshold: f32) {
    let present: Vec<usize> = (0..grads.len()).filter(|i| grads[*i].is_some()).collect();
    let squares: Vec<Tensor<1>> = present
        .iter()
        .filter_map(|i| grads[*i].clone())
        .map(|g| g.square().sum())
        .collect();
    if squares.is_empty() {
        return;
    }
    let scales = Tensor::cat(squares, 0)
        .sqrt()
        .add_scalar(f32::MIN_POSITIVE)
        .recip()
        .mul_scalar(threshold)
        .clamp_max(1.0);
    for (k, i) in present.into_iter().enumerate() {
        grads[i] = grads[i].take().map(|g| g.mul(scales.clone().slice(k..k + 1)));
    }
}

/// Collects every parameter flattened (plain device) and its gradient, in visiting order.
struct Gather<'a> {
    net: usize,
    grads: &'a mut GradientsParams,
    slots: Vec<Slot>,
    values: Vec<Tensor<1>>,
    flat_grads: Vec<Option<Tensor<1>>>,
}

impl ModuleVisitor for Gather<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let t = param.val().inner();
        let len = t.dims().iter().product::<usize>();
        self.values.push(as_vector(t));
        let g = self.grads.remove::<D>(param.id);
        self.flat_grads.push(g.map(as_vector));
        self.slots.push(Slot {
            id: param.id,
            len,
            rank: D,
            net: self.net,
        });
    }
}
