//! Overrides from the command line (`--set path=value`) and from profiles (`--profile FILE`, a
//! YAML map from paths to values; nested maps join their keys with dots).

use std::path::PathBuf;

use sslc_compiler::overrides::Override;

/// The override options every command that compiles a recipe takes.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Overrides {
    /// A YAML profile of overrides (e.g. `recipes/profiles/flsl-paper.yaml`); applied first.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Override one setting or argument: `train.epochs=300`, `backbone.dim=384`,
    /// `v1.blur.p=0.5`. Repeatable; applied after the profile.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

impl Overrides {
    /// The overrides in order, or a message naming what is wrong.
    pub fn collect(&self) -> Result<Vec<Override>, String> {
        let mut out = vec![];
        if let Some(path) = &self.profile {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let yaml: serde_yaml::Value =
                serde_yaml::from_str(&text).map_err(|e| format!("{} is not valid YAML: {e}", path.display()))?;
            flatten("", &yaml, &mut out).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        for s in &self.set {
            out.push(Override::parse(s).map_err(|_| format!("`--set {s}`: write `--set path=value`"))?);
        }
        Ok(out)
    }
}

fn flatten(prefix: &str, v: &serde_yaml::Value, out: &mut Vec<Override>) -> Result<(), String> {
    use serde_yaml::Value;
    let text = match v {
        Value::Mapping(m) => {
            for (k, v) in m {
                let key = match k {
                    Value::String(s) => s.clone(),
                    other => return Err(format!("a key must be a string, found {other:?}")),
                };
                let path = if prefix.is_empty() {
                    key
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, v, out)?;
            }
            return Ok(());
        }
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        other => {
            return Err(format!(
                "`{prefix}` must be a number, a boolean or recipe text, found {other:?}"
            ));
        }
    };
    if prefix.is_empty() {
        return Err("a profile is a map from paths to values".into());
    }
    out.push(Override {
        path: prefix.to_string(),
        value: text,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_maps_become_dotted_paths_in_order() {
        let yaml: serde_yaml::Value =
            serde_yaml::from_str("train:\n  epochs: 300\ndata.batch: 512\nbackbone.norm: '\"batch\"'\n").expect("yaml");
        let mut out = vec![];
        flatten("", &yaml, &mut out).expect("flat");
        let got: Vec<(String, String)> = out.into_iter().map(|o| (o.path, o.value)).collect();
        assert_eq!(
            got,
            vec![
                ("train.epochs".into(), "300".into()),
                ("data.batch".into(), "512".into()),
                ("backbone.norm".into(), "\"batch\"".into()),
            ]
        );
    }
}
