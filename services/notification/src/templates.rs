//! Mail texts: a template, a language and parameters make a subject and a
//! plain-text body. Pure, so every wording is unit-tested. The wording is in
//! the Fluent files (`i18n/<lang>/mail.ftl`), see `crate::i18n`.
use std::collections::HashMap;

use fluent_bundle::FluentArgs;

use crate::i18n;

/// A mail ready to be queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown template {0:?}")]
    UnknownTemplate(String),
    #[error("template {template} needs the parameter {param:?}")]
    MissingParam {
        template: &'static str,
        param: &'static str,
    },
}

/// Where the texts of a template come from and what it needs. The wording
/// lives in `i18n/<lang>/mail.ftl`; this only says how a mail is put
/// together: a greeting, paragraphs, then the footer.
struct Template {
    name: &'static str,
    /// Refused when absent or blank, in this order.
    required: &'static [&'static str],
    /// Their text is left out when absent or blank.
    optional: &'static [&'static str],
    subject: &'static str,
    body: &'static [Part],
    /// The body holds a live single-use link: not kept once sent.
    secret_link: bool,
}

enum Part {
    Para(&'static str),
    /// A paragraph shown only when the parameter (first) is given.
    ParaIf(&'static str, &'static str),
    /// A line added to the previous paragraph when the parameter is given.
    LineIf(&'static str, &'static str),
}

use Part::{LineIf, Para, ParaIf};

const TEMPLATES: &[Template] = &[
    // To a contact invited by staff (A2).
    Template {
        name: "invitation",
        required: &["name", "link", "provider", "expires"],
        optional: &[],
        subject: "invitation-subject",
        body: &[
            Para("invitation-intro"),
            Para("invitation-action"),
            Para("invitation-expiry"),
            Para("signature"),
        ],
        secret_link: true,
    },
    // From identity: "forgot password", also the way to a first password (A5).
    Template {
        name: "password_reset",
        required: &["link", "provider", "expires"],
        optional: &["name"],
        subject: "password-reset-subject",
        body: &[
            Para("password-reset-intro"),
            Para("password-reset-action"),
            Para("password-reset-expiry"),
            Para("password-reset-ignore"),
            Para("signature"),
        ],
        secret_link: true,
    },
    // From identity: confirms a registration through the open link (A4).
    Template {
        name: "registration",
        required: &["link", "provider", "expires"],
        optional: &["name"],
        subject: "registration-subject",
        body: &[
            Para("registration-intro"),
            Para("registration-action"),
            Para("registration-expiry"),
            Para("signature"),
        ],
        secret_link: true,
    },
    // To staff; `name` (the staff member) and `link` (to the back office).
    Template {
        name: "request_submitted",
        required: &["title", "request_id"],
        optional: &["name", "link"],
        subject: "request-submitted-subject",
        body: &[
            Para("request-submitted-intro"),
            Para("request-submitted-details"),
            LineIf("link", "request-submitted-link"),
        ],
        secret_link: false,
    },
    // To a customer's contacts, when a quote awaits them or an invoice is
    // issued (F1).
    Template {
        name: "quote_sent",
        required: &["title"],
        optional: &["name", "link"],
        subject: "quote-sent-subject",
        body: &[Para("quote-sent-intro"), ParaIf("link", "quote-sent-link")],
        secret_link: false,
    },
    Template {
        name: "invoice_issued",
        required: &["title"],
        optional: &["name", "link"],
        subject: "invoice-issued-subject",
        body: &[
            Para("invoice-issued-intro"),
            ParaIf("link", "invoice-issued-link"),
        ],
        secret_link: false,
    },
    // To a contact, for the documents published for them in one burst (F1).
    Template {
        name: "documents_published",
        required: &["documents"],
        optional: &["name", "link"],
        subject: "documents-published-subject",
        body: &[
            Para("documents-published-intro"),
            Para("documents-published-list"),
            ParaIf("link", "documents-published-link"),
        ],
        secret_link: false,
    },
    // To staff who write quotes, on a contact's decision (E3).
    Template {
        name: "quote_accepted",
        required: &["title", "customer", "signer", "total"],
        optional: &["name", "link"],
        subject: "quote-accepted-subject",
        body: &[
            Para("quote-accepted-intro"),
            Para("quote-accepted-next"),
            ParaIf("link", "quote-link"),
        ],
        secret_link: false,
    },
    Template {
        name: "quote_declined",
        required: &["title", "customer", "reason"],
        optional: &["name", "link"],
        subject: "quote-declined-subject",
        body: &[
            Para("quote-declined-intro"),
            Para("quote-declined-reason"),
            ParaIf("link", "quote-link"),
        ],
        secret_link: false,
    },
    // To the contact who submitted the request.
    Template {
        name: "request_accepted",
        required: &["name", "title"],
        optional: &[],
        subject: "request-accepted-subject",
        body: &[Para("request-accepted-body")],
        secret_link: false,
    },
    // To the contact who submitted the request; a blank reason leaves its
    // paragraph out rather than failing the mail.
    Template {
        name: "request_rejected",
        required: &["name", "title"],
        optional: &["reason"],
        subject: "request-rejected-subject",
        body: &[
            Para("request-rejected-intro"),
            ParaIf("reason", "request-rejected-reason"),
            Para("request-rejected-closing"),
        ],
        secret_link: false,
    },
    // To a contact whose mail could not be taken in (`request.mail_refused`):
    // why (`why` selects the text; `missing` the field it names) and
    // the portal, where it can be done. Sent whatever their notification
    // setting: it answers their own mail.
    Template {
        name: "mail_refused",
        required: &["name", "title", "why"],
        optional: &["missing", "link"],
        subject: "mail-refused-subject",
        body: &[
            Para("mail-refused-intro"),
            Para("mail-refused-why"),
            ParaIf("link", "mail-refused-link"),
        ],
        secret_link: false,
    },
    // To the request's contact when staff comment (never for internal
    // notes); `reply_to` is the signed reply address, when inbound mail is on.
    Template {
        name: "request_comment",
        required: &["name", "title", "author", "comment"],
        optional: &["reply_to"],
        subject: "request-comment-subject",
        body: &[
            Para("request-comment-intro"),
            Para("request-comment-text"),
            ParaIf("reply_to", "request-comment-reply"),
        ],
        secret_link: false,
    },
    // To the assignee, or the dispatchers, when the contact comments.
    Template {
        name: "request_comment_staff",
        required: &["title", "request_id", "author", "comment"],
        optional: &["name", "link"],
        subject: "request-comment-staff-subject",
        body: &[
            Para("request-comment-staff-intro"),
            Para("request-comment-text"),
            ParaIf("link", "request-comment-staff-link"),
        ],
        secret_link: false,
    },
    // To the contact: who handles the request and, when set, by when.
    Template {
        name: "request_assigned",
        required: &["name", "title", "assignee"],
        optional: &["due"],
        subject: "request-assigned-subject",
        body: &[
            Para("request-assigned-body"),
            LineIf("due", "request-assigned-due"),
        ],
        secret_link: false,
    },
    // To the contact when the request is closed (by either side).
    Template {
        name: "request_closed",
        required: &["name", "title"],
        optional: &["note"],
        subject: "request-closed-subject",
        body: &[
            Para("request-closed-body"),
            ParaIf("note", "request-closed-note"),
            Para("request-closed-closing"),
        ],
        secret_link: false,
    },
    // To the assignee when the contact closed the request.
    Template {
        name: "request_closed_staff",
        required: &["title", "request_id", "closer"],
        optional: &["name", "note"],
        subject: "request-closed-staff-subject",
        body: &[
            Para("request-closed-staff-body"),
            ParaIf("note", "request-closed-note"),
        ],
        secret_link: false,
    },
    // To the contact who asked for the work, with the appointment as .ics
    // (D2, F1); `when` is the planned window, `link` their appointments.
    Template {
        name: "appointment_scheduled",
        required: &["name", "title", "when"],
        optional: &["technicians", "link"],
        subject: "appointment-scheduled-subject",
        body: &[
            Para("appointment-scheduled-body"),
            LineIf("technicians", "appointment-technicians"),
            Para("appointment-calendar"),
            ParaIf("link", "appointment-link"),
        ],
        secret_link: false,
    },
    // The same contact when the work is planned again (time or people).
    Template {
        name: "appointment_changed",
        required: &["name", "title", "when"],
        optional: &["previous", "technicians", "link"],
        subject: "appointment-changed-subject",
        body: &[
            Para("appointment-changed-body"),
            LineIf("previous", "appointment-changed-previous"),
            LineIf("technicians", "appointment-technicians"),
            Para("appointment-calendar"),
            ParaIf("link", "appointment-link"),
        ],
        secret_link: false,
    },
    // The same contact when the work will not be done; `when` if it was planned.
    Template {
        name: "appointment_cancelled",
        required: &["name", "title"],
        optional: &["when", "reason"],
        subject: "appointment-cancelled-subject",
        body: &[
            Para("appointment-cancelled-body"),
            LineIf("when", "appointment-cancelled-when"),
            ParaIf("reason", "appointment-cancelled-reason"),
            Para("appointment-cancelled-closing"),
        ],
        secret_link: false,
    },
    // The same contact when the work is completed; `link` is the request's page.
    Template {
        name: "work_done",
        required: &["name", "title"],
        optional: &["technician", "link"],
        subject: "work-done-subject",
        body: &[
            Para("work-done-body"),
            LineIf("technician", "work-done-by"),
            ParaIf("link", "work-done-link"),
        ],
        secret_link: false,
    },
    // To the staff member who planned the work, when a technician completes it.
    Template {
        name: "work_done_staff",
        required: &["title", "technician"],
        optional: &["name", "when", "notes", "link"],
        subject: "work-done-staff-subject",
        body: &[
            Para("work-done-staff-body"),
            LineIf("when", "work-done-staff-planned"),
            ParaIf("notes", "work-done-staff-notes"),
            ParaIf("link", "work-done-staff-link"),
        ],
        secret_link: false,
    },
];

/// Templates whose body must not be kept once sent.
pub fn with_secret_links() -> Vec<&'static str> {
    TEMPLATES
        .iter()
        .filter(|t| t.secret_link)
        .map(|t| t.name)
        .collect()
}

/// A parameter's value, `None` when absent or blank.
fn given<'a>(params: &'a HashMap<String, String>, param: &str) -> Option<&'a str> {
    params
        .get(param)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

/// Renders `template` in `language` with `params`.
pub fn render(
    template: &str,
    language: &str,
    params: &HashMap<String, String>,
) -> Result<Rendered, TemplateError> {
    let t = TEMPLATES
        .iter()
        .find(|t| t.name == template)
        .ok_or_else(|| TemplateError::UnknownTemplate(template.to_owned()))?;
    let lang = i18n::pick(language);

    // Only declared parameters reach the texts.
    let mut args = FluentArgs::new();
    for &param in t.required {
        let value = given(params, param).ok_or(TemplateError::MissingParam {
            template: t.name,
            param,
        })?;
        args.set(param, value);
    }
    for &param in t.optional {
        if let Some(value) = given(params, param) {
            args.set(param, value);
        }
    }
    let has = |param: &str| args.get(param).is_some();
    let text = |key: &str| i18n::text(lang, key, &args);

    let greeting = if has("name") {
        "greeting-named"
    } else {
        "greeting"
    };
    let mut paragraphs = vec![text(greeting)];
    for part in t.body {
        match *part {
            Para(key) => paragraphs.push(text(key)),
            ParaIf(param, key) if has(param) => paragraphs.push(text(key)),
            LineIf(param, key) if has(param) => {
                if let Some(last) = paragraphs.last_mut() {
                    last.push('\n');
                    last.push_str(&text(key));
                }
            }
            ParaIf(..) | LineIf(..) => {}
        }
    }
    // "-- " is the usual plain-text signature separator.
    let body = format!("{}\n\n-- \n{}\n", paragraphs.join("\n\n"), text("footer"));
    Ok(Rendered {
        subject: one_line(&text(t.subject)),
        body,
    })
}

/// Subjects come partly from users (request titles): no line breaks or
/// control characters may reach the header.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANGS: [&str; 5] = ["en", "fr", "de", "es", "pl"];

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// A distinct, recognisable value for every parameter a template takes.
    /// Parameters that choose a wording (a Fluent selector) instead of showing.
    const SELECTORS: &[&str] = &["why", "missing"];

    fn all_params(t: &Template) -> HashMap<String, String> {
        t.required
            .iter()
            .chain(t.optional)
            .map(|p| ((*p).to_owned(), format!("<{p}-value>")))
            .collect()
    }

    fn required_params(t: &Template) -> HashMap<String, String> {
        t.required
            .iter()
            .map(|p| ((*p).to_owned(), format!("<{p}-value>")))
            .collect()
    }

    fn invitation_params() -> HashMap<String, String> {
        params(&[
            ("name", "Alice Martin"),
            (
                "link",
                "https://portal.example/invitations/accept?token=abc",
            ),
            ("provider", "Acme Services"),
            ("expires", "2026-12-02"),
        ])
    }

    fn reset_params() -> HashMap<String, String> {
        params(&[
            ("link", "https://acme.portal.example/reset?token=xyz"),
            ("provider", "Acme Services"),
            ("expires", "2026-11-25 14:30 UTC"),
        ])
    }

    /// Every template in every language: each parameter shows, no Fluent
    /// gap (`{$x}` or an unknown key), no isolation mark, a real translation.
    #[test]
    fn every_template_renders_in_every_language_with_its_parameters() {
        for t in TEMPLATES {
            let p = all_params(t);
            let english = render(t.name, "en", &p).expect("renders");
            for lang in LANGS {
                let r = render(t.name, lang, &p).unwrap_or_else(|e| panic!("{lang}: {e}"));
                let ctx = format!("{} in {lang}", t.name);
                for (name, value) in &p {
                    if !SELECTORS.contains(&name.as_str()) {
                        assert!(r.body.contains(value.as_str()), "{ctx}: no {value}");
                    }
                }
                for text in [&r.subject, &r.body] {
                    assert!(!text.contains('{') && !text.contains('}'), "{ctx}: {text}");
                    assert!(!text.contains(['\u{2068}', '\u{2069}']), "{ctx}");
                    assert!(!text.contains("-subject"), "{ctx}: {text}");
                }
                assert!(!r.subject.is_empty() && !r.subject.contains('\n'), "{ctx}");
                assert!(
                    r.body.ends_with('\n') && r.body.contains("\n\n-- \n"),
                    "{ctx}"
                );
                if lang != "en" {
                    assert_ne!(r.subject, english.subject, "{ctx} is untranslated");
                    assert_ne!(r.body, english.body, "{ctx} is untranslated");
                }
            }
        }
    }

    /// Every message a template may use formats cleanly in every language,
    /// so none is missing from a file or names a parameter it is not given.
    #[test]
    fn every_message_of_every_template_formats_without_errors() {
        for t in TEMPLATES {
            let p = all_params(t);
            let mut args = FluentArgs::new();
            for (k, v) in &p {
                args.set(k.as_str(), v.as_str());
            }
            let keys = t.body.iter().map(|part| match *part {
                Para(k) | ParaIf(_, k) | LineIf(_, k) => k,
            });
            let mut keys: Vec<&str> = keys.chain([t.subject, "footer", "greeting"]).collect();
            if t.required.contains(&"name") || t.optional.contains(&"name") {
                keys.push("greeting-named");
            }
            for lang in LANGS {
                for key in &keys {
                    let (_, errors) = i18n::format(lang, key, &args);
                    assert!(errors.is_empty(), "{lang} {key}: {errors:?}");
                }
            }
        }
    }

    #[test]
    fn optional_parameters_may_be_left_out_in_every_language() {
        for t in TEMPLATES {
            for lang in LANGS {
                let r = render(t.name, lang, &required_params(t))
                    .unwrap_or_else(|e| panic!("{} in {lang}: {e}", t.name));
                assert!(!r.body.contains('{'), "{} in {lang}: {}", t.name, r.body);
                for param in t.optional {
                    assert!(!r.body.contains(&format!("<{param}-value>")));
                }
            }
        }
    }

    #[test]
    fn invitation_in_english_carries_the_link_and_expiry() {
        let r = render("invitation", "en", &invitation_params()).expect("renders");
        assert_eq!(
            r.subject,
            "Acme Services invites you to its customer portal"
        );
        assert!(r.body.starts_with("Hello Alice Martin,\n\n"));
        assert!(
            r.body
                .contains("\nhttps://portal.example/invitations/accept?token=abc\n")
        );
        assert!(r.body.contains("valid until 2026-12-02"));
        assert!(r.body.ends_with(
            "\n\nAcme Services\n\n-- \nThis message was sent automatically by the customer portal.\n"
        ));
    }

    #[test]
    fn french_is_chosen_by_primary_subtag() {
        for lang in ["fr", "FR", "fr-CA", "fr_BE"] {
            let r = render("invitation", lang, &invitation_params()).expect("renders");
            assert_eq!(
                r.subject,
                "Acme Services vous invite sur son portail client"
            );
            assert!(r.body.starts_with("Bonjour Alice Martin,"));
            assert!(r.body.contains("jusqu'au 2026-12-02"));
        }
    }

    #[test]
    fn german_spanish_and_polish_have_their_own_texts() {
        for (lang, hello) in [
            ("de-DE", "Guten Tag Alice Martin,"),
            ("es", "Hola, Alice Martin:"),
            ("pl_PL", "Dzień dobry, Alice Martin,"),
        ] {
            let r = render("invitation", lang, &invitation_params()).expect("renders");
            assert!(r.body.starts_with(hello), "{lang}: {}", r.body);
            assert!(r.body.contains("2026-12-02"), "{lang}");
        }
    }

    #[test]
    fn unknown_languages_fall_back_to_english() {
        for lang in ["it", "pt-BR", "", "   ", "klingon", "-"] {
            let r = render("invitation", lang, &invitation_params()).expect("renders");
            assert_eq!(
                r,
                render("invitation", "en", &invitation_params()).expect("en")
            );
        }
    }

    #[test]
    fn unknown_template_is_refused() {
        assert_eq!(
            render("password_reset_v9", "en", &HashMap::new()),
            Err(TemplateError::UnknownTemplate("password_reset_v9".into()))
        );
    }

    #[test]
    fn missing_or_blank_parameter_is_named() {
        let mut p = invitation_params();
        p.remove("link");
        let err = render("invitation", "en", &p).expect_err("link is required");
        assert_eq!(
            err,
            TemplateError::MissingParam {
                template: "invitation",
                param: "link"
            }
        );
        assert!(err.to_string().contains("\"link\""));
        p.insert("link".into(), "   ".into());
        assert!(render("invitation", "en", &p).is_err());
    }

    #[test]
    fn every_required_parameter_of_the_new_templates_is_named_when_missing() {
        for template in ["password_reset", "registration"] {
            for param in ["link", "provider", "expires"] {
                let mut p = reset_params();
                p.remove(param);
                for lang in LANGS {
                    let err = render(template, lang, &p).expect_err("required");
                    assert_eq!(err, TemplateError::MissingParam { template, param });
                }
            }
        }
    }

    #[test]
    fn password_reset_offers_to_set_or_reset_once_until_expiry() {
        let r = render("password_reset", "en", &reset_params()).expect("renders");
        assert_eq!(r.subject, "Set or reset your Acme Services portal password");
        assert!(r.body.starts_with("Hello,\n\n"));
        assert!(
            r.body
                .contains("set or reset the password of your Acme Services")
        );
        assert!(
            r.body
                .contains(":\nhttps://acme.portal.example/reset?token=xyz\n\n")
        );
        assert!(
            r.body
                .contains("only once and is valid until 2026-11-25 14:30 UTC.")
        );
        assert!(
            r.body
                .contains("If you did not make this request, you can ignore")
        );

        let mut p = reset_params();
        p.insert("name".into(), "Alice".into());
        let fr = render("password_reset", "fr-FR", &p).expect("renders");
        assert!(fr.body.starts_with("Bonjour Alice,"));
        assert!(fr.body.contains("définition ou de réinitialisation"));
        assert!(fr.body.contains("jusqu'au 2026-11-25 14:30 UTC"));
    }

    #[test]
    fn registration_asks_to_confirm_with_the_link() {
        let mut p = reset_params();
        p.insert("name".into(), "Bob".into());
        let r = render("registration", "en", &p).expect("renders");
        assert_eq!(
            r.subject,
            "Confirm your registration to the Acme Services customer portal"
        );
        assert!(r.body.starts_with("Hello Bob,"));
        assert!(
            r.body
                .contains("open this link:\nhttps://acme.portal.example/reset?token=xyz\n")
        );
        assert!(r.body.contains("valid until 2026-11-25 14:30 UTC"));
        let de = render("registration", "de", &p).expect("renders");
        assert_eq!(
            de.subject,
            "Bestätigen Sie Ihre Registrierung im Kundenportal von Acme Services"
        );
    }

    #[test]
    fn mails_with_single_use_links_are_marked_secret() {
        let mut secret = with_secret_links();
        secret.sort_unstable();
        assert_eq!(secret, ["invitation", "password_reset", "registration"]);
    }

    #[test]
    fn request_submitted_names_title_and_reference_and_optional_link() {
        let p = params(&[("title", "Boiler leaks"), ("request_id", "r-42")]);
        let r = render("request_submitted", "en", &p).expect("renders");
        assert_eq!(r.subject, "New request: Boiler leaks");
        assert!(r.body.starts_with("Hello,"));
        assert!(r.body.contains("Title: Boiler leaks\nReference: r-42\n"));
        assert!(!r.body.contains("Open it"));

        let mut p = p;
        p.insert("link".into(), "https://portal.example/requests/r-42".into());
        p.insert("name".into(), "Bob".into());
        let r = render("request_submitted", "fr", &p).expect("renders");
        assert_eq!(r.subject, "Nouvelle demande : Boiler leaks");
        assert!(r.body.starts_with("Bonjour Bob,"));
        assert!(
            r.body
                .contains("Référence : r-42\nOuvrir : https://portal.example/requests/r-42\n")
        );
    }

    #[test]
    fn request_accepted_in_english_and_french() {
        let p = params(&[("name", "Alice"), ("title", "Boiler leaks")]);
        let en = render("request_accepted", "en", &p).expect("renders");
        assert_eq!(en.subject, "Your request has been accepted: Boiler leaks");
        assert!(en.body.contains("\"Boiler leaks\" has been accepted"));
        let fr = render("request_accepted", "fr", &p).expect("renders");
        assert_eq!(fr.subject, "Votre demande a été acceptée : Boiler leaks");
        assert!(fr.body.contains("« Boiler leaks » a été acceptée"));
        assert_eq!(
            render("request_accepted", "en", &params(&[("name", "Alice")])),
            Err(TemplateError::MissingParam {
                template: "request_accepted",
                param: "title"
            })
        );
    }

    #[test]
    fn a_refused_mail_says_why_in_the_contacts_language() {
        let p = params(&[
            ("name", "Alice"),
            ("title", "Boiler leaks"),
            ("why", "missing_fields"),
            ("missing", "category"),
            ("link", "https://portal.example/t/demo/requests/new"),
        ]);
        let en = render("mail_refused", "en", &p).expect("renders");
        assert_eq!(en.subject, "Your mail could not be taken: Boiler leaks");
        assert!(
            en.body
                .contains("Every new request needs a category, which a mail cannot give."),
            "{}",
            en.body
        );
        assert!(
            en.body
                .contains("The portal: https://portal.example/t/demo/requests/new\n")
        );
        let fr = render("mail_refused", "fr", &p).expect("renders");
        assert!(
            fr.body.contains("doit préciser une catégorie"),
            "{}",
            fr.body
        );

        let closed = params(&[
            ("name", "Alice"),
            ("title", "Re: Boiler"),
            ("why", "request_closed"),
        ]);
        let de = render("mail_refused", "de", &closed).expect("renders");
        assert!(de.body.contains("ist abgeschlossen"), "{}", de.body);
        assert!(!de.body.contains("Zum Portal"));
        // A reason this version does not know still reads as a refusal.
        let odd = params(&[("name", "Alice"), ("title", "x"), ("why", "later")]);
        let pl = render("mail_refused", "pl", &odd).expect("renders");
        assert!(pl.body.contains("pusta lub zbyt długa"), "{}", pl.body);
    }

    #[test]
    fn request_rejected_shows_the_reason_when_there_is_one() {
        let p = params(&[
            ("name", "Alice"),
            ("title", "Boiler leaks"),
            ("reason", "Not covered by the contract"),
        ]);
        let en = render("request_rejected", "en", &p).expect("renders");
        assert_eq!(en.subject, "Your request was not accepted: Boiler leaks");
        assert!(
            en.body
                .contains("\n\nReason: Not covered by the contract\n\n")
        );
        let fr = render("request_rejected", "fr", &p).expect("renders");
        assert!(fr.body.contains("Motif : Not covered by the contract\n"));

        let no_reason = params(&[
            ("name", "Alice"),
            ("title", "Boiler leaks"),
            ("reason", " "),
        ]);
        let en = render("request_rejected", "en", &no_reason).expect("renders");
        assert!(!en.body.contains("Reason:"));
        assert!(
            en.body
                .contains("was not accepted.\n\nIf you have any questions")
        );
    }

    #[test]
    fn comment_to_the_contact_offers_to_reply_by_mail_in_five_languages() {
        let p = params(&[
            ("name", "Claire"),
            ("title", "Four en panne"),
            ("author", "Dispatch Demo"),
            (
                "comment",
                "Un technicien passe mardi.\nMerci de laisser l'accès.",
            ),
            ("reply_to", "reply+abc@in.example"),
        ]);
        let fr = render("request_comment", "fr", &p).expect("renders");
        assert_eq!(
            fr.subject,
            "Nouveau commentaire sur votre demande : Four en panne"
        );
        assert!(
            fr.body
                .starts_with("Bonjour Claire,\n\nDispatch Demo a ajouté")
        );
        assert!(
            fr.body
                .contains("\n\nUn technicien passe mardi.\nMerci de laisser l'accès.\n\n")
        );
        assert!(fr.body.contains("reply+abc@in.example"));
        for (lang, words) in [
            ("en", "replying to this e-mail"),
            ("de", "auf diese E-Mail antworten"),
            ("es", "respondiendo a este correo"),
            ("pl", "odpowiedzieć na tę wiadomość"),
        ] {
            let r = render("request_comment", lang, &p).expect("renders");
            assert!(r.body.contains(words), "{lang}: {}", r.body);
        }
        // Without inbound mail there is nothing to reply to.
        let mut p = p;
        p.remove("reply_to");
        let fr = render("request_comment", "fr", &p).expect("renders");
        assert!(!fr.body.contains("répondre"));
    }

    #[test]
    fn comment_to_staff_names_the_author_and_reference() {
        let p = params(&[
            ("title", "Oven"),
            ("request_id", "r-7"),
            ("author", "Claire Martin"),
            ("comment", "Still broken."),
        ]);
        let en = render("request_comment_staff", "en", &p).expect("renders");
        assert_eq!(en.subject, "The customer commented on: Oven");
        assert!(en.body.contains("Claire Martin has added a comment to the request \"Oven\" (reference r-7):\n\nStill broken.\n"));
    }

    #[test]
    fn assignment_shows_the_due_date_when_there_is_one() {
        let p = params(&[("name", "Claire"), ("title", "Oven"), ("assignee", "Tom")]);
        let en = render("request_assigned", "en", &p).expect("renders");
        assert!(en.body.contains("\"Oven\" is now handled by Tom.\n\n-- "));
        let mut p = p;
        p.insert("due".into(), "2026-12-01".into());
        let fr = render("request_assigned", "fr", &p).expect("renders");
        assert_eq!(fr.subject, "Votre demande est prise en charge : Oven");
        assert!(
            fr.body
                .contains("suivie par Tom.\nElle doit être traitée au plus tard le 2026-12-01.")
        );
    }

    #[test]
    fn closing_mails_for_the_contact_and_the_assignee() {
        let p = params(&[("name", "Claire"), ("title", "Oven")]);
        let de = render("request_closed", "de", &p).expect("renders");
        assert_eq!(de.subject, "Ihre Anfrage wurde geschlossen: Oven");
        assert!(!de.body.contains("Hinweis"));
        let p = params(&[
            ("title", "Oven"),
            ("request_id", "r-7"),
            ("closer", "Claire Martin"),
            ("note", "Fixed itself"),
        ]);
        let en = render("request_closed_staff", "en", &p).expect("renders");
        assert!(en.body.contains(
            "Claire Martin has closed the request \"Oven\" (reference r-7).\n\nNote: Fixed itself\n"
        ));
    }

    #[test]
    fn appointment_mails_say_when_who_and_where_to_look() {
        let p = params(&[
            ("name", "Claire"),
            ("title", "Oven"),
            ("when", "2026-12-05 08:00 – 10:00 UTC"),
            ("technicians", "Tom Tech"),
            ("link", "https://portal.example/t/demo/appointments"),
        ]);
        let en = render("appointment_scheduled", "en", &p).expect("renders");
        assert_eq!(en.subject, "Appointment planned: Oven");
        assert!(
            en.body.contains(
                "\"Oven\" is planned for 2026-12-05 08:00 – 10:00 UTC.\nWho comes: Tom Tech\n\n"
            ),
            "{}",
            en.body
        );
        assert!(
            en.body
                .contains("Your appointments: https://portal.example/t/demo/appointments\n")
        );
        let fr = render("appointment_scheduled", "fr", &p).expect("renders");
        assert_eq!(fr.subject, "Intervention planifiée : Oven");
        assert!(fr.body.contains("prévue le 2026-12-05 08:00 – 10:00 UTC."));

        let mut p = p;
        p.insert("previous".into(), "2026-12-04 08:00 – 10:00 UTC".into());
        let de = render("appointment_changed", "de", &p).expect("renders");
        assert_eq!(de.subject, "Termin geändert: Oven");
        assert!(
            de.body
                .contains("Bisher war er für 2026-12-04 08:00 – 10:00 UTC geplant.")
        );

        let cancelled = params(&[
            ("name", "Claire"),
            ("title", "Oven"),
            ("reason", "No access"),
        ]);
        let en = render("appointment_cancelled", "en", &cancelled).expect("renders");
        assert_eq!(en.subject, "Appointment cancelled: Oven");
        assert!(
            en.body
                .contains("has been cancelled.\n\nReason: No access\n\n")
        );
        assert!(!en.body.contains("It was planned"));
    }

    #[test]
    fn work_done_mails_for_the_contact_and_the_planner() {
        let p = params(&[
            ("name", "Claire"),
            ("title", "Oven"),
            ("technician", "Tom Tech"),
            ("link", "https://portal.example/t/demo/requests/r-1"),
        ]);
        let es = render("work_done", "es", &p).expect("renders");
        assert_eq!(es.subject, "Trabajo realizado: Oven");
        assert!(es.body.contains("La ha realizado Tom Tech."));
        assert!(
            es.body
                .contains("aquí: https://portal.example/t/demo/requests/r-1\n")
        );
        let p = params(&[
            ("name", "Dana"),
            ("title", "Oven"),
            ("technician", "Tom Tech"),
            ("notes", "Replaced the thermostat."),
        ]);
        let en = render("work_done_staff", "en", &p).expect("renders");
        assert_eq!(en.subject, "Work completed: Oven");
        assert!(en.body.starts_with("Hello Dana,\n\nTom Tech has completed the work \"Oven\" that you planned.\n\nNotes: Replaced the thermostat.\n"), "{}", en.body);
    }

    #[test]
    fn subjects_stay_on_one_line() {
        let p = params(&[
            ("name", "Alice"),
            ("title", "Leak\r\nBcc: evil@example.com\tnow"),
        ]);
        for lang in LANGS {
            let r = render("request_accepted", lang, &p).expect("renders");
            assert!(
                r.subject.ends_with(": Leak Bcc: evil@example.com now"),
                "{lang}: {}",
                r.subject
            );
        }
    }
}
