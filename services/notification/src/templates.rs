//! Mail texts: a template, a language and parameters make a subject and a
//! plain-text body. Pure, so every wording is unit-tested.
use std::collections::HashMap;

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

/// The languages with their own texts; every other one falls back to English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    En,
    Fr,
}

impl Lang {
    /// Looks at the primary subtag only, so "fr", "FR" and "fr-CA" are French.
    fn of(language: &str) -> Self {
        let primary = language.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("fr") {
            Self::Fr
        } else {
            Self::En
        }
    }
}

/// Parameter access that names what is missing.
struct Params<'a> {
    template: &'static str,
    map: &'a HashMap<String, String>,
}

impl<'a> Params<'a> {
    /// A parameter that must be present and not blank.
    fn req(&self, param: &'static str) -> Result<&'a str, TemplateError> {
        self.opt(param).ok_or(TemplateError::MissingParam {
            template: self.template,
            param,
        })
    }

    /// A parameter whose line is left out when absent or blank.
    fn opt(&self, param: &str) -> Option<&'a str> {
        self.map
            .get(param)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Renders `template` in `language` with `params`.
pub fn render(
    template: &str,
    language: &str,
    params: &HashMap<String, String>,
) -> Result<Rendered, TemplateError> {
    let lang = Lang::of(language);
    let rendered = match template {
        "invitation" => invitation(lang, &params_for("invitation", params))?,
        "request_submitted" => request_submitted(lang, &params_for("request_submitted", params))?,
        "request_accepted" => request_accepted(lang, &params_for("request_accepted", params))?,
        "request_rejected" => request_rejected(lang, &params_for("request_rejected", params))?,
        other => return Err(TemplateError::UnknownTemplate(other.to_owned())),
    };
    Ok(Rendered {
        subject: one_line(&rendered.subject),
        body: rendered.body,
    })
}

fn params_for<'a>(template: &'static str, map: &'a HashMap<String, String>) -> Params<'a> {
    Params { template, map }
}

/// Subjects come partly from users (request titles): no line breaks or
/// control characters may reach the header.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn greeting(lang: Lang, name: Option<&str>) -> String {
    match (lang, name) {
        (Lang::En, Some(n)) => format!("Hello {n},"),
        (Lang::En, None) => "Hello,".to_owned(),
        (Lang::Fr, Some(n)) => format!("Bonjour {n},"),
        (Lang::Fr, None) => "Bonjour,".to_owned(),
    }
}

fn footer(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "This message was sent automatically by the customer portal.",
        Lang::Fr => "Ce message a été envoyé automatiquement par le portail client.",
    }
}

fn invitation(lang: Lang, p: &Params<'_>) -> Result<Rendered, TemplateError> {
    let (name, link, provider, expires) = (
        p.req("name")?,
        p.req("link")?,
        p.req("provider")?,
        p.req("expires")?,
    );
    let hello = greeting(lang, Some(name));
    let footer = footer(lang);
    Ok(match lang {
        Lang::En => Rendered {
            subject: format!("{provider} invites you to its customer portal"),
            body: format!(
                "{hello}\n\n\
                 {provider} has invited you to its customer portal, where you can submit \
                 and follow your requests, see planned interventions and find your documents.\n\n\
                 To activate your account, open this link and choose a password:\n\
                 {link}\n\n\
                 The link is valid until {expires}. If you did not expect this invitation, \
                 you can ignore this message.\n\n\
                 {provider}\n\n-- \n{footer}\n"
            ),
        },
        Lang::Fr => Rendered {
            subject: format!("{provider} vous invite sur son portail client"),
            body: format!(
                "{hello}\n\n\
                 {provider} vous invite sur son portail client, où vous pourrez déposer \
                 et suivre vos demandes, consulter les interventions planifiées et retrouver \
                 vos documents.\n\n\
                 Pour activer votre compte, ouvrez ce lien et choisissez un mot de passe :\n\
                 {link}\n\n\
                 Ce lien est valable jusqu'au {expires}. Si vous n'attendiez pas cette \
                 invitation, vous pouvez ignorer ce message.\n\n\
                 {provider}\n\n-- \n{footer}\n"
            ),
        },
    })
}

/// To staff: a customer submitted a request. `name` (the staff member) and
/// `link` (to the request in the back office) are optional.
fn request_submitted(lang: Lang, p: &Params<'_>) -> Result<Rendered, TemplateError> {
    let (title, request_id) = (p.req("title")?, p.req("request_id")?);
    let hello = greeting(lang, p.opt("name"));
    let footer = footer(lang);
    Ok(match lang {
        Lang::En => {
            let link = p
                .opt("link")
                .map(|l| format!("Open it: {l}\n"))
                .unwrap_or_default();
            Rendered {
                subject: format!("New request: {title}"),
                body: format!(
                    "{hello}\n\n\
                     A customer has submitted a new request in the portal.\n\n\
                     Title: {title}\n\
                     Reference: {request_id}\n\
                     {link}\n-- \n{footer}\n"
                ),
            }
        }
        Lang::Fr => {
            let link = p
                .opt("link")
                .map(|l| format!("Ouvrir : {l}\n"))
                .unwrap_or_default();
            Rendered {
                subject: format!("Nouvelle demande : {title}"),
                body: format!(
                    "{hello}\n\n\
                     Un client a déposé une nouvelle demande sur le portail.\n\n\
                     Titre : {title}\n\
                     Référence : {request_id}\n\
                     {link}\n-- \n{footer}\n"
                ),
            }
        }
    })
}

/// To the contact who submitted the request.
fn request_accepted(lang: Lang, p: &Params<'_>) -> Result<Rendered, TemplateError> {
    let (name, title) = (p.req("name")?, p.req("title")?);
    let hello = greeting(lang, Some(name));
    let footer = footer(lang);
    Ok(match lang {
        Lang::En => Rendered {
            subject: format!("Your request has been accepted: {title}"),
            body: format!(
                "{hello}\n\n\
                 Your request \"{title}\" has been accepted. We will plan the intervention \
                 and keep you informed in the portal.\n\n-- \n{footer}\n"
            ),
        },
        Lang::Fr => Rendered {
            subject: format!("Votre demande a été acceptée : {title}"),
            body: format!(
                "{hello}\n\n\
                 Votre demande « {title} » a été acceptée. Nous allons planifier \
                 l'intervention et vous tiendrons informé(e) sur le portail.\n\n-- \n{footer}\n"
            ),
        },
    })
}

/// To the contact who submitted the request. A blank `reason` leaves its
/// line out rather than failing the mail.
fn request_rejected(lang: Lang, p: &Params<'_>) -> Result<Rendered, TemplateError> {
    let (name, title) = (p.req("name")?, p.req("title")?);
    let hello = greeting(lang, Some(name));
    let footer = footer(lang);
    Ok(match lang {
        Lang::En => {
            let reason = p
                .opt("reason")
                .map(|r| format!("Reason: {r}\n\n"))
                .unwrap_or_default();
            Rendered {
                subject: format!("Your request was not accepted: {title}"),
                body: format!(
                    "{hello}\n\n\
                     Your request \"{title}\" was not accepted.\n\n\
                     {reason}\
                     If you have any questions, please contact us.\n\n-- \n{footer}\n"
                ),
            }
        }
        Lang::Fr => {
            let reason = p
                .opt("reason")
                .map(|r| format!("Motif : {r}\n\n"))
                .unwrap_or_default();
            Rendered {
                subject: format!("Votre demande n'a pas été retenue : {title}"),
                body: format!(
                    "{hello}\n\n\
                     Votre demande « {title} » n'a pas été retenue.\n\n\
                     {reason}\
                     Pour toute question, n'hésitez pas à nous contacter.\n\n-- \n{footer}\n"
                ),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
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

    #[test]
    fn invitation_in_english_carries_the_link_and_expiry() {
        let r = render("invitation", "en", &invitation_params()).expect("renders");
        assert_eq!(
            r.subject,
            "Acme Services invites you to its customer portal"
        );
        assert!(r.body.starts_with("Hello Alice Martin,"));
        assert!(
            r.body
                .contains("\nhttps://portal.example/invitations/accept?token=abc\n")
        );
        assert!(r.body.contains("valid until 2026-12-02"));
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
    fn other_languages_fall_back_to_english() {
        for lang in ["de", "es", "pl", "", "klingon"] {
            let r = render("invitation", lang, &invitation_params()).expect("renders");
            assert!(r.body.starts_with("Hello "), "{lang}");
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
                .contains("Ouvrir : https://portal.example/requests/r-42\n")
        );
    }

    #[test]
    fn request_accepted_in_both_languages() {
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
    fn request_rejected_shows_the_reason_when_there_is_one() {
        let p = params(&[
            ("name", "Alice"),
            ("title", "Boiler leaks"),
            ("reason", "Not covered by the contract"),
        ]);
        let en = render("request_rejected", "en", &p).expect("renders");
        assert_eq!(en.subject, "Your request was not accepted: Boiler leaks");
        assert!(en.body.contains("Reason: Not covered by the contract\n"));
        let fr = render("request_rejected", "fr", &p).expect("renders");
        assert!(fr.body.contains("Motif : Not covered by the contract\n"));

        let no_reason = params(&[("name", "Alice"), ("title", "Boiler leaks")]);
        let en = render("request_rejected", "en", &no_reason).expect("renders");
        assert!(!en.body.contains("Reason:"));
    }

    #[test]
    fn subjects_stay_on_one_line() {
        let p = params(&[
            ("name", "Alice"),
            ("title", "Leak\r\nBcc: evil@example.com\tnow"),
        ]);
        let r = render("request_accepted", "en", &p).expect("renders");
        assert_eq!(
            r.subject,
            "Your request has been accepted: Leak Bcc: evil@example.com now"
        );
    }
}
