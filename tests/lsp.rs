//! `sslc lsp` driven as an editor drives it, over stdio with the protocol's framing: the
//! diagnostic of a planted error (its range and text), a hover's type string and a built-in's
//! documentation, completions (a call's parameters, a block's keys), go to definition,
//! references, rename, semantic tokens, symbols and formatting; a network's parameter count
//! against the run's, and at sizes no machine holds; then every bad recipe of `tests/ui` probed
//! at every line and every shipped recipe cut short, each request answered, and a clean
//! shutdown.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

mod common;

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next: i64,
    /// The diagnostics last published, by document.
    published: Vec<(String, Value)>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sslc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("sslc lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut c = Client {
            child,
            stdin,
            stdout,
            next: 1,
            published: vec![],
        };
        let init = c.request("initialize", json!({ "capabilities": {} }));
        assert_eq!(init["capabilities"]["hoverProvider"], json!(true), "{init}");
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("written");
        self.stdin.flush().expect("flushed");
    }

    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).expect("read") > 0,
                "the server hung up"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).expect("a body");
        serde_json::from_slice(&body).expect("JSON")
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its result, keeping the notifications that come first.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let m = self.receive();
            if m["id"] == json!(id) {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            if m["method"] == "textDocument/publishDiagnostics" {
                let uri = m["params"]["uri"].as_str().unwrap_or_default().to_string();
                self.published.push((uri, m["params"]["diagnostics"].clone()));
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        let doc = json!({ "uri": uri, "languageId": "ssl", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    }

    fn at(&mut self, method: &str, uri: &str, line: usize, character: usize) -> Value {
        let params = json!({
            "textDocument": { "uri": uri },
            "position": { "line": line, "character": character },
        });
        self.request(method, params)
    }

    /// The diagnostics published for `uri` (a request first, so that they have arrived).
    fn diagnostics(&mut self, uri: &str) -> Value {
        self.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
        let found = self.published.iter().rev().find(|(u, _)| u == uri);
        found.map(|(_, d)| d.clone()).expect("diagnostics published")
    }

    /// The trainable parameter count the hover on network `net`'s declaration gives.
    fn parameters(&mut self, uri: &str, text: &str, net: &str) -> u64 {
        let line = text
            .lines()
            .position(|l| l.starts_with(&format!("network {net} ")))
            .expect("declared");
        let hover = self.at("textDocument/hover", uri, line, 9);
        let md = hover["contents"]["value"].as_str().unwrap_or_default().to_string();
        md.split(" trainable parameters")
            .next()
            .and_then(|s| s.rsplit(char::is_whitespace).next())
            .map(|n| n.replace(',', ""))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a count in {md}"))
    }

    fn shut_down(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("exits");
        assert!(status.success(), "{status}");
    }
}

const RECIPE: &str = "data {\n  source = scenes(size: 32)\n  batch = 64\n}\n\
view v1 = image |> random_resized_crop(size: 32)\n\
view v2 = image |> random_resized_crop(size: 32)\n\
network backbone = vit(patch: 4, dim: 64, depth: 2, heads: 4)\n\
branch online = trainable(backbone)\n\
let z1 = v1 |> online.backbone |> cls\n\
let z2 = v2 |> online.backbone |> cls\n\
loss l = neg_cosine(z1, sg(z3))\n\
optimizer = adamw(lr: 1e-3)\n";

#[test]
fn an_editor_sees_diagnostics_hovers_completions_and_definitions() {
    let mut c = Client::start();
    let uri = "file:///work/r.ssl";
    c.open(uri, RECIPE);

    // The planted error: `z3` is not declared.
    let diags = c.diagnostics(uri);
    let error = diags
        .as_array()
        .and_then(|d| d.iter().find(|d| d["severity"] == json!(1)))
        .cloned()
        .unwrap_or_else(|| panic!("an error in {diags}"));
    let line = RECIPE.lines().position(|l| l.contains("z3")).expect("the line");
    let col = RECIPE.lines().nth(line).and_then(|l| l.find("z3")).expect("the column");
    assert_eq!(
        error["range"]["start"],
        json!({ "line": line, "character": col }),
        "{error}"
    );
    assert_eq!(
        error["range"]["end"],
        json!({ "line": line, "character": col + 2 }),
        "{error}"
    );
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("`z3` is not defined") && message.contains("help:"),
        "{message}"
    );

    // Hover: a declared value's type, a built-in's documentation.
    let z1 = RECIPE.lines().position(|l| l.starts_with("let z1")).expect("z1");
    let hover = c.at("textDocument/hover", uri, z1, 5);
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.contains("`z1`") && text.contains("vector[64]"), "{hover}");
    let v1 = RECIPE.lines().position(|l| l.starts_with("view v1")).expect("v1");
    let hover = c.at("textDocument/hover", uri, v1, 22);
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        text.contains("random_resized_crop") && text.contains("`scale`"),
        "{hover}"
    );

    // Where gradient flows, once the recipe compiles: into z1, not into z2 (read under `sg`).
    let clean = "file:///work/clean.ssl";
    c.open(clean, &RECIPE.replace("z3", "z2"));
    let z2 = RECIPE.lines().position(|l| l.starts_with("let z2")).expect("z2");
    let into = |c: &mut Client, line| c.at("textDocument/hover", clean, line, 5)["contents"]["value"].clone();
    assert!(
        into(&mut c, z1)
            .as_str()
            .is_some_and(|t| t.contains("the losses' gradient flows back"))
    );
    assert!(
        into(&mut c, z2)
            .as_str()
            .is_some_and(|t| t.contains("no gradient flows back"))
    );

    // Completion: built-ins with their parameters, and the recipe's names.
    let items = c.at("textDocument/completion", uri, z1, 10);
    let labels: Vec<&str> = items
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["label"].as_str()).collect())
        .unwrap_or_default();
    for want in ["random_resized_crop", "info_nce", "backbone", "z2"] {
        assert!(labels.contains(&want), "{want} not offered");
    }

    // Go to definition of `backbone` in the branch line.
    let branch = RECIPE.lines().position(|l| l.starts_with("branch")).expect("branch");
    let def = c.at("textDocument/definition", uri, branch, 28);
    let net = RECIPE.lines().position(|l| l.starts_with("network")).expect("network");
    assert_eq!(def["range"]["start"], json!({ "line": net, "character": 8 }), "{def}");

    // References of `backbone`: its declaration, the branch's list and two member uses; rename
    // rewrites them all, and refuses a keyword or a name already declared.
    let refs = c.at("textDocument/references", uri, net, 10);
    let starts: Vec<(u64, u64)> = refs
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| {
                    let s = &l["range"]["start"];
                    (s["line"].as_u64().unwrap_or(99), s["character"].as_u64().unwrap_or(99))
                })
                .collect()
        })
        .unwrap_or_default();
    let line_of = |p: &str| RECIPE.lines().position(|l| l.starts_with(p)).expect("a line") as u64;
    assert_eq!(
        starts,
        [
            (net as u64, 8),
            (branch as u64, 26),
            (line_of("let z1"), 22),
            (line_of("let z2"), 22)
        ],
        "{refs}"
    );
    let params = |name: &str| {
        json!({
            "textDocument": { "uri": uri },
            "position": { "line": net, "character": 10 },
            "newName": name,
        })
    };
    let edit = c.request("textDocument/rename", params("encoder"));
    let edits = edit["changes"][uri].as_array().cloned().unwrap_or_default();
    assert_eq!(edits.len(), 4, "{edit}");
    assert!(edits.iter().all(|e| e["newText"] == json!("encoder")), "{edit}");
    for refused in ["loss", "z1", "2x"] {
        let id = c.next;
        c.next += 1;
        let mut msg = params(refused);
        msg = json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/rename", "params": msg });
        c.send(msg);
        let answer = loop {
            let m = c.receive();
            if m["id"] == json!(id) {
                break m;
            }
        };
        assert!(answer.get("error").is_some(), "renaming to {refused}: {answer}");
    }

    // Semantic tokens, decoded back to (line, column, text, type): a keyword, a declared name,
    // a built-in, an argument's name, a number, a member, a comment.
    let commented = format!("# a recipe\n{RECIPE}");
    c.open("file:///work/t.ssl", &commented);
    let data = c.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": "file:///work/t.ssl" } }),
    );
    let numbers: Vec<u64> = data["data"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let (mut line, mut col) = (0, 0);
    let mut seen = vec![];
    for t in numbers.chunks(5) {
        if t[0] > 0 {
            col = 0;
        }
        line += t[0];
        col += t[1];
        let text = commented.lines().nth(line as usize).unwrap_or_default();
        let word: String = text.chars().skip(col as usize).take(t[2] as usize).collect();
        seen.push((word, t[3]));
    }
    // The legend's order: keyword, function, variable, parameter, property, number, string, comment.
    for want in [
        ("# a recipe", 7),
        ("view", 0),
        ("v1", 2),
        ("random_resized_crop", 1),
        ("size", 3),
        ("32", 5),
        ("backbone", 4),
    ] {
        assert!(seen.contains(&(want.0.to_string(), want.1)), "{want:?} not in {seen:?}");
    }

    // Symbols and formatting.
    let symbols = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let names: Vec<&str> = symbols
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        ["data", "v1", "v2", "backbone", "online", "z1", "z2", "l", "optimizer"]
    );
    let messy = "network  b=vit( patch:4 )\n";
    c.open("file:///work/m.ssl", messy);
    let edits = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": "file:///work/m.ssl" }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(edits[0]["newText"], json!("network b = vit(patch: 4)\n"), "{edits}");
    c.shut_down();
}

/// The labels of a completion answer, in the order the editor sorts them.
fn sorted_labels(items: &Value) -> Vec<String> {
    let mut items: Vec<(String, String)> = items
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| {
                    let label = i["label"].as_str().unwrap_or_default().to_string();
                    let sort = i["sortText"].as_str().map_or(label.clone(), str::to_string);
                    (sort, label)
                })
                .collect()
        })
        .unwrap_or_default();
    items.sort();
    items.into_iter().map(|(_, l)| l).collect()
}

#[test]
fn completion_knows_the_call_and_the_block_it_is_in() {
    let mut c = Client::start();
    let uri = "file:///work/typing.ssl";
    let text = "data {\n  source = scenes(size: 32)\n  \n}\nnetwork b = vit(patch: 4, )\ntrain {\n  epochs = \n}\n";
    c.open(uri, text);

    // After `vit(patch: 4, `: the ViT's parameters first, each inserted with its colon.
    let items = c.at("textDocument/completion", uri, 4, 26);
    let first: Vec<&str> = items
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|i| i["sortText"].as_str().is_some_and(|s| s.starts_with('0')))
                .filter_map(|i| i["label"].as_str())
                .collect()
        })
        .unwrap_or_default();
    for want in ["patch", "dim", "depth", "heads", "mlp_ratio"] {
        assert!(first.contains(&want), "{want} not among the first: {first:?}");
    }
    assert!(
        !first.contains(&"random_resized_crop") && !first.contains(&"b"),
        "{first:?}"
    );
    let labels = sorted_labels(&items);
    assert!(
        labels.iter().any(|l| l == "b"),
        "a positional value may follow: {labels:?}"
    );
    let dim = items
        .as_array()
        .and_then(|a| a.iter().find(|i| i["label"] == json!("dim")))
        .cloned();
    assert_eq!(dim.map(|d| d["insertText"].clone()), Some(json!("dim: ")), "{items}");

    // At a key of `data { }` only its keys; at a key of `train { }` only the train keys; after
    // `epochs = ` the values again.
    let data = sorted_labels(&c.at("textDocument/completion", uri, 2, 2));
    assert_eq!(data, ["batch", "source", "views"]);
    let train = sorted_labels(&c.at("textDocument/completion", uri, 6, 11));
    assert!(train.iter().any(|l| l == "random_resized_crop"), "{train:?}");
    let train_key = "train {\n  \n}\n";
    c.open("file:///work/train.ssl", train_key);
    let keys = sorted_labels(&c.at("textDocument/completion", "file:///work/train.ssl", 1, 2));
    assert!(
        keys.contains(&"precision".to_string()) && keys.contains(&"epochs".to_string()),
        "{keys:?}"
    );
    assert!(!keys.contains(&"batch".to_string()), "{keys:?}");
    c.shut_down();
}

#[test]
fn a_networks_hover_counts_what_the_run_trains() {
    let recipe = "tests/run/tiny_byol.ssl";
    let dir = std::env::temp_dir().join(format!("sslc-lsp-count-{}", std::process::id()));
    let out = dir.display().to_string();
    let (ok, _, stderr) = common::ran(&["run", recipe, "--out", &out, "--set", "train.epochs=1"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ok, "{stderr}");
    let ran: u64 = stderr
        .split(" trainable parameters")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a parameter count in {stderr}"));

    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(recipe)).expect("the recipe");
    let mut c = Client::start();
    let uri = "file:///work/tiny.ssl";
    c.open(uri, &text);
    let mut hovered = 0;
    for net in ["backbone", "projector", "predictor"] {
        hovered += c.parameters(uri, &text, net);
    }
    assert_eq!(hovered, ran);
    c.shut_down();
}

/// Networks far beyond any machine (10¹² to 10¹⁴ parameters): each hover answers with its count,
/// as nothing is drawn nor allocated to count it (were the weights made, the server would run out
/// of memory and hang up).
#[test]
fn networks_of_any_size_are_counted_without_being_made() {
    let text = "data {\n  source = scenes(size: 224)\n  batch = 8\n}\n\
view v1 = image |> random_resized_crop(size: 224)\n\
view v2 = image |> random_resized_crop(size: 224)\n\
network big = vit(patch: 1, dim: 100000, depth: 1000, heads: 10)\n\
network wide = resnet(width: 100000, depth: 50)\n\
network head = dino_head(hidden: 100000, bottleneck: 100000, prototypes: 10000000)\n\
network proj = mlp(hidden: 10000000, out: 10000000)\n\
branch online = trainable(big, wide, head, proj)\n\
let a = v1 |> online.big |> cls |> online.head\n\
let b = v2 |> online.wide |> mean_tokens |> online.proj\n\
loss l = neg_cosine(a, sg(b))\n\
optimizer = adamw(lr: 1e-3)\n";
    let mut c = Client::start();
    let uri = "file:///work/huge.ssl";
    c.open(uri, text);
    for net in ["big", "wide", "head", "proj"] {
        let count = c.parameters(uri, text, net);
        assert!(count > 100_000_000_000, "{net}: {count}");
    }
    c.shut_down();
}

#[test]
fn every_bad_recipe_is_answered_everywhere() {
    let mut c = Client::start();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/ui")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ssl"))
        .collect();
    files.sort();
    let half_typed = "view v = image |> random_resized_crop(size: 3\nlet z = online.";
    let mut texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("readable"))
        .collect();
    texts.push(half_typed.into());
    texts.push("\u{feff}# ünïcode τ 𝛼\nlet α = 1\n".into());
    for (i, text) in texts.iter().enumerate() {
        let uri = format!("file:///ui/{i}.ssl");
        c.open(&uri, text);
        for (line, l) in text.lines().enumerate() {
            for character in [0, l.len() / 2, l.len() + 3] {
                for method in [
                    "textDocument/hover",
                    "textDocument/definition",
                    "textDocument/completion",
                ] {
                    c.at(method, &uri, line, character);
                }
            }
        }
        c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
        c.request(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": uri } }),
        );
        let diags = c.diagnostics(&uri);
        assert!(diags.is_array(), "{diags}");
    }
    c.shut_down();
}

/// Every shipped recipe cut off as if being typed (at each tenth of its text): a completion, a
/// hover and a definition asked where the text stops are answered.
#[test]
fn every_recipe_cut_short_is_answered_where_it_stops() {
    let mut c = Client::start();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("recipes")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ssl"))
        .collect();
    files.sort();
    for (i, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).expect("readable");
        for tenth in 1..10 {
            let mut cut = text.len() * tenth / 10;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let typed = &text[..cut];
            let uri = format!("file:///cut/{i}-{tenth}.ssl");
            c.open(&uri, typed);
            let line = typed.lines().count().saturating_sub(1);
            let character = typed.lines().last().map_or(0, |l| l.encode_utf16().count());
            for method in [
                "textDocument/completion",
                "textDocument/hover",
                "textDocument/definition",
            ] {
                c.at(method, &uri, line, character);
            }
            assert!(c.diagnostics(&uri).is_array());
        }
    }
    c.shut_down();
}
