//! The new text of a reply mail: quoted history, the "On … wrote:" line
//! that introduces it and the signature are cut. Pure and unit-tested.

/// Markers of forwarded or quoted originals that mail clients put on a line
/// of their own (Outlook and friends), in the five languages.
const ORIGINAL_MARKERS: [&str; 8] = [
    "-----original message-----",
    "-----message d'origine-----",
    "-----ursprüngliche nachricht-----",
    "-----mensaje original-----",
    "-----oryginalna wiadomość-----",
    "-------- original message --------",
    "-------- message original --------",
    "________________________________",
];

/// How attributions begin and end, in the five languages.
const OPENERS: [&str; 5] = ["on ", "le ", "am ", "el ", "w dniu "];
const CLOSINGS: [&str; 6] = [
    "wrote",
    "a écrit",
    "schrieb",
    "escribió",
    "pisze",
    "napisał(a)",
];

/// Whether `s` ends like an attribution: one of [`CLOSINGS`] and a colon.
fn closes(s: &str) -> bool {
    let s = s.trim().to_lowercase();
    s.ends_with(':')
        && CLOSINGS
            .iter()
            .any(|w| s.trim_end_matches(':').trim_end().ends_with(w))
}

/// Whether `line` (with the next one, for clients that wrap it) introduces
/// quoted history: "On … wrote:", "Le … a écrit :", "Am … schrieb …:",
/// "El … escribió:", "W dniu … pisze:" / "… napisał(a):". A line that only
/// ends that way ("here is what he wrote:") counts when it names an address.
fn is_attribution(line: &str, next: Option<&str>) -> bool {
    let l = line.trim().to_lowercase();
    let opens = OPENERS.iter().any(|p| l.starts_with(p));
    let german = l.starts_with("am ") && l.contains(" schrieb ") && l.ends_with(':');
    if german || (closes(line) && (opens || l.contains('@'))) {
        return true;
    }
    // Gmail wraps a long attribution over two lines.
    opens && next.is_some_and(|n| closes(n) && !n.trim_start().starts_with('>'))
}

/// Whether `line` starts a signature or a quoted original on its own.
fn is_cut(line: &str) -> bool {
    if line == "-- " || line == "--" {
        return true;
    }
    let l = line.trim().to_lowercase();
    ORIGINAL_MARKERS.contains(&l.as_str())
}

/// The text a person wrote in a reply: everything before the first
/// attribution, signature or original marker, without `>` lines, trimmed.
pub fn strip_quoted(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalized.split('\n').collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if is_cut(line) || is_attribution(line, lines.get(i + 1).copied()) {
            break;
        }
        if line.trim_start().starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    // No runs of blank lines where quotes were taken out, none at the ends.
    let mut out: Vec<&str> = Vec::new();
    for line in kept {
        if line.is_empty() && out.last().is_none_or(|l: &&str| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_reply_keeps_only_the_new_text() {
        let mail = "Thanks, Tuesday works for me.\r\n\r\nOn Tue, 24 Nov 2026 at 10:02, Portal <reply+abc@in.example> wrote:\r\n> Hello Alice,\r\n>\r\n> A technician can come on Tuesday.\r\n";
        assert_eq!(strip_quoted(mail), "Thanks, Tuesday works for me.");
    }

    #[test]
    fn french_german_spanish_polish_attributions() {
        for attribution in [
            "Le mar. 24 nov. 2026 à 10:02, Portal <reply+abc@in.example> a écrit :",
            "Am Di., 24. Nov. 2026 um 10:02 Uhr schrieb Portal <reply+abc@in.example>:",
            "El mar, 24 nov 2026 a las 10:02, Portal (<reply+abc@in.example>) escribió:",
            "W dniu 24.11.2026 o 10:02, Portal pisze:",
            "Portal <reply+abc@in.example> napisał(a):",
        ] {
            let mail = format!("Merci, c'est noté.\n\n{attribution}\n> Bonjour,\n> texte\n");
            assert_eq!(strip_quoted(&mail), "Merci, c'est noté.", "{attribution}");
        }
    }

    #[test]
    fn a_wrapped_attribution_is_recognised() {
        let mail = "Fine by me.\n\nOn Tue, 24 Nov 2026 at 10:02, Portal of Acme Services <reply+abc@in.example>\nwrote:\n> old\n";
        assert_eq!(strip_quoted(mail), "Fine by me.");
    }

    #[test]
    fn the_signature_is_cut() {
        let mail = "The leak is back.\n\n-- \nAlice Martin\nBoulangerie Martin\n";
        assert_eq!(strip_quoted(mail), "The leak is back.");
    }

    #[test]
    fn outlook_originals_are_cut() {
        let mail =
            "Yes please.\n\n-----Original Message-----\nFrom: Portal\nSent: Tuesday\n\nHello Alice";
        assert_eq!(strip_quoted(mail), "Yes please.");
        let mail = "Oui.\n________________________________\nDe : Portal\n";
        assert_eq!(strip_quoted(mail), "Oui.");
    }

    #[test]
    fn interleaved_quotes_are_dropped_and_answers_kept() {
        let mail = "> Can you come on Tuesday?\nYes, after 2 pm.\n\n> Is the boiler still leaking?\n\nA little.\n";
        assert_eq!(strip_quoted(mail), "Yes, after 2 pm.\n\nA little.");
    }

    #[test]
    fn ordinary_text_that_looks_close_is_kept() {
        let mail =
            "On Monday the oven stopped again.\nLe technicien est passé.\nAm Ende: nichts.\n";
        assert_eq!(
            strip_quoted(mail),
            "On Monday the oven stopped again.\nLe technicien est passé.\nAm Ende: nichts."
        );
        assert_eq!(strip_quoted("a -- b"), "a -- b");
    }

    #[test]
    fn empty_and_quote_only_mails_give_nothing() {
        assert_eq!(strip_quoted(""), "");
        assert_eq!(strip_quoted("\n\n> only a quote\n\n"), "");
        assert_eq!(strip_quoted("On Mon, X wrote:\n> hi"), "");
    }
}
