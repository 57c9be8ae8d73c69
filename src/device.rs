//! The `--device` option: which compiled-in backend (and which GPU) a command runs on.

use sslc_runtime::device;

/// The device option of the commands that run networks.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct DeviceArg {
    /// Backend and device: `flex`, `tch` (libtorch CPU), `tch:cuda`, `tch:cuda:1`, `wgpu`,
    /// `ndarray`, as compiled in (default: `SSLC_DEVICE`, else the fastest compiled in).
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
}

impl DeviceArg {
    /// As [`DeviceArg::resolve`], printing the problem and giving the usage exit code.
    pub fn resolve_or_exit(&self) -> Result<(device::Device, String), std::process::ExitCode> {
        self.resolve().map_err(|e| {
            eprintln!("error: --device: {e}");
            std::process::ExitCode::from(2)
        })
    }

    /// The device and its name for messages, once it has held a tensor.
    pub fn resolve(&self) -> Result<(device::Device, String), String> {
        let (d, name) = device::choose(self.device.as_deref())?;
        device::usable(&d, &name)?;
        Ok((d, name))
    }
}
