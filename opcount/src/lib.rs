//! Counts the operators libtorch dispatches while a closure runs on the calling thread, by name, through its own
//! observer (RecordFunction, the hook torch.profiler reads), so that one training step of sslc
//! and one of a PyTorch script are counted the same way. Only one count runs at a time.
//!
//! Without the `tch` feature there is no libtorch to observe: [`count`] says so.

use std::collections::BTreeMap;

#[cfg(feature = "tch")]
mod ffi;

/// How many times each operator (`aten::mm`, ...) was dispatched, nested calls included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts(pub BTreeMap<String, u64>);

impl Counts {
    /// All the ATen operators (`aten::…`) counted.
    pub fn aten(&self) -> u64 {
        self.0
            .iter()
            .filter(|(k, _)| k.starts_with("aten::"))
            .map(|(_, n)| n)
            .sum()
    }

    /// Reads the "name\tcount" lines the shim hands back.
    pub fn parse(text: &str) -> Counts {
        let mut out = BTreeMap::new();
        for line in text.lines() {
            if let Some((name, n)) = line.rsplit_once('\t')
                && let Ok(n) = n.parse::<u64>()
            {
                *out.entry(name.to_string()).or_default() += n;
            }
        }
        Counts(out)
    }
}

/// Runs `f` and counts the operators libtorch dispatched meanwhile on this thread (where burn's
/// autodiff runs the backward too).
pub fn count<R>(f: impl FnOnce() -> R) -> Result<(R, Counts), String> {
    #[cfg(feature = "tch")]
    {
        ffi::start()?;
        let out = f();
        let text = ffi::stop()?;
        Ok((out, Counts::parse(&text)))
    }
    #[cfg(not(feature = "tch"))]
    {
        let _ = f;
        Err("counting libtorch's operators needs a build with the `tch` feature".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shims_lines_read_as_counts() {
        let c = Counts::parse("aten::mm\t3\naten::add\t2\nautograd::x\t5\nbroken line\n");
        assert_eq!(c.0.get("aten::mm"), Some(&3));
        assert_eq!(c.aten(), 5);
        assert_eq!(c.0.len(), 3);
    }
}
