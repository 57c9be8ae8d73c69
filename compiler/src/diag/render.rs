//! The one place where diagnostics become miette reports: labels, help and codes.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report};

use super::{Diag, Lexical, Severity, one_of};

fn label(span: crate::span::Span, text: impl Into<String>) -> LabeledSpan {
    LabeledSpan::new_with_span(Some(text.into()), span)
}

fn primary(span: crate::span::Span, text: impl Into<String>) -> LabeledSpan {
    LabeledSpan::new_primary_with_span(Some(text.into()), span)
}

fn did_you_mean_help(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|s| format!("did you mean `{s}`?"))
}

/// Converts one diagnostic into a miette diagnostic (no source attached).
pub fn to_miette(d: &Diag) -> MietteDiagnostic {
    let (message, labels, help): (String, Vec<LabeledSpan>, Option<String>) = match d {
        Diag::Lexical { span, problem } => {
            let (message, label, help) = lexical(*problem);
            (message, vec![primary(*span, label)], Some(help))
        }
        Diag::Syntax { span, expected, found } => (
            format!("unexpected {found}"),
            vec![primary(*span, format!("expected {}", one_of(expected)))],
            None,
        ),
        Diag::Undefined { name, span, suggestion } => (
            format!("`{name}` is not defined"),
            vec![primary(*span, "not found in this recipe")],
            did_you_mean_help(suggestion).or(Some(format!("declare it, e.g. `let {name} = ...`"))),
        ),
        Diag::Duplicate { name, span, first } => (
            format!("`{name}` is declared twice"),
            vec![
                label(*first, "first declared here"),
                primary(*span, "declared again here"),
            ],
            Some("rename one of them".into()),
        ),
        Diag::Shadows { name, what, span } => (
            format!("`{name}` is already the name of {what}"),
            vec![primary(*span, "this declaration would hide it")],
            Some(format!(
                "rename it, for example `{name}_1`; loss names are exempt, they name terms"
            )),
        ),
        Diag::DuplicateBlock { keyword, span, first } => (
            format!("`{keyword}` may appear only once"),
            vec![label(*first, "first here"), primary(*span, "again here")],
            Some(format!("merge the two `{keyword}` declarations")),
        ),
        Diag::MissingDecl { keyword, example } => (
            format!("the recipe has no `{keyword}` declaration"),
            vec![],
            Some(format!("add one, e.g. `{example}`")),
        ),
        Diag::UnknownParam {
            builtin,
            param,
            span,
            suggestion,
        } => (
            format!("`{builtin}` has no parameter `{param}`"),
            vec![primary(*span, "unknown parameter")],
            did_you_mean_help(suggestion),
        ),
        Diag::MissingParam { builtin, param, span } => (
            format!("`{builtin}` needs the parameter `{param}`"),
            vec![primary(*span, format!("`{param}` is missing"))],
            Some(format!("add `{param}: ...`")),
        ),
        Diag::MissingSetting {
            block,
            key,
            example,
            span,
        } => (
            format!("`{block}` needs the setting `{key}`"),
            vec![primary(*span, format!("no `{key}` in this block"))],
            Some(format!("add a line such as `{example}`")),
        ),
        Diag::DuplicateParam { param, span, first } => (
            format!("`{param}` is given twice"),
            vec![label(*first, "first here"), primary(*span, "again here")],
            None,
        ),
        Diag::TooManyArgs { builtin, span, max } => (
            format!("`{builtin}` takes at most {max} positional argument(s)"),
            vec![primary(*span, "one too many")],
            Some("name the argument, e.g. `name: value`".into()),
        ),
        Diag::PositionalAfterNamed { builtin, span, named } => (
            format!("a positional argument of `{builtin}` after a named one"),
            vec![primary(*span, "positional"), label(*named, "named before it")],
            Some("name it too (`name: value`), or move it before the named arguments".into()),
        ),
        Diag::WrongType {
            what,
            expected,
            found,
            span,
        } => (
            format!("{what} must be {expected}"),
            vec![primary(*span, format!("this is {found}"))],
            None,
        ),
        Diag::OutOfRange {
            param,
            value,
            range,
            span,
        } => (
            format!("`{param}` = {value} is out of range"),
            vec![primary(*span, format!("must be {range}"))],
            None,
        ),
        Diag::NotFinite { value, span } => (
            format!("this number is {value}: every setting and argument is a finite number"),
            vec![primary(
                *span,
                if value.is_nan() {
                    "not a number"
                } else {
                    "beyond the largest number (about 1.8e308)"
                },
            )],
            None,
        ),
        Diag::ShapeMismatch {
            what,
            expected,
            found,
            span,
            other,
            because,
        } => {
            let mut labels = vec![primary(*span, format!("this is {found}"))];
            if let Some((s, t)) = other {
                labels.push(label(*s, t.clone()));
            }
            labels.extend(because.iter().map(|(s, t)| label(*s, t.clone())));
            (
                format!("shape mismatch in {what}: expected {expected}, found {found}"),
                labels,
                None,
            )
        }
        Diag::Cycle { path } => {
            let names: Vec<&str> = path.iter().map(|(n, _)| n.as_str()).collect();
            let labels = path
                .iter()
                .take(path.len().saturating_sub(1))
                .enumerate()
                .map(|(i, (n, s))| {
                    let next = &path[i + 1].0;
                    if i == 0 {
                        primary(*s, format!("`{n}` uses `{next}`"))
                    } else {
                        label(*s, format!("`{n}` uses `{next}`"))
                    }
                })
                .collect();
            (
                format!("cycle: {}", names.join(" -> ")),
                labels,
                Some("a value cannot depend on itself; break the cycle".into()),
            )
        }
        Diag::GradIntoEma {
            loss,
            branch,
            use_span,
            loss_span,
        } => (
            format!("gradient of loss `{loss}` would flow into the EMA branch `{branch}`"),
            vec![
                primary(*use_span, format!("output of `{branch}` used without stop-gradient")),
                label(*loss_span, "in this loss"),
            ],
            Some(format!(
                "EMA weights follow the online weights and must not get gradients: wrap the value in `sg(...)`, or make `{branch}` a trainable branch"
            )),
        ),
        Diag::NoTrainablePath { loss, span, reason } => (
            format!("loss `{loss}` cannot train anything"),
            vec![primary(*span, reason.clone())],
            Some("at least one input of a loss must come from a trainable branch without `sg`".into()),
        ),
        Diag::LossNotScalar { loss, found, span } => (
            format!("loss `{loss}` is not a scalar"),
            vec![primary(*span, format!("this is {found}"))],
            Some("reduce it, e.g. with `mean(...)`, or use a loss built-in".into()),
        ),
        Diag::EmaSourceNotBranch { found, span } => (
            "the source of `ema` must be a branch".into(),
            vec![primary(*span, format!("this is {found}"))],
            Some("declare `branch online = trainable(...)` and write `ema(online, ...)`".into()),
        ),
        Diag::NoSuchNetwork {
            branch,
            network,
            span,
            suggestion,
        } => (
            format!("branch `{branch}` has no network `{network}`"),
            vec![primary(*span, "not in this branch")],
            did_you_mean_help(suggestion).or(Some(format!("add `{network}` to the networks of `{branch}`"))),
        ),
        Diag::NetworkOutsideBranch { network, span } => (
            format!("network `{network}` is called outside a branch"),
            vec![primary(*span, "a network has no weights of its own")],
            Some(format!("call it through a branch, e.g. `online.{network}(x)`")),
        ),
        Diag::UnknownSetting {
            block,
            key,
            span,
            suggestion,
        } => (
            format!("`{block}` has no setting `{key}`"),
            vec![primary(*span, "unknown setting")],
            did_you_mean_help(suggestion),
        ),
        Diag::Unused { kind, name, span } => (
            format!("{kind} `{name}` is not used by any loss"),
            vec![primary(*span, "declared here")],
            Some("remove it, or use it in a loss term".into()),
        ),
        Diag::Override {
            path,
            reason,
            help,
            origin,
        } => (
            format!("cannot apply the override `{path}`: {reason}"),
            origin.iter().map(|o| primary(o.span, "this override")).collect(),
            help.clone(),
        ),
        Diag::ZeroWeight { loss, span } => (
            format!("loss `{loss}` has weight 0 throughout: it trains nothing"),
            vec![primary(*span, "this term")],
            Some("remove the term, or give it a weight above 0".into()),
        ),
        Diag::BatchOverData { batch, count, span } => (
            format!("the batch of {batch} is larger than the {count} training images"),
            vec![primary(*span, format!("each step takes all {count} instead"))],
            Some(format!("set `batch` to at most {count}, or add images")),
        ),
        Diag::KOverBank { k, bank, span } => (
            format!("the probe asks for {k} neighbours of a bank of {bank} images"),
            vec![primary(*span, format!("at most {bank} neighbours exist"))],
            Some(format!("set `k` to at most {bank}")),
        ),
        Diag::EmaOfFrozen { branch, source, span } => (
            format!("`{branch}` follows the frozen branch `{source}`: its weights never move"),
            vec![primary(*span, format!("an EMA of `{source}`"))],
            Some(format!("make `{source}` trainable, or make `{branch}` frozen too")),
        ),
        Diag::OptimiserNetNotTrained { param, net, span } => (
            format!("`{param}` names `{net}`, which no trainable branch trains: the setting changes nothing"),
            vec![primary(*span, format!("`{net}` in `{param}`"))],
            Some(format!(
                "add `{net}` to a `trainable(...)` branch, or leave it out of `{param}`"
            )),
        ),
        Diag::NoTrainBlock {
            epochs,
            seed,
            log_every,
        } => (
            format!(
                "the recipe has no `train` block: {epochs} epochs, seed {seed}, a log line every {log_every} steps, and no probe"
            ),
            vec![],
            Some(format!(
                "add one, e.g. `train {{ epochs = {epochs} seed = {seed} probe = knn(online.backbone, k: 20) }}`"
            )),
        ),
        Diag::Internal { what, span } => (
            format!("internal compiler error: {what}"),
            vec![primary(*span, "while planning this")],
            Some("this is a bug of sslc, not of the recipe; please report it with the recipe".into()),
        ),
    };
    let mut m = MietteDiagnostic::new(message)
        .with_code(d.code())
        .with_severity(match d.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
        .with_labels(labels);
    if let Some(h) = help {
        m = m.with_help(h);
    }
    m
}

/// Message, label and help of a lexical problem.
fn lexical(problem: Lexical) -> (String, String, String) {
    match problem {
        Lexical::UnterminatedString => (
            "unterminated string".into(),
            "this string has no closing `\"`".into(),
            "close it with `\"` on the same line: a string cannot span lines".into(),
        ),
        Lexical::LoneBar => (
            "`|` is not an operator".into(),
            "a lone `|`".into(),
            "the pipe is written `|>`: `image |> flip(p: 0.5)`".into(),
        ),
        Lexical::TooDeep { limit } => (
            format!("brackets nested more than {limit} deep"),
            "too deeply nested".into(),
            "name the inner values with `let` declarations".into(),
        ),
        Lexical::InvalidUtf8 { byte, offset } => (
            format!("the file is not valid UTF-8: byte 0x{byte:02x} at offset {offset}"),
            "not a UTF-8 character".into(),
            "save the recipe as UTF-8 text".into(),
        ),
        Lexical::TooLong { limit } => (
            format!("this declaration has more than {limit} operators, calls and brackets"),
            "too long to parse".into(),
            "split it into several `let` declarations".into(),
        ),
    }
}

/// Renders one diagnostic against its source, without colours (stable for snapshots).
/// An override's diagnostic is shown against the `--set` argument or profile it came from.
pub fn render(d: &Diag, file: &str, src: &str) -> String {
    let (file, src) = match d {
        Diag::Override { origin: Some(o), .. } => (o.name.as_str(), o.text.as_str()),
        _ => (file, src),
    };
    let mut m = to_miette(d);
    if m.labels.as_ref().is_none_or(Vec::is_empty) {
        // Without a label miette shows no excerpt, and so no file name: say it in the message.
        m.message = format!("{file}: {}", m.message);
    }
    let report = Report::new(m).with_source_code(NamedSource::new(file, src.to_string()));
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("{d:?}");
    }
    out
}

/// At most this many diagnostics are drawn; the others are counted in one closing line.
pub const MAX_RENDERED: usize = 50;

/// Renders several diagnostics, one after another: the first [`MAX_RENDERED`], then a count of
/// the rest (drawing each one costs a pass over the source, and nobody reads the 20,000th).
pub fn render_all(diags: &[Diag], file: &str, src: &str) -> String {
    let mut out = diags
        .iter()
        .take(MAX_RENDERED)
        .map(|d| render(d, file, src))
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(rest) = diags.get(MAX_RENDERED..).filter(|r| !r.is_empty()) {
        let errors = rest.iter().filter(|d| d.is_error()).count();
        out.push_str(&format!(
            "\n... and {} more in {file}: {errors} error(s), {} warning(s)\n",
            rest.len(),
            rest.len() - errors
        ));
    }
    out
}
