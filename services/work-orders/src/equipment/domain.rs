//! The rules of equipment and inspections, free of I/O.
use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::planning::domain::{Refusal, Rights, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize, Deserialize)]
#[sqlx(type_name = "inspection_result", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum InspectionResult {
    Conforming,
    NonConforming,
}

const SHORT_MAX: usize = 200;
const LONG_MAX: usize = 2_000;
const FIELDS_MAX: usize = 30;
const KINDS_MAX: usize = 100;
const ITEMS_MAX: usize = 50;

/// An equipment's own facts, as staff type them (or an import row holds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub kind: String,
    pub name: String,
    pub make: String,
    pub model: String,
    pub serial_number: String,
    pub location: String,
    pub installed_on: Option<NaiveDate>,
    pub custom_fields: BTreeMap<String, String>,
}

/// A tenant's own field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    pub key: String,
    pub label: String,
}

/// The checklist a technician answers for one kind of equipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindChecklist {
    pub kind: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub fields: Vec<FieldDef>,
    pub checklists: Vec<KindChecklist>,
}

impl Settings {
    /// The checklist for `kind` (kinds compare without case); empty when none.
    pub fn checklist(&self, kind: &str) -> &[String] {
        self.checklists
            .iter()
            .find(|c| c.kind.eq_ignore_ascii_case(kind.trim()))
            .map_or(&[], |c| c.items.as_slice())
    }
}

fn invalid(m: impl Into<String>) -> Refusal {
    Refusal::Invalid(m.into())
}

fn text(name: &str, value: &str, required: bool, max: usize) -> Result<String, Refusal> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(invalid(format!("{name} is required")));
    }
    if value.chars().count() > max {
        return Err(invalid(format!("{name} is longer than {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(invalid(format!("{name} holds control characters")));
    }
    Ok(value.to_owned())
}

/// `YYYY-MM-DD`, not after `today`; empty = unknown.
pub fn installed_on(value: &str, today: NaiveDate) -> Result<Option<NaiveDate>, Refusal> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| invalid(format!("installed_on '{value}' is not a date (YYYY-MM-DD)")))?;
    if date > today {
        return Err(invalid("installed_on cannot be in the future"));
    }
    Ok(Some(date))
}

/// Checks and trims what staff typed: kind and name required, lengths,
/// custom fields only among the tenant's (empty values dropped).
pub fn facts(
    raw: &Facts,
    installed: &str,
    today: NaiveDate,
    settings: &Settings,
) -> Result<Facts, Refusal> {
    let mut custom = BTreeMap::new();
    for (key, value) in &raw.custom_fields {
        let Some(def) = settings.fields.iter().find(|f| f.key == *key) else {
            return Err(invalid(format!(
                "'{key}' is not one of the tenant's equipment fields"
            )));
        };
        let value = text(&def.label, value, false, LONG_MAX)?;
        if !value.is_empty() {
            custom.insert(key.clone(), value);
        }
    }
    Ok(Facts {
        kind: text("kind", &raw.kind, true, SHORT_MAX)?,
        name: text("name", &raw.name, true, SHORT_MAX)?,
        make: text("make", &raw.make, false, SHORT_MAX)?,
        model: text("model", &raw.model, false, SHORT_MAX)?,
        serial_number: text("serial_number", &raw.serial_number, false, SHORT_MAX)?,
        location: text("location", &raw.location, false, LONG_MAX)?,
        installed_on: installed_on(installed, today)?,
        custom_fields: custom,
    })
}

/// The tenant's definitions: keys of letters, digits, `_` and `-`, each
/// once; kinds each once, with one to fifty distinct items.
pub fn settings(raw: Settings) -> Result<Settings, Refusal> {
    if raw.fields.len() > FIELDS_MAX {
        return Err(invalid(format!("at most {FIELDS_MAX} equipment fields")));
    }
    if raw.checklists.len() > KINDS_MAX {
        return Err(invalid(format!("at most {KINDS_MAX} checklists")));
    }
    let mut keys = HashSet::new();
    let mut fields = Vec::with_capacity(raw.fields.len());
    for f in raw.fields {
        let key = f.key.trim().to_owned();
        if key.is_empty()
            || key.len() > 40
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(invalid(format!(
                "field key '{key}' must be 1 to 40 letters, digits, '_' or '-'"
            )));
        }
        if !keys.insert(key.clone()) {
            return Err(invalid(format!("field key '{key}' is defined twice")));
        }
        let label = text("field label", &f.label, true, SHORT_MAX)?;
        fields.push(FieldDef { key, label });
    }
    let mut kinds = HashSet::new();
    let mut checklists = Vec::with_capacity(raw.checklists.len());
    for c in raw.checklists {
        let kind = text("checklist kind", &c.kind, true, SHORT_MAX)?;
        if !kinds.insert(kind.to_lowercase()) {
            return Err(invalid(format!("kind '{kind}' has two checklists")));
        }
        let mut items: Vec<String> = Vec::new();
        for item in &c.items {
            let item = text("checklist item", item, false, SHORT_MAX)?;
            if item.is_empty() {
                continue;
            }
            if items.contains(&item) {
                return Err(invalid(format!(
                    "'{item}' is twice in the {kind} checklist"
                )));
            }
            items.push(item);
        }
        if items.is_empty() || items.len() > ITEMS_MAX {
            return Err(invalid(format!(
                "the {kind} checklist needs 1 to {ITEMS_MAX} items"
            )));
        }
        checklists.push(KindChecklist { kind, items });
    }
    Ok(Settings { fields, checklists })
}

/// Whether the caller may record inspection results now: a technician
/// planned on the work, while it is in progress (results are part of doing
/// the work; a dispatcher completing by phone records none).
pub fn may_record(status: Status, rights: Rights, assigned: bool) -> Result<(), Refusal> {
    if !(rights.do_own && assigned) {
        return Err(Refusal::NotAllowed(
            "only a technician planned on this work order may record inspection results".into(),
        ));
    }
    match status {
        Status::InProgress => Ok(()),
        Status::ToPlan | Status::Scheduled => Err(Refusal::WrongState(
            "start the work order before recording inspection results".into(),
        )),
        Status::Completed | Status::Cancelled => Err(Refusal::WrongState(
            "the work order is over: its inspection results can no longer change".into(),
        )),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub item: String,
    pub ok: bool,
}

/// One equipment's result as the technician sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub equipment_id: Uuid,
    pub result: Option<InspectionResult>,
    pub remarks: String,
    pub checklist: Vec<Answer>,
}

/// What is known of an equipment when its result is checked.
pub struct Inspected<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub site_id: Uuid,
    pub checklist: &'a [String],
}

/// A checked entry, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub equipment_id: Uuid,
    pub result: InspectionResult,
    pub remarks: String,
    pub checklist: Vec<Answer>,
}

/// Checks the results of one work order at `site_id`: each equipment once,
/// at that site; a result for each; remarks saying what is wrong when not
/// conforming; the kind's checklist answered item by item, in its order
/// (no other items).
pub fn entries(
    site_id: Uuid,
    entries: Vec<Entry>,
    known: &[Inspected<'_>],
) -> Result<Vec<Checked>, Refusal> {
    if entries.is_empty() {
        return Err(invalid("send at least one result"));
    }
    if entries.len() > 500 {
        return Err(invalid("at most 500 results at once"));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        if !seen.insert(e.equipment_id) {
            return Err(invalid(format!(
                "equipment {} is listed twice",
                e.equipment_id
            )));
        }
        let Some(eq) = known.iter().find(|k| k.id == e.equipment_id) else {
            return Err(invalid(format!("no equipment {}", e.equipment_id)));
        };
        if eq.site_id != site_id {
            return Err(invalid(format!(
                "{} is not at this work order's site",
                eq.name
            )));
        }
        let Some(result) = e.result else {
            return Err(invalid(format!(
                "{}: result must be conforming or non_conforming",
                eq.name
            )));
        };
        let remarks = text("remarks", &e.remarks, false, LONG_MAX)?;
        if result == InspectionResult::NonConforming && remarks.is_empty() {
            return Err(invalid(format!(
                "{}: say what does not conform in the remarks",
                eq.name
            )));
        }
        let asked: Vec<&str> = eq.checklist.iter().map(String::as_str).collect();
        let answered: Vec<&str> = e.checklist.iter().map(|a| a.item.trim()).collect();
        if answered != asked {
            return Err(invalid(format!(
                "{}: answer the checklist's items, in order: {}",
                eq.name,
                if asked.is_empty() {
                    "(it has none)".to_owned()
                } else {
                    asked.join(", ")
                }
            )));
        }
        let checklist = e
            .checklist
            .into_iter()
            .map(|a| Answer {
                item: a.item.trim().to_owned(),
                ok: a.ok,
            })
            .collect();
        out.push(Checked {
            equipment_id: e.equipment_id,
            result,
            remarks,
            checklist,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TECHNICIAN: Rights = Rights {
        plan: false,
        do_own: true,
        complete_any: false,
    };
    const PLANNER: Rights = Rights {
        plan: true,
        do_own: false,
        complete_any: true,
    };

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default()
    }

    fn settings_with(fields: &[&str], kind: &str, items: &[&str]) -> Settings {
        Settings {
            fields: fields
                .iter()
                .map(|k| FieldDef {
                    key: (*k).into(),
                    label: k.to_uppercase(),
                })
                .collect(),
            checklists: vec![KindChecklist {
                kind: kind.into(),
                items: items.iter().map(|i| (*i).into()).collect(),
            }],
        }
    }

    fn raw(kind: &str, name: &str) -> Facts {
        Facts {
            kind: kind.into(),
            name: name.into(),
            ..Facts::default()
        }
    }

    #[test]
    fn facts_need_kind_and_name_and_only_the_tenants_fields() {
        let s = settings_with(&["refrigerant"], "boiler", &["pressure"]);
        let ok = facts(&raw(" Boiler ", " B1 "), "2020-03-01", today(), &s);
        assert_eq!(ok.as_ref().map(|f| f.name.as_str()), Ok("B1"));
        assert_eq!(
            ok.map(|f| f.installed_on),
            Ok(NaiveDate::from_ymd_opt(2020, 3, 1))
        );
        assert!(facts(&raw("", "B1"), "", today(), &s).is_err());
        assert!(facts(&raw("boiler", "  "), "", today(), &s).is_err());
        assert!(facts(&raw("boiler", "B1"), "2020-13-01", today(), &s).is_err());
        assert!(facts(&raw("boiler", "B1"), "2027-01-01", today(), &s).is_err());
        let mut with = raw("boiler", "B1");
        with.custom_fields
            .insert("refrigerant".into(), "R32".into());
        with.custom_fields.insert("blank".into(), String::new());
        assert!(facts(&with, "", today(), &s).is_err(), "an undefined key");
        with.custom_fields.remove("blank");
        with.custom_fields.insert("refrigerant".into(), " ".into());
        assert_eq!(
            facts(&with, "", today(), &s).map(|f| f.custom_fields.len()),
            Ok(0),
            "empty values are dropped"
        );
        assert!(facts(&raw("boiler", &"x".repeat(201)), "", today(), &s).is_err());
        assert!(facts(&raw("boiler", "a\u{7}b"), "", today(), &s).is_err());
    }

    #[test]
    fn settings_keys_and_checklists_are_checked() {
        assert!(settings(settings_with(&["ok_key-1"], "Boiler", &["a", "b"])).is_ok());
        assert!(settings(settings_with(&["bad key"], "Boiler", &["a"])).is_err());
        assert!(settings(settings_with(&["k", "k"], "Boiler", &["a"])).is_err());
        assert!(settings(settings_with(&[], "Boiler", &["a", "a"])).is_err());
        assert!(settings(settings_with(&[], "Boiler", &[" "])).is_err());
        let mut two = settings_with(&[], "Boiler", &["a"]);
        two.checklists.push(KindChecklist {
            kind: "boiler".into(),
            items: vec!["b".into()],
        });
        assert!(settings(two).is_err(), "kinds compare without case");
        let s = settings_with(&[], "Boiler", &["a"]);
        assert_eq!(s.checklist(" boiler"), ["a".to_owned()]);
        assert!(s.checklist("pump").is_empty());
    }

    #[test]
    fn only_a_planned_technician_records_and_only_while_in_progress() {
        assert!(may_record(Status::InProgress, TECHNICIAN, true).is_ok());
        assert!(matches!(
            may_record(Status::InProgress, TECHNICIAN, false),
            Err(Refusal::NotAllowed(_))
        ));
        assert!(matches!(
            may_record(Status::InProgress, PLANNER, true),
            Err(Refusal::NotAllowed(_))
        ));
        for s in [
            Status::ToPlan,
            Status::Scheduled,
            Status::Completed,
            Status::Cancelled,
        ] {
            assert!(matches!(
                may_record(s, TECHNICIAN, true),
                Err(Refusal::WrongState(_))
            ));
        }
    }

    fn entry(id: Uuid, result: Option<InspectionResult>, remarks: &str, items: &[&str]) -> Entry {
        Entry {
            equipment_id: id,
            result,
            remarks: remarks.into(),
            checklist: items
                .iter()
                .map(|i| Answer {
                    item: (*i).into(),
                    ok: true,
                })
                .collect(),
        }
    }

    #[test]
    fn results_are_checked_against_the_site_and_the_checklist() {
        let site = Uuid::now_v7();
        let (a, b, elsewhere) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let items = vec!["pressure".to_owned(), "leaks".to_owned()];
        let known = [
            Inspected {
                id: a,
                name: "Boiler",
                site_id: site,
                checklist: &items,
            },
            Inspected {
                id: b,
                name: "Pump",
                site_id: site,
                checklist: &[],
            },
            Inspected {
                id: elsewhere,
                name: "Other",
                site_id: Uuid::now_v7(),
                checklist: &[],
            },
        ];
        let good = entries(
            site,
            vec![
                entry(
                    a,
                    Some(InspectionResult::NonConforming),
                    "leak at valve",
                    &["pressure", "leaks"],
                ),
                entry(b, Some(InspectionResult::Conforming), "", &[]),
            ],
            &known,
        );
        assert_eq!(good.map(|c| c.len()), Ok(2));
        let one = |e: Entry| entries(site, vec![e], &known);
        assert!(
            one(entry(
                elsewhere,
                Some(InspectionResult::Conforming),
                "",
                &[]
            ))
            .is_err()
        );
        assert!(
            one(entry(
                Uuid::now_v7(),
                Some(InspectionResult::Conforming),
                "",
                &[]
            ))
            .is_err()
        );
        assert!(
            one(entry(b, None, "", &[])).is_err(),
            "a result is required"
        );
        assert!(
            one(entry(b, Some(InspectionResult::NonConforming), " ", &[])).is_err(),
            "non-conforming needs remarks"
        );
        assert!(
            one(entry(
                a,
                Some(InspectionResult::Conforming),
                "",
                &["pressure"]
            ))
            .is_err(),
            "every item"
        );
        assert!(
            one(entry(
                a,
                Some(InspectionResult::Conforming),
                "",
                &["leaks", "pressure"]
            ))
            .is_err(),
            "in order"
        );
        assert!(
            one(entry(b, Some(InspectionResult::Conforming), "", &["extra"])).is_err(),
            "no items the kind has not"
        );
        assert!(
            entries(
                site,
                vec![
                    entry(b, Some(InspectionResult::Conforming), "", &[]),
                    entry(b, Some(InspectionResult::Conforming), "", &[]),
                ],
                &known
            )
            .is_err(),
            "each equipment once"
        );
        assert!(entries(site, vec![], &known).is_err());
    }
}
