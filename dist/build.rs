//! Builds the C++ shim over c10d against the libtorch that `torch-sys` found, when the `tch`
//! feature is on; without it there is nothing to build. gloo's headers, which the wheel lacks,
//! come from Debian's libgloo-dev (`scripts/setup-torch.sh`); its library is never linked.

#[cfg(feature = "tch")]
#[path = "build/libtorch.rs"]
mod libtorch;

fn main() {
    println!("cargo:rerun-if-changed=shim/c10d.cpp");
    println!("cargo:rerun-if-changed=build/libtorch.rs");
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    #[cfg(feature = "tch")]
    shim();
}

#[cfg(feature = "tch")]
fn shim() {
    use std::path::PathBuf;

    let mut build = libtorch::cpp("shim/c10d.cpp");
    build.flag("-DUSE_C10D_GLOO");
    if cfg!(feature = "nccl") {
        build.define("SSLC_NCCL", None).define("USE_C10D_NCCL", None);
        // The CUDA and NCCL headers: a CUDA toolkit's (CUDA_HOME, /usr/local/cuda), and those of
        // the wheel's own nvidia packages beside torch (setup-torch.sh adds the C runtime and
        // CCCL headers the wheel leaves out).
        let toolkit = std::env::var("CUDA_HOME").unwrap_or_else(|_| "/usr/local/cuda".into());
        build.include(PathBuf::from(toolkit).join("include"));
        let root = libtorch::lib().parent().map(PathBuf::from).unwrap_or_default();
        let site = root.parent().map(|p| p.join("nvidia")).unwrap_or_default();
        for dir in ["cu13/include", "nccl/include"] {
            build.include(site.join(dir));
        }
    }
    build.compile("sslc_c10d");
    libtorch::link(if cfg!(feature = "nccl") { &["torch_cuda"] } else { &[] });
}
