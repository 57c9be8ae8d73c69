//! `sslc fmt` on every recipe the repository holds (the shipped ones, the benchmarks', the run
//! tests' and the bad recipes of `tests/ui`): formatting twice is formatting once, every comment
//! survives, and the formatted recipe compiles to the same plan and the same diagnostics. The
//! shipped recipes are kept formatted, and the command rewrites files whole or not at all.

mod common;

use std::path::{Path, PathBuf};

use common::{output, ran};
use sslc_compiler::{compile, diag, plan, syntax};

/// The `.ssl` files of `dirs`, from the repository's root.
fn recipes(dirs: &[&str]) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).expect("a folder of recipes"))
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ssl"))
        .collect();
    files.sort();
    files
}

/// The comments of `src` as written, in order: a `#` outside a string, to the end of its line.
fn comments(src: &str) -> Vec<String> {
    let mut out = vec![];
    for line in src.lines() {
        let mut in_string = false;
        let mut escaped = false;
        for (i, ch) in line.char_indices() {
            match ch {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '#' if !in_string => {
                    out.push(line[i..].trim_end().to_string());
                    break;
                }
                _ => {}
            }
        }
    }
    out
}

/// What compiling `src` gives, without positions: the plan's text and each diagnostic's message.
fn meaning(src: &str) -> (Option<String>, Vec<String>) {
    let c = compile(src);
    let mut diags: Vec<String> = c
        .diags
        .iter()
        .map(|d| {
            let m = diag::to_miette(d);
            format!("{} {} {:?}", d.code(), m.message, m.help)
        })
        .collect();
    diags.sort();
    (c.plan.as_ref().map(plan::to_text), diags)
}

#[test]
fn formatting_is_idempotent_and_keeps_every_comment_and_the_meaning() {
    let files = recipes(&["recipes", "bench/recipes", "tests/run", "tests/ui"]);
    assert!(files.len() > 100, "{} recipes", files.len());
    let mut refused = 0;
    for f in &files {
        let src = std::fs::read_to_string(f).expect("readable");
        let name = f.display();
        match syntax::format(&src) {
            Ok(once) => {
                let twice = syntax::format(&once).unwrap_or_else(|e| panic!("{name}: formatted text fails: {e:?}"));
                assert_eq!(twice, once, "{name}: a second formatting changes it");
                assert_eq!(comments(&once), comments(&src), "{name}: comments changed");
                assert_eq!(meaning(&once), meaning(&src), "{name}: compiles otherwise");
            }
            Err(_) => {
                refused += 1;
                assert!(meaning(&src).1.len() == 1, "{name}: refused, yet it parses");
            }
        }
    }
    // The bad recipes of tests/ui that are bad in their syntax.
    assert!((3..20).contains(&refused), "{refused} refused");
}

#[test]
fn the_shipped_recipes_are_formatted() {
    let files = recipes(&["recipes", "bench/recipes"]);
    let mut args = vec!["fmt", "--check"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let (ok, out, err) = ran(&args);
    assert!(ok, "run `sslc fmt recipes/*.ssl bench/recipes/*.ssl`:\n{out}{err}");
}

#[test]
fn fmt_rewrites_files_whole_and_leaves_a_broken_one_as_it_was() {
    let dir = std::env::temp_dir().join(format!("sslc-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let (messy, broken) = (dir.join("messy.ssl"), dir.join("broken.ssl"));
    let messy_text = "network  b=vit( patch:4 )  # the encoder\nlet z=b(v)|>cls\n";
    let broken_text = "let z = b(v |> cls\n";
    std::fs::write(&messy, messy_text).expect("written");
    std::fs::write(&broken, broken_text).expect("written");
    let (m, b) = (messy.display().to_string(), broken.display().to_string());

    // --check reports and changes nothing.
    let (code, out, _) = output(&["fmt", "--check", &m]);
    assert_eq!(code, Some(1));
    assert!(out.contains("messy.ssl: not formatted"), "{out}");
    assert_eq!(std::fs::read_to_string(&messy).expect("read"), messy_text);

    // One broken file fails the command, names its error and stays as it was; the other is
    // rewritten.
    let (code, out, err) = output(&["fmt", &m, &b]);
    assert_eq!(code, Some(1));
    assert!(out.contains("formatted") && err.contains("broken.ssl"), "{out}{err}");
    assert_eq!(std::fs::read_to_string(&broken).expect("read"), broken_text);
    assert_eq!(
        std::fs::read_to_string(&messy).expect("read"),
        "network b = vit(patch: 4)  # the encoder\nlet z = b(v) |> cls\n"
    );
    assert!(ran(&["fmt", "--check", &m]).0, "formatted once, it stays formatted");
    let leftovers = std::fs::read_dir(&dir).expect("listed").count();
    assert_eq!(leftovers, 2, "no temporary file is left behind");
    let _ = std::fs::remove_dir_all(&dir);
}
