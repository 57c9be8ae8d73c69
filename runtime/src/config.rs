//! Reading the constant parameters of a plan's configurations (defaults are already filled in
//! by the compiler, so a missing or mistyped parameter is a compiler bug, reported as such).

use sslc_compiler::value::{Config, Param, Schedule};

use crate::error::RunError;

fn get<'a>(cfg: &'a Config, name: &str) -> Result<&'a Param, RunError> {
    cfg.params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, p)| p)
        .ok_or_else(|| RunError::Internal(format!("`{}` has no parameter `{name}`", cfg.builtin)))
}

/// A number parameter.
pub fn num(cfg: &Config, name: &str) -> Result<f64, RunError> {
    get(cfg, name)?
        .as_num()
        .ok_or_else(|| RunError::Internal(format!("`{}.{name}` is not a number", cfg.builtin)))
}

/// A non-negative integer parameter.
pub fn int(cfg: &Config, name: &str) -> Result<usize, RunError> {
    Ok(num(cfg, name)?.max(0.0) as usize)
}

/// A boolean parameter.
pub fn flag(cfg: &Config, name: &str) -> Result<bool, RunError> {
    match get(cfg, name)? {
        Param::Bool(b) => Ok(*b),
        _ => Err(RunError::Internal(format!("`{}.{name}` is not a boolean", cfg.builtin))),
    }
}

/// A string parameter (choices, network names).
pub fn text<'a>(cfg: &'a Config, name: &str) -> Result<&'a str, RunError> {
    match get(cfg, name)? {
        Param::Str(s) => Ok(s),
        _ => Err(RunError::Internal(format!("`{}.{name}` is not a string", cfg.builtin))),
    }
}

/// A network of a branch (`online.backbone`): the branch and the network.
pub fn branch_net<'a>(cfg: &'a Config, name: &str) -> Result<(&'a str, &'a str), RunError> {
    match get(cfg, name)? {
        Param::BranchNet { branch, net } => Ok((branch, net)),
        _ => Err(RunError::Internal(format!(
            "`{}.{name}` is not a network of a branch",
            cfg.builtin
        ))),
    }
}

/// A pair of numbers, or one number used for both ends.
pub fn pair(cfg: &Config, name: &str) -> Result<(f64, f64), RunError> {
    match get(cfg, name)? {
        Param::List(v) if v.len() == 2 => match (v[0].as_num(), v[1].as_num()) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err(RunError::Internal(format!(
                "`{}.{name}` is not a pair of numbers",
                cfg.builtin
            ))),
        },
        p => p
            .as_num()
            .map(|x| (x, x))
            .ok_or_else(|| RunError::Internal(format!("`{}.{name}` is not a pair", cfg.builtin))),
    }
}

/// A schedule parameter (a plain number is a constant schedule).
pub fn schedule(cfg: &Config, name: &str) -> Result<Schedule, RunError> {
    match get(cfg, name)? {
        Param::Schedule(s) => Ok(s.clone()),
        Param::Num(n) => Ok(Schedule::Constant { value: *n }),
        _ => Err(RunError::Internal(format!(
            "`{}.{name}` is not a schedule",
            cfg.builtin
        ))),
    }
}

/// The same lookups over an op's `(name, value)` list.
pub fn of(op: &str, params: &[(String, Param)]) -> Config {
    Config {
        builtin: op.to_string(),
        params: params.to_vec(),
    }
}
