//! Where libtorch is and how to compile C++ against it, for the build scripts of the crates
//! whose shims call into it (`sslc-dist`, `sslc-opcount`): the folder `torch-sys` found, its
//! headers, and the C++ ABI of the PyTorch beside it.

use std::path::PathBuf;
use std::process::Command;

/// Whether libtorch was built with the C++11 ABI, from the PyTorch beside it (1 for every PyPI
/// wheel since 2.7).
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

/// libtorch's `lib` folder, as `torch-sys` says.
pub fn lib() -> PathBuf {
    PathBuf::from(
        std::env::var("DEP_TCH_LIBTORCH_LIB").expect("torch-sys says where libtorch is (DEP_TCH_LIBTORCH_LIB)"),
    )
}

/// A C++17 build of `file` against libtorch's headers with its ABI.
pub fn cpp(file: &str) -> cc::Build {
    let root = lib()
        .parent()
        .expect("libtorch's lib folder has a parent")
        .to_path_buf();
    let include = root.join("include");
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .file(file)
        .include(&include)
        .include(include.join("torch/csrc/api/include"))
        .flag("-std=c++17")
        .flag(format!("-D_GLIBCXX_USE_CXX11_ABI={}", cxx11_abi()))
        .flag("-DGLOG_USE_GLOG_EXPORT")
        .warnings(false);
    build
}

/// Links libtorch's CPU library (and `extra`), found again at run time by rpath.
pub fn link(extra: &[&str]) {
    let lib = lib();
    println!("cargo:rustc-link-search=native={}", lib.display());
    println!("cargo:rustc-link-arg=-Wl,-rpath={}", lib.display());
    for name in ["torch_cpu", "c10"].iter().chain(extra) {
        println!("cargo:rustc-link-lib=dylib={name}");
    }
}
