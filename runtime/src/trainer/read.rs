//! Reading the losses of the steps taken since the last read: one transfer from the device,
//! one collective across ranks, and the finiteness check naming the first bad step.

use burn::tensor::Tensor;

use super::{StepInfo, Trainer, Unread};
use crate::error::RunError;

impl Trainer {
    /// Whether steps were taken whose losses have not been read.
    pub fn unread(&self) -> usize {
        self.unread.len()
    }

    /// The steps taken since the last read, oldest first, their losses read from the device in
    /// one transfer (and, across ranks, averaged in one collective), and whether they were
    /// finite. A loss that is not finite stops the run, naming the first step it appeared at
    /// (the steps before it are read); the weights have by then taken the steps after it, so the
    /// last checkpoint is the good state.
    pub fn read(&mut self) -> (Vec<StepInfo>, Result<(), RunError>) {
        let mut infos = vec![];
        let checked = self.read_into(&mut infos);
        (infos, checked)
    }

    fn read_into(&mut self, infos: &mut Vec<StepInfo>) -> Result<(), RunError> {
        let unread = std::mem::take(&mut self.unread);
        if unread.is_empty() {
            return Ok(());
        }
        let all: Vec<Tensor<1>> = unread
            .iter()
            .flat_map(|u| u.terms.iter().chain([&u.total]).cloned())
            .collect();
        let mut values: Vec<f64> = Tensor::cat(all, 0)
            .try_into_vec_as::<f32>()
            .map_err(|e| RunError::Internal(format!("reading the losses: {e:?}")))?
            .into_iter()
            .map(f64::from)
            .collect();
        if crate::dist::world().is_some() {
            // Each rank's terms are the means over its rows (or the batch's own value, the same
            // on every rank): their mean over the ranks is the step's, on every rank alike.
            let ranks = crate::dist::size() as f64;
            values = crate::dist::sum_host(&values)?.into_iter().map(|v| v / ranks).collect();
        }
        let mut values = values.into_iter();
        for Unread { mut info, terms, .. } in unread {
            for (l, _) in self.plan.losses.iter().zip(&terms) {
                let v = values.next().unwrap_or(f64::NAN) as f32;
                info.terms.push((l.name.clone(), v));
            }
            info.loss = values.next().unwrap_or(f64::NAN) as f32;
            if let Some((name, v)) = info.terms.iter().find(|(_, v)| !v.is_finite()) {
                return Err(RunError::NonFinite {
                    step: info.step,
                    loss: name.clone(),
                    value: *v,
                });
            }
            infos.push(info);
        }
        Ok(())
    }
}
