//! `sslc fmt`: rewrites recipes in the one layout (`syntax::format`), or with `--check` lists
//! those that are not in it. A file that does not parse is left as it is, its error shown; a
//! file is replaced whole (written beside it, then renamed over it), so nothing is half written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sslc_compiler::diag;

/// Formats `files` in place, or with `check` only reports the ones that would change.
pub fn run(files: &[PathBuf], check: bool) -> ExitCode {
    let mut failed = false;
    for f in files {
        match one(f, check) {
            Ok(true) if check => {
                println!("{}: not formatted", f.display());
                failed = true;
            }
            Ok(true) => println!("formatted {}", f.display()),
            Ok(false) => {}
            Err(message) => {
                eprintln!("{message}");
                failed = true;
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Whether `path` is (with `check`) or was (without) out of the layout.
fn one(path: &Path, check: bool) -> Result<bool, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("error: cannot read {name}: {e}"))?;
    let src = String::from_utf8(bytes).map_err(|_| format!("error: {name} is not UTF-8 text"))?;
    let formatted = sslc_compiler::syntax::format(&src).map_err(|d| diag::render(&d, &name, &src))?;
    if formatted == src {
        return Ok(false);
    }
    if !check {
        let tmp = path.with_extension("ssl.fmt-tmp");
        std::fs::write(&tmp, &formatted).map_err(|e| format!("error: cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("error: cannot replace {name}: {e}")
        })?;
    }
    Ok(true)
}
