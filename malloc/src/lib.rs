//! glibc's allocator set to keep freed memory in the heap for the next tensor: the one place
//! sslc calls C, and the one crate that allows `unsafe`, for that call alone.
//!
//! By default glibc serves each large buffer with a fresh `mmap` and returns it to the kernel on
//! `free`, so every op of a training step faults the pages of its output in again and the
//! kernel zeroes them; with a thread beside the main one it also keeps a second arena of freed
//! memory. `docs/results.md` ("glibc's allocator, kept") measures both.

/// The settings `keep_freed_memory` asks of glibc, as `mallopt` parameters and values.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const SETTINGS: [(libc::c_int, libc::c_int); 4] = [
    // One arena for every thread: a side thread's freed buffers serve the main thread's next op.
    (libc::M_ARENA_MAX, 1),
    // Buffers up to 256 MiB come from the heap, not from mmap.
    (libc::M_MMAP_THRESHOLD, 256 << 20),
    // Give the top of the heap back only when 1 GiB of it is free.
    (libc::M_TRIM_THRESHOLD, 1 << 30),
    // Grow the heap 64 MiB at a time.
    (libc::M_TOP_PAD, 64 << 20),
];

/// Asks glibc to keep freed memory for reuse (see the module's text), unless `GLIBC_TUNABLES`
/// is set: then the user's own settings stand. Call it first in `main`, before any thread
/// starts, so every thread shares one arena.
pub fn keep_freed_memory() {
    if std::env::var_os("GLIBC_TUNABLES").is_none() {
        apply();
    }
}

/// Sets `SETTINGS`; whether glibc took every one (those before a refused one stay set).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn apply() -> bool {
    SETTINGS.iter().all(|&(param, value)| {
        // SAFETY: `mallopt` only changes parameters of glibc's allocator; it takes the allocator's
        // lock itself, reads no memory of ours, and returns 0 for a value it does not accept.
        #[allow(unsafe_code)]
        let ok = unsafe { libc::mallopt(param, value) };
        ok == 1
    })
}

/// Not glibc: nothing to set.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn apply() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_every_setting() {
        // The test harness runs under whatever GLIBC_TUNABLES the caller set; `apply` is what
        // `keep_freed_memory` does without one.
        assert!(apply());
    }
}
