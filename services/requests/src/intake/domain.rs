//! The rules of a new request, free of I/O: its text, the tenant's settings
//! (offered categories, required fields) and the site it is for.
use portal_platform::scope::Scope;
use uuid::Uuid;

use crate::domain::Settings;

pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];
pub const SEVERITIES: [&str; 3] = ["minor", "major", "critical"];
const TITLE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 20_000;
const CATEGORY_MAX: usize = 100;

/// How a request came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The portal's pages or the REST API (gRPC `CreateRequest`).
    Portal,
    /// A mail to the tenant's intake address (ADR 0010).
    Mail,
}

impl Origin {
    /// The request's `source` column.
    pub fn source(self) -> &'static str {
        match self {
            Self::Portal => "portal",
            Self::Mail => "email",
        }
    }

    /// Whether a request from here can carry `field`. A mail has a subject
    /// and a text, nothing that says a category, a priority or a severity.
    pub fn carries(self, field: Field) -> bool {
        match self {
            Self::Portal => true,
            Self::Mail => matches!(field, Field::Title | Field::Description),
        }
    }
}

/// The fields of a new request the rules speak of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Description,
    Category,
    Priority,
    Severity,
}

impl Field {
    /// Fields a tenant may make required (title and description always
    /// are). Equipment is not among them: much work concerns no equipment (the
    /// gateway checks a given one against work-orders, ADR 0029).
    pub const REQUIRABLE: [Field; 3] = [Field::Category, Field::Priority, Field::Severity];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Description => "description",
            Self::Category => "category",
            Self::Priority => "priority",
            Self::Severity => "severity",
        }
    }

    /// A requirable field by its name in the settings.
    pub fn requirable(name: &str) -> Option<Self> {
        Self::REQUIRABLE.into_iter().find(|f| f.as_str() == name)
    }
}

/// What was typed or mailed, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub priority: &'a str,
    pub severity: &'a str,
}

/// A new request as checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub title: String,
    pub description: String,
    pub category: String,
    pub priority: String,
    pub severity: String,
}

/// Why a new request is refused; each one is bad input (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// Text, priority, category or severity out of bounds.
    #[error("{0}")]
    Input(String),
    /// A field the tenant requires is blank. From a mail, which cannot
    /// carry it, the text says where the request can be made instead.
    #[error("{}", required_text(*.field, *.origin))]
    Required { field: Field, origin: Origin },
    /// The site does not exist, or not in the contact's scope (the same
    /// answer, so nobody learns of another customer's sites).
    #[error("unknown site")]
    UnknownSite,
}

fn required_text(field: Field, origin: Origin) -> String {
    let carried = origin.carries(field);
    let field = field.as_str();
    if carried {
        format!("{field} is required")
    } else {
        format!(
            "{field} is required and a mail cannot give one: please submit this request in the portal"
        )
    }
}

/// The contact's input against the rules: a description (the title falls
/// back to its first line), a known priority (`normal` when blank), a known
/// severity, a category from the tenant's list when it has one, and every
/// field the tenant requires filled in. The same rules whatever the origin:
/// a required field a mail cannot carry refuses the mail.
pub fn check(settings: &Settings, d: &Draft<'_>, origin: Origin) -> Result<Checked, Invalid> {
    let bad = |m: String| Invalid::Input(m);
    let description = d.description.trim();
    if description.is_empty() {
        return Err(bad("description is required".into()));
    }
    if description.chars().count() > DESCRIPTION_MAX {
        return Err(bad(format!(
            "description is longer than {DESCRIPTION_MAX} characters"
        )));
    }
    let title: String = match d.title.trim() {
        "" => description
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(80)
            .collect(),
        t => t.to_owned(),
    };
    if title.chars().count() > TITLE_MAX {
        return Err(bad(format!("title is longer than {TITLE_MAX} characters")));
    }
    let priority_given = d.priority.trim();
    let priority = match priority_given {
        "" => "normal".to_owned(),
        p if PRIORITIES.contains(&p) => p.to_owned(),
        p => {
            return Err(bad(format!(
                "priority '{p}' is not one of {}",
                PRIORITIES.join(", ")
            )));
        }
    };
    let category = d.category.trim();
    if category.chars().count() > CATEGORY_MAX {
        return Err(bad(format!(
            "category is longer than {CATEGORY_MAX} characters"
        )));
    }
    let severity = d.severity.trim();
    if !severity.is_empty() && !SEVERITIES.contains(&severity) {
        return Err(bad(format!(
            "severity '{severity}' is not one of {}",
            SEVERITIES.join(", ")
        )));
    }
    if !settings.categories.is_empty()
        && !category.is_empty()
        && !settings.categories.iter().any(|c| c == category)
    {
        return Err(bad(format!(
            "category '{category}' is not one of {}",
            settings.categories.join(", ")
        )));
    }
    for field in settings
        .required_fields
        .iter()
        .filter_map(|f| Field::requirable(f))
    {
        let blank = match field {
            Field::Category => category.is_empty(),
            Field::Priority => priority_given.is_empty(),
            Field::Severity => severity.is_empty(),
            Field::Title | Field::Description => false,
        };
        if blank {
            return Err(Invalid::Required { field, origin });
        }
    }
    Ok(Checked {
        title,
        description: description.to_owned(),
        category: category.to_owned(),
        priority,
        severity: severity.to_owned(),
    })
}

/// A site as the directory knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub address: String,
}

/// The site of a new request must exist (`None`: the directory knows no
/// such site) and be in the contact's scope: their customer's, and one of
/// their sites when they are limited to some.
pub fn check_site<'s>(scope: &Scope, site: Option<&'s Site>) -> Result<&'s Site, Invalid> {
    site.filter(|s| scope.allows(s.customer_id, Some(s.id)))
        .ok_or(Invalid::UnknownSite)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft<'a>(title: &'a str, description: &'a str) -> Draft<'a> {
        Draft {
            title,
            description,
            ..Draft::default()
        }
    }

    fn input(m: &str) -> Result<Checked, Invalid> {
        Err(Invalid::Input(m.into()))
    }

    #[test]
    fn description_is_required() {
        let none = Settings::default();
        for d in ["", "   \n "] {
            assert_eq!(
                check(&none, &draft("Oven", d), Origin::Portal),
                input("description is required")
            );
        }
    }

    #[test]
    fn defaults_and_title_from_description() {
        let d = Draft {
            category: " repair ",
            ..draft("", "Oven broken\nIt makes smoke")
        };
        let r = check(&Settings::default(), &d, Origin::Portal).expect("valid");
        assert_eq!(r.title, "Oven broken");
        assert_eq!(r.priority, "normal");
        assert_eq!(r.category, "repair");
        assert_eq!(r.severity, "");
    }

    #[test]
    fn bounds_and_known_values() {
        let none = Settings::default();
        let long = "x".repeat(TITLE_MAX + 1);
        assert!(matches!(
            check(&none, &draft(&long, "d"), Origin::Portal),
            Err(Invalid::Input(_))
        ));
        let priority = |p| Draft {
            priority: p,
            ..draft("t", "d")
        };
        assert!(check(&none, &priority("whenever"), Origin::Portal).is_err());
        assert!(check(&none, &priority("urgent"), Origin::Portal).is_ok());
        let severity = |s| Draft {
            severity: s,
            ..draft("t", "d")
        };
        assert!(check(&none, &severity("apocalyptic"), Origin::Portal).is_err());
        assert_eq!(
            check(&none, &severity(" major "), Origin::Portal).map(|c| c.severity),
            Ok("major".to_owned())
        );
    }

    #[test]
    fn the_tenants_settings() {
        let s = Settings {
            categories: vec!["repair".into(), "install".into()],
            required_fields: vec!["category".into(), "severity".into()],
        };
        let full = Draft {
            category: "repair",
            severity: "major",
            ..draft("t", "d")
        };
        assert!(check(&s, &full, Origin::Portal).is_ok());
        // A category from the list, when there is one.
        let other = Draft {
            category: "painting",
            ..full.clone()
        };
        assert_eq!(
            check(&s, &other, Origin::Portal),
            input("category 'painting' is not one of repair, install")
        );
        // Required fields filled in, checked in the settings' order.
        let no_severity = Draft {
            severity: "",
            ..full.clone()
        };
        assert_eq!(
            check(&s, &no_severity, Origin::Portal),
            Err(Invalid::Required {
                field: Field::Severity,
                origin: Origin::Portal
            })
        );
        let priority = Settings {
            required_fields: vec!["priority".into()],
            ..Settings::default()
        };
        assert!(check(&priority, &draft("t", "d"), Origin::Portal).is_err());
        // Free text and nothing required: anything goes.
        assert!(check(&Settings::default(), &other, Origin::Portal).is_ok());
    }

    #[test]
    fn a_mail_meets_the_same_rules() {
        let mail = draft("Boiler leaking", "Water under the boiler.");
        assert!(check(&Settings::default(), &mail, Origin::Mail).is_ok());
        for field in Field::REQUIRABLE {
            assert!(!Origin::Mail.carries(field));
            let s = Settings {
                required_fields: vec![field.as_str().into()],
                ..Settings::default()
            };
            let refused = check(&s, &mail, Origin::Mail);
            assert_eq!(
                refused,
                Err(Invalid::Required {
                    field,
                    origin: Origin::Mail
                })
            );
            let text = refused.expect_err("refused").to_string();
            assert!(text.starts_with(&format!("{} is required", field.as_str())));
            assert!(text.contains("portal"), "{text}");
        }
        // A list of categories alone requires none.
        let listed = Settings {
            categories: vec!["repair".into()],
            ..Settings::default()
        };
        assert!(check(&listed, &mail, Origin::Mail).is_ok());
        assert_eq!(
            Invalid::Required {
                field: Field::Category,
                origin: Origin::Portal
            }
            .to_string(),
            "category is required"
        );
    }

    #[test]
    fn requirable_fields_are_the_settings_ones() {
        let names: Vec<&str> = Field::REQUIRABLE.iter().map(|f| f.as_str()).collect();
        assert_eq!(names, crate::domain::REQUIRABLE_FIELDS);
        assert_eq!(Field::requirable("title"), None);
    }

    #[test]
    fn the_site_must_be_in_scope() {
        let (customer, other_customer) = (Uuid::now_v7(), Uuid::now_v7());
        let site = |id, customer_id| Site {
            id,
            customer_id,
            address: String::new(),
        };
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let all = Scope::Customer {
            customer_id: customer,
            sites: vec![],
        };
        let only_a = Scope::Customer {
            customer_id: customer,
            sites: vec![a],
        };
        assert!(check_site(&all, Some(&site(b, customer))).is_ok());
        assert!(check_site(&only_a, Some(&site(a, customer))).is_ok());
        assert_eq!(
            check_site(&only_a, Some(&site(b, customer))),
            Err(Invalid::UnknownSite)
        );
        assert_eq!(
            check_site(&all, Some(&site(a, other_customer))),
            Err(Invalid::UnknownSite)
        );
        assert_eq!(check_site(&all, None), Err(Invalid::UnknownSite));
        assert_eq!(
            check_site(&Scope::Nothing, Some(&site(a, customer))),
            Err(Invalid::UnknownSite)
        );
    }
}
