//! "Did you mean": the closest known name, when it is close enough.

/// The candidate most similar to `name` (Jaro-Winkler ≥ 0.8, or a small edit distance).
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(f64, &str)> = None;
    for cand in candidates {
        if cand == name {
            continue;
        }
        let jw = strsim::jaro_winkler(name, cand);
        let lev = strsim::levenshtein(name, cand);
        let close = jw >= 0.8 || (lev <= 2 && name.len() > 2) || cand.contains(name) && name.len() >= 3;
        if close && best.is_none_or(|(s, _)| jw > s) {
            best = Some((jw, cand));
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
}
