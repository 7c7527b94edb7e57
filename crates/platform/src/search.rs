//! Searching text by any part of it, the same way in every service: the
//! words as typed become a `LIKE` pattern over lower-cased text, which a
//! trigram index (`gin_trgm_ops`) serves.

/// Longest search kept, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// `q` (trimmed, lower-cased, at most [`MAX_SEARCH_CHARS`]) found anywhere,
/// with `%`, `_` and `\` taken literally; `None` for an empty search.
pub fn contains_pattern(q: &str) -> Option<String> {
    let q: String = q
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_SEARCH_CHARS)
        .collect();
    if q.is_empty() {
        return None;
    }
    let mut pattern = String::with_capacity(q.len() + 2);
    pattern.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Some(pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_takes_the_words_literally() {
        assert_eq!(contains_pattern("  Gas CERT "), Some("%gas cert%".into()));
        assert_eq!(
            contains_pattern("100%_a\\b"),
            Some("%100\\%\\_a\\\\b%".into())
        );
        assert_eq!(contains_pattern("   "), None);
        assert_eq!(
            contains_pattern(&"é".repeat(300)).map(|p| p.chars().count()),
            Some(MAX_SEARCH_CHARS + 2)
        );
    }
}
