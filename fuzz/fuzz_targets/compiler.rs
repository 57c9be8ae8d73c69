//! One fuzz target for everything the compiler reads: the first byte picks what the rest is.
//! 0: a recipe, compiled and its diagnostics rendered; 1: a recipe and overrides (`\0`-separated
//! `path=value` lines after the recipe), applied and compiled; 2: a profile (YAML) applied to a
//! shipped recipe. Any panic, stack overflow or hang is a finding; diagnostics are not.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sslc_compiler::overrides::{Override, apply, profile};
use sslc_compiler::{compile, diag};

const RECIPE: &str = include_str!("../../recipes/flsl.ssl");

fn compile_and_render(src: &str) {
    let c = compile(src);
    let _ = diag::render_all(&c.diags, "fuzz.ssl", src);
}

fn with_overrides(src: &str, list: &[Override]) {
    match apply(src, list) {
        Ok(text) => compile_and_render(&text),
        Err(diags) => {
            let _ = diag::render_all(&diags, "fuzz.ssl", src);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    match mode % 3 {
        0 => compile_and_render(text),
        1 => {
            let mut parts = text.split('\0');
            let src = parts.next().unwrap_or_default();
            let list: Vec<Override> = parts.filter_map(|p| Override::parse(p).ok()).collect();
            with_overrides(src, &list);
        }
        _ => {
            if let Ok(list) = profile::read("fuzz.yaml", text) {
                with_overrides(RECIPE, &list);
            }
        }
    }
});
