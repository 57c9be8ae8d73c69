//! Reading a recipe or a checkpoint's recipe, applying overrides and compiling it with its
//! diagnostics on stderr; and the exit status of a command that ran. Every command uses these.

use std::path::Path;
use std::process::ExitCode;

use sslc_compiler::{Compiled, compile, diag, plan};

use crate::settings::Overrides;

/// Reads a recipe, applies the overrides and compiles it, printing diagnostics to stderr. The
/// returned text is what was compiled (with the overrides in place).
pub fn load(path: &Path, overrides: &Overrides) -> Result<(String, Compiled), ExitCode> {
    crate::crash::working_on(&path.display().to_string());
    let original = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "{}",
                    not_utf8(&path.display().to_string(), e.as_bytes(), e.utf8_error())
                );
                return Err(ExitCode::FAILURE);
            }
        },
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return Err(ExitCode::from(2));
        }
    };
    load_text(&path.display().to_string(), &original, overrides)
}

/// The diagnostic for a file that is not UTF-8, drawn on its text with the bad bytes replaced
/// (up to the first of them the offsets agree).
fn not_utf8(name: &str, bytes: &[u8], e: std::str::Utf8Error) -> String {
    let offset = e.valid_up_to();
    let lossy = String::from_utf8_lossy(bytes);
    let d = diag::Diag::Lexical {
        span: sslc_compiler::span::Span::new(offset, offset + char::REPLACEMENT_CHARACTER.len_utf8()),
        problem: diag::Lexical::InvalidUtf8 {
            byte: bytes[offset],
            offset,
        },
    };
    diag::render(&d, name, &lossy)
}

/// As [`load`], for recipe text already read; `name` labels its diagnostics.
pub fn load_text(name: &str, original: &str, overrides: &Overrides) -> Result<(String, Compiled), ExitCode> {
    let list = overrides.collect().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    let src = match sslc_compiler::overrides::apply(original, &list) {
        Ok(s) => s,
        Err(diags) => {
            eprintln!("{}", diag::render_all(&diags, name, original));
            return Err(ExitCode::FAILURE);
        }
    };
    let compiled = compile(&src);
    if !compiled.diags.is_empty() {
        eprintln!("{}", diag::render_all(&compiled.diags, name, &src));
    }
    if compiled.has_errors() {
        return Err(ExitCode::FAILURE);
    }
    if overrides.deny_warnings && !compiled.diags.is_empty() {
        eprintln!(
            "error: {name} has {} warning(s), and --deny-warnings makes them errors",
            compiled.diags.len()
        );
        return Err(ExitCode::FAILURE);
    }
    Ok((src, compiled))
}

/// Reads a checkpoint and compiles the recipe it carries with `overrides`, printing what went
/// wrong to stderr.
pub fn load_checkpoint(
    path: &Path,
    overrides: &Overrides,
) -> Result<(sslc_runtime::checkpoint::Checkpoint, plan::Plan), ExitCode> {
    let ckpt = sslc_runtime::checkpoint::Checkpoint::read(path).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    let (_, compiled) = load_carried(&ckpt, overrides)?;
    let plan = compiled.plan.ok_or(ExitCode::FAILURE)?;
    Ok((ckpt, plan))
}

/// Compiles the recipe a checkpoint carries with `overrides`, as `load_text` does, under the
/// name `RECIPE (in CHECKPOINT)`.
pub fn load_carried(
    ckpt: &sslc_runtime::checkpoint::Checkpoint,
    overrides: &Overrides,
) -> Result<(String, Compiled), ExitCode> {
    let name = format!("{} (in {})", ckpt.meta.recipe_file, ckpt.path());
    crate::crash::working_on(&name);
    load_text(&name, &ckpt.meta.recipe, overrides)
}

/// The exit of a command that ran: success, or the runtime's error on stderr.
pub fn finish(result: Result<(), sslc_runtime::RunError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
