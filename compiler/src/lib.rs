//! sslc's compiler: recipe text → syntax tree → resolved names → typed graph → checks → plan.
//!
//! Pure: no file, network or tensor library. `compile` is the whole pipeline.

pub mod ast;
pub mod check;
pub mod decls;
pub mod diag;
pub mod graph;
pub mod overrides;
pub mod plan;
pub mod registry;
pub mod resolve;
pub mod span;
pub mod syntax;
pub mod types;
pub mod value;

use diag::Diag;

/// Everything the compiler produced for one recipe.
#[derive(Debug)]
pub struct Compiled {
    pub graph: graph::Graph,
    /// Present when there are no errors.
    pub plan: Option<plan::Plan>,
    /// Errors and warnings, sorted by position.
    pub diags: Vec<Diag>,
    /// Which nodes of the graph gradient flows back through.
    pub grads: check::GradTable,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diag::is_error)
    }
}

/// Compiles recipe text. Never panics; problems are in `diags`.
pub fn compile(src: &str) -> Compiled {
    let mut diags = vec![];
    let recipe = match syntax::parse(src) {
        Ok(r) => r,
        Err(d) => {
            return Compiled {
                graph: graph::Graph::default(),
                plan: None,
                diags: vec![d],
                grads: check::GradTable::default(),
            };
        }
    };
    let resolved = resolve::resolve(&recipe, &mut diags);
    let graph = graph::build(&recipe, &resolved, &mut diags);
    let grads = check::run(&graph, &mut diags);
    // After an error, "unused" warnings are mostly echoes of it: keep them for clean recipes.
    if diags.iter().any(Diag::is_error) {
        diags.retain(|d| !matches!(d, Diag::Unused { .. } | Diag::NoTrainBlock { .. }));
    }
    diag::normalise(&mut diags);
    let plan = if diags.iter().any(Diag::is_error) {
        None
    } else {
        plan::lower(&graph, &grads, &mut diags)
    };
    Compiled {
        graph,
        plan,
        diags,
        grads,
    }
}
