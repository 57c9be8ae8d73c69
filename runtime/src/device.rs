//! The device a run uses, chosen at run time among the backends this binary was built with:
//! `--device NAME`, else the `SSLC_DEVICE` environment variable, else the fastest compiled in.

#![allow(deprecated)] // burn-tch and burn-ndarray are deprecated upstream; they stay opt-in here.

pub use burn::tensor::Device;

/// Device names this binary accepts, the preferred one first.
pub fn names() -> Vec<&'static str> {
    let mut v = vec![];
    if cfg!(feature = "tch") {
        v.extend(["tch", "tch:cuda", "tch:cuda:N", "tch:mps"]);
    }
    if cfg!(feature = "wgpu") {
        v.push("wgpu");
    }
    if cfg!(feature = "flex") {
        v.push("flex");
    }
    if cfg!(feature = "ndarray") {
        v.push("ndarray");
    }
    v
}

/// The device named `name` (one of [`names`]; `tch` is libtorch on the CPU, `tch:cuda` its
/// first GPU, `tch:cuda:1` the second), without autodiff; callers add `.autodiff()` to train.
pub fn parse(name: &str) -> Result<Device, String> {
    let unknown = || {
        format!(
            "unknown device `{name}`; this binary offers: {} (other backends are cargo features: \
             flex, tch, wgpu, ndarray)",
            names().join(", ")
        )
    };
    match name.split(':').collect::<Vec<_>>().as_slice() {
        #[cfg(feature = "tch")]
        ["tch"] | ["tch", "cpu"] => Ok(Device::libtorch()),
        #[cfg(feature = "tch")]
        ["tch", "cuda"] => Ok(Device::libtorch_cuda(0)),
        #[cfg(feature = "tch")]
        ["tch", "cuda", i] => i.parse::<usize>().map(Device::libtorch_cuda).map_err(|_| unknown()),
        #[cfg(feature = "tch")]
        ["tch", "mps"] => Ok(Device::libtorch_mps()),
        #[cfg(feature = "wgpu")]
        ["wgpu"] => Ok(Device::wgpu(Default::default())),
        #[cfg(feature = "flex")]
        ["flex"] => Ok(Device::flex()),
        #[cfg(feature = "ndarray")]
        ["ndarray"] => Ok(Device::ndarray()),
        _ => Err(unknown()),
    }
}

/// The device named by `flag` if given, else by `SSLC_DEVICE` if set, else the first of
/// [`names`], with the name it goes by in messages. An unknown name is an error.
pub fn choose(flag: Option<&str>) -> Result<(Device, String), String> {
    if let Some(name) = flag {
        return parse(name).map(|d| (d, name.to_string()));
    }
    match std::env::var("SSLC_DEVICE") {
        Ok(name) if !name.is_empty() => parse(&name)
            .map(|d| (d, name.clone()))
            .map_err(|e| format!("SSLC_DEVICE: {e}")),
        _ => Ok((preferred(), preferred_name().to_string())),
    }
}

/// Whether `device` can hold a tensor, asked before a run starts. Backends report a missing
/// adapter or driver by panicking on first use (wgpu's `AdapterUnavailable`); this catches that
/// and says it as an error naming the device. The process's panic hook is silenced meanwhile, so
/// the probe prints nothing of its own.
pub fn usable(device: &Device, name: &str) -> Result<(), String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let probe = std::panic::catch_unwind(|| burn::tensor::Tensor::<1>::zeros([1], device).into_data());
    std::panic::set_hook(hook);
    probe.map(|_| ()).map_err(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "it failed on first use".into());
        format!(
            "device `{name}` cannot be used: {}",
            why.lines().next().unwrap_or_default()
        )
    })
}

/// Whether `device` is an accelerator (a GPU), where views are made on the device by default.
/// burn's dispatch device says which backend it is, not what hardware: its description does.
pub fn is_accelerator(device: &Device) -> bool {
    let described = format!("{device:?}");
    ["Cuda", "Mps", "Wgpu", "Vulkan", "Metal", "Hip", "Rocm"]
        .iter()
        .any(|kind| described.contains(kind))
}

/// [`choose`] without a flag: `SSLC_DEVICE`, else the first of [`names`].
pub fn from_env() -> Result<Device, String> {
    choose(None).map(|(device, _)| device)
}

/// The device tests and benches use: [`from_env`], panicking on a bad `SSLC_DEVICE`.
pub fn default() -> Device {
    from_env().unwrap_or_else(|e| panic!("{e}"))
}

/// The fastest backend compiled in: libtorch, wgpu, flex, ndarray.
fn preferred() -> Device {
    #[cfg(feature = "tch")]
    return Device::libtorch();
    #[cfg(all(feature = "wgpu", not(feature = "tch")))]
    return Device::wgpu(Default::default());
    #[cfg(all(feature = "flex", not(any(feature = "tch", feature = "wgpu"))))]
    return Device::flex();
    #[cfg(all(feature = "ndarray", not(any(feature = "tch", feature = "wgpu", feature = "flex"))))]
    return Device::ndarray();
    #[cfg(not(any(feature = "tch", feature = "wgpu", feature = "flex", feature = "ndarray")))]
    compile_error!("sslc-runtime needs a backend feature: flex, tch, wgpu or ndarray")
}

/// The name of the default device's backend, for messages.
pub fn preferred_name() -> &'static str {
    names().first().copied().unwrap_or("none")
}
