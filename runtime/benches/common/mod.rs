//! Timing shared by the benches and the examples: milliseconds per call after a warm-up call.

use std::time::Instant;

/// Milliseconds per call of `f` over `reps` calls, after one call to warm up; what `f` returns is
/// kept from the optimiser.
pub fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> f64 {
    f();
    let t = Instant::now();
    for _ in 0..reps {
        std::hint::black_box(f());
    }
    t.elapsed().as_secs_f64() * 1000.0 / reps as f64
}
