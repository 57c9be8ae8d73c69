//! The C functions of `shim/c10d.cpp`, and the only `unsafe` of the crate: each call hands
//! c10d a group the shim made and tensors `tch` owns, and turns its error into a `String`.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char, c_int, c_void};

use tch::Tensor;
use torch_sys::C_tensor;

unsafe extern "C" {
    fn sslc_c10d_free_error(error: *mut c_char);
    fn sslc_c10d_new(
        backend: *const c_char,
        host: *const c_char,
        port: c_int,
        rank: c_int,
        size: c_int,
        hosted: c_int,
        timeout_ms: c_int,
        out: *mut *mut c_void,
        error: *mut *mut c_char,
    ) -> c_int;
    fn sslc_c10d_free(group: *mut c_void);
    fn sslc_c10d_all_reduce_sum(group: *mut c_void, tensor: *const C_tensor, error: *mut *mut c_char) -> c_int;
    fn sslc_c10d_all_gather(
        group: *mut c_void,
        input: *const C_tensor,
        output: *const C_tensor,
        error: *mut *mut c_char,
    ) -> c_int;
    fn sslc_c10d_broadcast(group: *mut c_void, tensor: *const C_tensor, root: c_int, error: *mut *mut c_char) -> c_int;
    fn sslc_c10d_barrier(group: *mut c_void, error: *mut *mut c_char) -> c_int;
    fn sslc_c10d_store_set(
        group: *mut c_void,
        key: *const c_char,
        value: *const u8,
        len: usize,
        error: *mut *mut c_char,
    ) -> c_int;
    fn sslc_c10d_store_check(
        group: *mut c_void,
        keys: *const *const c_char,
        count: usize,
        present: *mut c_int,
        error: *mut *mut c_char,
    ) -> c_int;
    fn sslc_c10d_store_get(
        group: *mut c_void,
        key: *const c_char,
        value: *mut *mut u8,
        len: *mut usize,
        error: *mut *mut c_char,
    ) -> c_int;
}

/// The outcome of a shim call: its message on failure, freed here.
fn outcome(status: c_int, error: *mut c_char) -> Result<(), String> {
    if status == 0 {
        return Ok(());
    }
    if error.is_null() {
        return Err("c10d failed without a message".into());
    }
    // SAFETY: the shim set `error` to a NUL-terminated string it allocated with malloc.
    let text = unsafe { CStr::from_ptr(error) }.to_string_lossy().into_owned();
    // SAFETY: freed once, by the allocator that made it.
    unsafe { sslc_c10d_free_error(error) };
    Err(text)
}

fn c_string(s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|_| format!("`{s}` holds a NUL byte"))
}

/// An owned c10d group (its store and backend), freed on drop.
#[derive(Debug)]
pub struct Raw(*mut c_void);

// SAFETY: c10d's process groups and stores are used from any thread by PyTorch itself; the
// pointer is owned here alone and freed once.
unsafe impl Send for Raw {}
// SAFETY: as above: c10d's collectives and store calls are thread-safe.
unsafe impl Sync for Raw {}

impl Drop for Raw {
    fn drop(&mut self) {
        // SAFETY: made by `sslc_c10d_new`, freed once here.
        unsafe { sslc_c10d_free(self.0) }
    }
}

pub fn new(
    backend: &str,
    host: &str,
    port: u16,
    (rank, size, hosted): (usize, usize, bool),
    timeout_ms: u64,
) -> Result<Raw, String> {
    let (backend, host) = (c_string(backend)?, c_string(host)?);
    let mut out = std::ptr::null_mut();
    let mut error = std::ptr::null_mut();
    let timeout = timeout_ms.min(i32::MAX as u64) as c_int;
    // SAFETY: valid C strings and out-pointers for the call's duration.
    let status = unsafe {
        sslc_c10d_new(
            backend.as_ptr(),
            host.as_ptr(),
            c_int::from(port),
            rank as c_int,
            size as c_int,
            c_int::from(hosted),
            timeout,
            &mut out,
            &mut error,
        )
    };
    outcome(status, error).map(|()| Raw(out))
}

pub fn all_reduce_sum(group: &Raw, tensor: &Tensor) -> Result<(), String> {
    let mut error = std::ptr::null_mut();
    // SAFETY: a live group and a live tensor, which c10d updates in place.
    let status = unsafe { sslc_c10d_all_reduce_sum(group.0, tensor.as_ptr(), &mut error) };
    outcome(status, error)
}

pub fn all_gather(group: &Raw, input: &Tensor, output: &Tensor) -> Result<(), String> {
    let mut error = std::ptr::null_mut();
    // SAFETY: live tensors; `output` is contiguous with `size` times `input`'s rows (the caller
    // made it so).
    let status = unsafe { sslc_c10d_all_gather(group.0, input.as_ptr(), output.as_ptr(), &mut error) };
    outcome(status, error)
}

pub fn broadcast(group: &Raw, tensor: &Tensor, root: usize) -> Result<(), String> {
    let mut error = std::ptr::null_mut();
    // SAFETY: a live group and tensor, which c10d fills in place.
    let status = unsafe { sslc_c10d_broadcast(group.0, tensor.as_ptr(), root as c_int, &mut error) };
    outcome(status, error)
}

pub fn barrier(group: &Raw) -> Result<(), String> {
    let mut error = std::ptr::null_mut();
    // SAFETY: a live group.
    let status = unsafe { sslc_c10d_barrier(group.0, &mut error) };
    outcome(status, error)
}

pub fn store_set(group: &Raw, key: &str, value: &[u8]) -> Result<(), String> {
    let key = c_string(key)?;
    let mut error = std::ptr::null_mut();
    // SAFETY: valid key and bytes for the call's duration.
    let status = unsafe { sslc_c10d_store_set(group.0, key.as_ptr(), value.as_ptr(), value.len(), &mut error) };
    outcome(status, error)
}

pub fn store_check(group: &Raw, keys: &[&str]) -> Result<bool, String> {
    let owned: Vec<CString> = keys.iter().map(|k| c_string(k)).collect::<Result<_, _>>()?;
    let pointers: Vec<*const c_char> = owned.iter().map(|k| k.as_ptr()).collect();
    let (mut present, mut error) = (0, std::ptr::null_mut());
    // SAFETY: `pointers` lives over the call and points into `owned`.
    let status = unsafe { sslc_c10d_store_check(group.0, pointers.as_ptr(), pointers.len(), &mut present, &mut error) };
    outcome(status, error).map(|()| present != 0)
}

pub fn store_get(group: &Raw, key: &str) -> Result<Vec<u8>, String> {
    let key = c_string(key)?;
    let (mut value, mut len, mut error) = (std::ptr::null_mut(), 0usize, std::ptr::null_mut());
    // SAFETY: valid key and out-pointers.
    let status = unsafe { sslc_c10d_store_get(group.0, key.as_ptr(), &mut value, &mut len, &mut error) };
    outcome(status, error)?;
    // SAFETY: the shim allocated `len` bytes at `value` with malloc.
    let bytes = unsafe { std::slice::from_raw_parts(value, len) }.to_vec();
    // SAFETY: freed once, by the allocator that made it.
    unsafe { sslc_c10d_free_error(value.cast()) };
    Ok(bytes)
}
