//! The compiler never panics, whatever the input: every recipe and bad recipe is mutated
//! thousands of ways (truncated, cut, spliced, tokens inserted, lines swapped) and random token
//! soup is generated from the language's words; each must compile to diagnostics or a plan.

use std::panic;

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "data",
    "view",
    "mask",
    "network",
    "branch",
    "let",
    "loss",
    "weight",
    "optimizer",
    "train",
    "job",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "=",
    ",",
    ":",
    "|>",
    "+",
    "-",
    "*",
    "/",
    ".",
    "\n",
    "#",
    "\"",
    "0",
    "1",
    "-1",
    "1e9",
    "0.5",
    "1e-400",
    "nan",
    "true",
    "image",
    "boxes",
    "segments",
    "labels",
    "online",
    "target",
    "backbone",
    "sg",
    "cls",
    "ema",
    "vit",
    "mlp",
    "fc",
    "crop_pair",
    "box_crops",
    "overlap_boxes",
    "sinkhorn",
    "attend",
    "select",
    "concat_views",
    "segment_pool",
    "unigrad",
    "detcon",
    "info_nce",
    "linear",
    "cosine",
    "warmup",
    "x[2]",
    "x[0]",
    "a, b",
    "size:",
    "k:",
    "p:",
    "é",
    "\u{0}",
    "🙂",
];

fn sources() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out = vec![];
    for dir in ["recipes", "tests/ui", "tests/run"] {
        let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "ssl")) {
            out.push(std::fs::read_to_string(p).expect("readable recipe"));
        }
    }
    assert!(out.len() > 30, "found only {} recipes to mutate", out.len());
    out
}

/// Cuts `s` at a char boundary at or before `i`.
fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(src: &str, g: &mut Gen) -> String {
    let n = src.len();
    let (a, b) = {
        let x = floor(src, g.below(n + 1));
        let y = floor(src, g.below(n + 1));
        (x.min(y), x.max(y))
    };
    match g.below(6) {
        0 => src[..a].to_string(),
        1 => format!("{}{}", &src[..a], &src[b..]),
        2 => format!("{}{}{}", &src[..b], &src[a..b], &src[b..]),
        3 => format!("{} {} {}", &src[..a], WORDS[g.below(WORDS.len())], &src[a..]),
        4 => {
            let mut lines: Vec<&str> = src.lines().collect();
            let (i, j) = (g.below(lines.len()), g.below(lines.len()));
            if !lines.is_empty() {
                lines.swap(i, j);
            }
            lines.join("\n")
        }
        _ => {
            let mut s = src.to_string();
            for _ in 0..1 + g.below(4) {
                let at = floor(&s, g.below(s.len() + 1));
                s.insert_str(at, WORDS[g.below(WORDS.len())]);
            }
            s
        }
    }
}

fn soup(g: &mut Gen) -> String {
    (0..g.below(60))
        .map(|_| WORDS[g.below(WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

fn must_not_panic(src: &str) {
    let result = panic::catch_unwind(|| sslc_compiler::compile(src));
    if result.is_err() {
        panic!("the compiler panicked on this input:\n-----\n{src}\n-----");
    }
}

#[test]
fn mutated_recipes_never_panic_the_compiler() {
    let mut g = Gen(0x5EED);
    let sources = sources();
    for src in &sources {
        must_not_panic(src);
        for _ in 0..150 {
            let m = mutate(src, &mut g);
            must_not_panic(&m);
            // Mutations of mutations reach further from valid recipes.
            must_not_panic(&mutate(&m, &mut g));
        }
    }
}

#[test]
fn token_soup_never_panics_the_compiler() {
    let mut g = Gen(0xF00D);
    for _ in 0..3000 {
        must_not_panic(&soup(&mut g));
    }
}
