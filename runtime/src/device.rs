//! The device a run uses, chosen from the backends this binary was built with.

use burn::tensor::Device;

/// The compute device of the backend compiled in (libtorch, wgpu, ndarray, else flex), without
/// autodiff; callers add `.autodiff()` for training.
pub fn default() -> Device {
    #[cfg(feature = "tch")]
    return Device::libtorch();
    #[cfg(all(feature = "wgpu", not(feature = "tch")))]
    return Device::wgpu(Default::default());
    #[cfg(all(feature = "ndarray", not(any(feature = "tch", feature = "wgpu"))))]
    return Device::ndarray();
    #[cfg(not(any(feature = "tch", feature = "wgpu", feature = "ndarray")))]
    Device::flex()
}
