//! "Did you mean": the closest known name, when it is close enough.

/// A name as a user might mistype it: case and `_` or `-` separators ignored.
fn folded(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The candidate most similar to `name`, when it is close enough. A candidate equal but for
/// case and separators (`adamW` → `adamw`, `t_2` → `t2`) wins outright; otherwise the fewest
/// edits of the folded names win, then Jaro-Winkler similarity (≥ 0.8, or at most two edits, or
/// containing the name, counts as close).
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let want = folded(name);
    let mut best: Option<((usize, f64), &str)> = None;
    for cand in candidates {
        if cand == name {
            continue;
        }
        let have = folded(cand);
        if have == want {
            return Some(cand.to_string());
        }
        let jw = strsim::jaro_winkler(&want, &have);
        let lev = strsim::levenshtein(&want, &have);
        let close = jw >= 0.8 || (lev <= 2 && want.len() > 2) || have.contains(&want) && want.len() >= 3;
        let better = |(l, j): (usize, f64)| lev < l || (lev == l && jw > j);
        if close && best.is_none_or(|(score, _)| better(score)) {
            best = Some(((lev, jw), cand));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let names = ["backbone", "projector", "predictor"];
        assert_eq!(did_you_mean("backbon", names), Some("backbone".into()));
        assert_eq!(did_you_mean("predicter", names), Some("predictor".into()));
        assert_eq!(did_you_mean("zzz", names), None);
    }

    #[test]
    fn case_and_separators_come_before_spelling() {
        let optimisers = ["adam", "adamw", "sgd", "lars"];
        assert_eq!(did_you_mean("adamW", optimisers), Some("adamw".into()));
        assert_eq!(did_you_mean("ADAM", optimisers), Some("adam".into()));
        let names = ["t1", "t2", "p1", "p2"];
        assert_eq!(did_you_mean("t_2", names), Some("t2".into()));
        assert_eq!(did_you_mean("T1", names), Some("t1".into()));
    }
}
