//! Builds the C++ shim over libtorch's RecordFunction observer against the libtorch that
//! `torch-sys` found, when the `tch` feature is on; without it there is nothing to build.

#[cfg(feature = "tch")]
#[path = "../dist/build/libtorch.rs"]
mod libtorch;

fn main() {
    println!("cargo:rerun-if-changed=shim/opcount.cpp");
    println!("cargo:rerun-if-changed=../dist/build/libtorch.rs");
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    #[cfg(feature = "tch")]
    {
        libtorch::cpp("shim/opcount.cpp").compile("sslc_opcount");
        libtorch::link(&[]);
    }
}
