//! The C functions of `shim/opcount.cpp`, and the only `unsafe` of the crate.
#![allow(unsafe_code)]

use std::ffi::{CStr, c_char, c_int};

unsafe extern "C" {
    fn sslc_opcount_start() -> c_int;
    fn sslc_opcount_stop() -> *mut c_char;
    fn sslc_opcount_free(text: *mut c_char);
}

/// Starts the observer; an error when one runs already.
pub fn start() -> Result<(), String> {
    // SAFETY: takes nothing; the shim guards its state with a lock.
    match unsafe { sslc_opcount_start() } {
        0 => Ok(()),
        _ => Err("operators are being counted already".into()),
    }
}

/// Stops the observer and returns its "name\tcount" lines.
pub fn stop() -> Result<String, String> {
    // SAFETY: the shim hands back a malloc'd C string or null, freed below once copied.
    unsafe {
        let text = sslc_opcount_stop();
        if text.is_null() {
            return Err("no count was running".into());
        }
        let out = CStr::from_ptr(text).to_string_lossy().into_owned();
        sslc_opcount_free(text);
        Ok(out)
    }
}
