//! burn's random generator is one per process: seeding it and drawing from it happen under one lock.

use std::sync::Mutex;

use crate::device::Device;

static GENERATOR: Mutex<()> = Mutex::new(());

/// Seeds the device's generator with `seed` and runs `draw` while no other thread of this
/// process can reseed it, so that what `draw` takes depends on `seed` alone. Two trainers in
/// one process (tests, a probe's untrained baseline beside a run) take turns here.
pub fn seeded<T>(device: &Device, seed: u64, draw: impl FnOnce() -> T) -> T {
    let _turn = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    device.seed(seed);
    draw()
}
