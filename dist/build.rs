//! Builds the C++ shim over c10d against the libtorch that `torch-sys` found, when the `tch`
//! feature is on; without it there is nothing to build. gloo's headers, which the wheel lacks,
//! come from Debian's libgloo-dev (`scripts/setup-torch.sh`); its library is never linked.

fn main() {
    println!("cargo:rerun-if-changed=shim/c10d.cpp");
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    #[cfg(feature = "tch")]
    shim::build();
}

#[cfg(feature = "tch")]
mod shim {
    use std::path::PathBuf;
    use std::process::Command;

    /// Whether libtorch was built with the C++11 ABI, from the PyTorch beside it (1 for every
    /// PyPI wheel since 2.7).
    fn cxx11_abi() -> String {
        let python = std::env::var("VIRTUAL_ENV")
            .map(|v| format!("{v}/bin/python"))
            .unwrap_or_else(|_| "python3".into());
        Command::new(python)
            .args(["-c", "import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|| "1".into())
    }

    pub fn build() {
        let lib = PathBuf::from(
            std::env::var("DEP_TCH_LIBTORCH_LIB").expect("torch-sys says where libtorch is (DEP_TCH_LIBTORCH_LIB)"),
        );
        let root = lib.parent().expect("libtorch's lib folder has a parent").to_path_buf();
        let include = root.join("include");
        let mut build = cc::Build::new();
        build
            .cpp(true)
            .file("shim/c10d.cpp")
            .include(&include)
            .include(include.join("torch/csrc/api/include"))
            .flag("-std=c++17")
            .flag(format!("-D_GLIBCXX_USE_CXX11_ABI={}", cxx11_abi()))
            .flag("-DGLOG_USE_GLOG_EXPORT")
            .flag("-DUSE_C10D_GLOO")
            .warnings(false);
        if cfg!(feature = "nccl") {
            build.define("SSLC_NCCL", None).define("USE_C10D_NCCL", None);
            // The CUDA and NCCL headers: a CUDA toolkit's (CUDA_HOME, /usr/local/cuda), and those
            // of the wheel's own nvidia packages beside torch (setup-torch.sh adds the C runtime
            // and CCCL headers the wheel leaves out).
            let toolkit = std::env::var("CUDA_HOME").unwrap_or_else(|_| "/usr/local/cuda".into());
            build.include(PathBuf::from(toolkit).join("include"));
            let site = root.parent().map(|p| p.join("nvidia")).unwrap_or_default();
            for dir in ["cu13/include", "nccl/include"] {
                build.include(site.join(dir));
            }
        }
        build.compile("sslc_c10d");
        println!("cargo:rustc-link-search=native={}", lib.display());
        println!("cargo:rustc-link-arg=-Wl,-rpath={}", lib.display());
        println!("cargo:rustc-link-lib=dylib=torch_cpu");
        println!("cargo:rustc-link-lib=dylib=c10");
        if cfg!(feature = "nccl") {
            println!("cargo:rustc-link-lib=dylib=torch_cuda");
        }
    }
}
