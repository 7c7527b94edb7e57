//! Translations (Project Fluent), embedded in the binary, and the choice of
//! a page's language.
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

/// The languages of the portal (H1), in the order the settings list them.
pub const LANGS: [&str; 5] = ["en", "fr", "de", "es", "pl"];
pub const DEFAULT: &str = "en";

const SOURCES: [(&str, &str); 5] = [
    ("en", include_str!("../../i18n/en/portal.ftl")),
    ("fr", include_str!("../../i18n/fr/portal.ftl")),
    ("de", include_str!("../../i18n/de/portal.ftl")),
    ("es", include_str!("../../i18n/es/portal.ftl")),
    ("pl", include_str!("../../i18n/pl/portal.ftl")),
];

static BUNDLES: LazyLock<Vec<(&'static str, FluentBundle<FluentResource>)>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(lang, source)| (*lang, bundle(lang, source)))
        .collect()
});

fn bundle(lang: &str, source: &str) -> FluentBundle<FluentResource> {
    let id = lang.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks around placeables would end up in attributes.
    b.set_use_isolating(false);
    // A syntax error keeps the messages that did parse (a unit test forbids errors).
    let res = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(res, errors)| {
        tracing::error!(lang, ?errors, "translation file has syntax errors");
        res
    });
    if let Err(errors) = b.add_resource(res) {
        tracing::error!(lang, ?errors, "translation file has duplicate messages");
    }
    b
}

/// One of `LANGS` (anything else becomes the default).
pub fn supported(lang: &str) -> Option<&'static str> {
    let primary = lang.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    LANGS.iter().copied().find(|l| *l == primary)
}

/// The best supported language of an `Accept-Language` header, by weight.
pub fn negotiate(accept_language: &str) -> Option<&'static str> {
    let mut choices: Vec<(f32, &str)> = accept_language
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (q > 0.0 && tag != "*").then_some((q, tag))
        })
        .collect();
    // Stable: equal weights keep the browser's order.
    choices.sort_by(|a, b| b.0.total_cmp(&a.0));
    choices.into_iter().find_map(|(_, tag)| supported(tag))
}

/// Argument values of a message.
pub enum Arg {
    Str(String),
    Num(f64),
}

/// The message `key` in `lang` (English when missing there, the key itself
/// when missing everywhere, so a gap shows instead of breaking the page).
pub fn text(lang: &str, key: &str, args: &[(&str, Arg)]) -> String {
    let fargs = (!args.is_empty()).then(|| {
        let mut a = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Str(s) => a.set(*name, s.clone()),
                Arg::Num(n) => a.set(*name, *n),
            }
        }
        a
    });
    for wanted in [lang, DEFAULT] {
        let Some((_, b)) = BUNDLES.iter().find(|(l, _)| *l == wanted) else {
            continue;
        };
        if let Some(pattern) = b.get_message(key).and_then(|m| m.value()) {
            let mut errors = vec![];
            return b
                .format_pattern(pattern, fargs.as_ref(), &mut errors)
                .into_owned();
        }
    }
    tracing::warn!(key, lang, "missing translation");
    key.to_owned()
}

/// A message without arguments.
pub fn t(lang: &str, key: &str) -> String {
    text(lang, key, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast::Entry;

    fn keys(source: &str) -> Vec<String> {
        let res = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, e)| panic!("{e:?}"));
        res.body
            .iter()
            .filter_map(|e| match e {
                Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_english_key_exists_in_every_language() {
        let en = keys(SOURCES[0].1);
        assert!(en.len() > 50, "English has {} keys", en.len());
        for (lang, source) in &SOURCES[1..] {
            let theirs = keys(source);
            let missing: Vec<_> = en.iter().filter(|k| !theirs.contains(k)).collect();
            let extra: Vec<_> = theirs.iter().filter(|k| !en.contains(k)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang} has unknown keys {extra:?}");
        }
    }

    #[test]
    fn no_language_defines_a_key_twice() {
        // A second definition silently replaces the first one.
        for (lang, source) in SOURCES {
            let mut seen = std::collections::HashSet::new();
            let twice: Vec<String> = keys(source)
                .into_iter()
                .filter(|k| !seen.insert(k.clone()))
                .collect();
            assert!(twice.is_empty(), "{lang} defines {twice:?} twice");
        }
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let en = keys(SOURCES[0].1);
        for (name, source) in crate::web::render::TEMPLATES
            .iter()
            .chain(crate::web::render::CODE)
        {
            // Tests name keys that do not exist on purpose.
            let source = source.split("#[cfg(test)]").next().unwrap_or_default();
            // `t("key")` in templates, `"error-…"`/`"flash-…"` literals in code;
            // keys built at run time end with a dash and are skipped.
            let calls = source
                .split("t(\"")
                .skip(1)
                .filter(|_| name.ends_with(".html"));
            for piece in calls {
                let key = piece.split('"').next().unwrap_or_default();
                if key.ends_with('-') {
                    continue;
                }
                assert!(en.iter().any(|k| k == key), "{name} uses unknown key {key}");
            }
            for prefix in ["error-", "flash-"] {
                for piece in source.split(&format!("\"{prefix}")).skip(1) {
                    let key = format!("{prefix}{}", piece.split('"').next().unwrap_or_default());
                    if key.ends_with('-') || key.contains(' ') {
                        continue;
                    }
                    assert!(en.contains(&key), "{name} uses unknown key {key}");
                }
            }
        }
    }

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(negotiate("fr-CH, fr;q=0.9, en;q=0.8"), Some("fr"));
        assert_eq!(negotiate("ja, de-AT;q=0.5, en;q=0.4"), Some("de"));
        assert_eq!(negotiate("en;q=0.2, pl;q=0.9"), Some("pl"));
        assert_eq!(negotiate("es;q=0, it"), None);
        assert_eq!(negotiate("*"), None);
        assert_eq!(negotiate(""), None);
        assert_eq!(supported("PT-br"), None);
        assert_eq!(supported("ES_mx"), Some("es"));
    }

    #[test]
    fn messages_take_arguments_and_fall_back_to_english() {
        let s = text("fr", "error-too-many", &[("minutes", Arg::Num(3.0))]);
        assert!(s.contains('3'), "{s}");
        assert_ne!(
            s,
            text("en", "error-too-many", &[("minutes", Arg::Num(3.0))])
        );
        assert_eq!(t("xx", "nav-home"), t("en", "nav-home"));
        assert_eq!(t("de", "no-such-key"), "no-such-key");
    }
}
