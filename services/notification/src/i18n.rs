//! The mail texts (Project Fluent files under `i18n/`, embedded in the
//! binary at build time) and the choice of a recipient's language (H1).
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

/// The language of anyone whose own one has no texts.
pub const DEFAULT: &str = "en";

/// Every supported language with its file, the reference (English) first.
pub(crate) const FILES: [(&str, &str); 5] = [
    ("en", include_str!("../i18n/en/mail.ftl")),
    ("fr", include_str!("../i18n/fr/mail.ftl")),
    ("de", include_str!("../i18n/de/mail.ftl")),
    ("es", include_str!("../i18n/es/mail.ftl")),
    ("pl", include_str!("../i18n/pl/mail.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<Vec<(&'static str, Bundle)>> =
    LazyLock::new(|| FILES.iter().map(|(l, s)| (*l, bundle(l, s))).collect());

fn bundle(lang: &str, source: &str) -> Bundle {
    let mut b = FluentBundle::new_concurrent(vec![lang.parse().unwrap_or_default()]);
    // Plain-text mails: Unicode isolation marks around values would end up
    // in subjects and break links.
    b.set_use_isolating(false);
    // Unit tests forbid both kinds of error; at run time the rest still serves.
    let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(res, errors)| {
        tracing::error!(lang, ?errors, "mail translations have syntax errors");
        res
    });
    if let Err(errors) = b.add_resource(resource) {
        tracing::error!(lang, ?errors, "mail translations have duplicate messages");
    }
    b
}

/// The supported language for a recipient's language tag. Only the primary
/// subtag counts ("fr-CA" and "FR" are French); anything else is English.
pub fn pick(tag: &str) -> &'static str {
    let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
    FILES
        .iter()
        .map(|(l, _)| *l)
        .find(|l| l.eq_ignore_ascii_case(primary))
        .unwrap_or(DEFAULT)
}

/// Message `key` in `lang` (in English when that language lacks it), with
/// what went wrong, if anything, alongside the best-effort text.
pub(crate) fn format(lang: &str, key: &str, args: &FluentArgs<'_>) -> (String, Vec<String>) {
    for wanted in [lang, DEFAULT] {
        let Some((_, b)) = BUNDLES.iter().find(|(l, _)| *l == wanted) else {
            continue;
        };
        let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
            continue;
        };
        let mut errors = vec![];
        let text = b
            .format_pattern(pattern, Some(args), &mut errors)
            .into_owned();
        return (text, errors.iter().map(ToString::to_string).collect());
    }
    (key.to_owned(), vec![format!("no message {key:?}")])
}

/// Like `format`, logging problems: a mail with a visible gap is still
/// better than none, and the unit tests keep the files free of gaps.
pub fn text(lang: &str, key: &str, args: &FluentArgs<'_>) -> String {
    let (text, errors) = format(lang, key, args);
    if !errors.is_empty() {
        tracing::error!(lang, key, ?errors, "mail text incomplete");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast::Entry;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The message ids of a file, refusing syntax errors.
    fn ids(lang: &str, source: &str) -> BTreeSet<String> {
        let res = fluent_syntax::parser::parse(source)
            .unwrap_or_else(|(_, errors)| panic!("{lang}/mail.ftl: {errors:?}"));
        let mut seen = BTreeSet::new();
        for entry in res.body {
            match entry {
                Entry::Message(m) => {
                    assert!(m.value.is_some(), "{lang}: {} has no value", m.id.name);
                    assert!(
                        seen.insert(m.id.name.to_owned()),
                        "{lang}: {} twice",
                        m.id.name
                    );
                }
                Entry::Junk { content } => panic!("{lang}: unparsable {content:?}"),
                _ => {}
            }
        }
        seen
    }

    /// Read from disk rather than the embedded copies, so that a language
    /// folder added without being listed in `FILES` is noticed too.
    #[test]
    fn every_english_message_exists_in_every_language_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n");
        let mut on_disk: Vec<String> = std::fs::read_dir(&root)
            .expect("i18n folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = FILES.iter().map(|(l, _)| (*l).to_owned()).collect();
        listed.sort();
        assert_eq!(on_disk, listed, "i18n folders and FILES differ");

        let read = |lang: &str| {
            std::fs::read_to_string(root.join(lang).join("mail.ftl"))
                .unwrap_or_else(|e| panic!("{lang}/mail.ftl: {e}"))
        };
        let en = ids("en", &read("en"));
        assert!(en.contains("footer") && en.len() > 20, "{en:?}");
        for (lang, _) in &FILES[1..] {
            let theirs = ids(lang, &read(lang));
            let missing: Vec<_> = en.difference(&theirs).collect();
            let unknown: Vec<_> = theirs.difference(&en).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(
                unknown.is_empty(),
                "{lang} has keys English lacks: {unknown:?}"
            );
        }
    }

    #[test]
    fn embedded_files_load_without_errors() {
        for (lang, source) in FILES {
            assert!(FluentResource::try_new(source.to_owned()).is_ok(), "{lang}");
        }
        assert_eq!(BUNDLES.len(), FILES.len());
    }

    #[test]
    fn primary_subtag_chooses_the_language() {
        for (tag, want) in [
            ("fr", "fr"),
            ("fr-CA", "fr"),
            ("FR", "fr"),
            ("fr_BE", "fr"),
            (" de-AT ", "de"),
            ("es-419", "es"),
            ("pl-PL", "pl"),
            ("en-GB", "en"),
            ("it", "en"),
            ("", "en"),
            ("klingon", "en"),
        ] {
            assert_eq!(pick(tag), want, "{tag:?}");
        }
    }

    #[test]
    fn a_message_missing_everywhere_is_reported() {
        let (text, errors) = format("de", "no-such-message", &FluentArgs::new());
        assert_eq!(text, "no-such-message");
        assert_eq!(errors.len(), 1);
    }
}
