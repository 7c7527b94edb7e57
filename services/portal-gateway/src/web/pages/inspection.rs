//! A work order's inspection (D4) in the back office: what was recorded per
//! equipment of its site, and, while the planned technician may record
//! (`record_inspection`), one form with a result, remarks and the kind's
//! checklist per equipment.
use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use portal_proto::work_orders::v1 as pb;
use serde::Serialize;

use crate::views::{Inspection, InspectionResult};
use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, Session, TenantPage};
use crate::web::pages::{param, planning};

/// Equipment a form lists at most (a site's inspection round).
const EQUIPMENT_LIMIT: i32 = 100;

/// One equipment of the site, with what was recorded for it on this work
/// order (if anything) and its kind's checklist.
#[derive(Debug, Serialize)]
pub struct Line {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub location: String,
    pub result: Option<&'static str>,
    pub remarks: String,
    /// `(item, ok)`: the recorded answers, else the kind's items unticked.
    pub checklist: Vec<(String, bool)>,
    pub recorded: String,
}

#[derive(Debug, Serialize)]
pub struct Section {
    pub may_record: bool,
    pub lines: Vec<Line>,
    pub recorded: usize,
}

/// The section of a work order's page; `None` when there is nothing to show
/// (no results and no right to record) or work-orders does not answer.
pub async fn section(
    ctx: &Ctx,
    s: &Session,
    work_order_id: &str,
    site_id: &str,
    may_record: bool,
) -> Option<Section> {
    let mut equipment = ctx.state.equipment.clone();
    let recorded: Vec<Inspection> = equipment
        .list_inspection_results(s.caller.request(pb::ListInspectionResultsRequest {
            work_order_id: work_order_id.to_owned(),
        }))
        .await
        .ok()?
        .into_inner()
        .items
        .into_iter()
        .map(Into::into)
        .collect();
    if recorded.is_empty() && !may_record {
        return None;
    }
    let items = equipment
        .list_equipment(s.caller.request(pb::ListEquipmentRequest {
            site_id: site_id.to_owned(),
            limit: EQUIPMENT_LIMIT,
            ..Default::default()
        }))
        .await
        .ok()?
        .into_inner()
        .items;
    let checklists: HashMap<String, Vec<String>> = equipment
        .get_equipment_settings(s.caller.request(pb::GetEquipmentSettingsRequest {}))
        .await
        .map(|x| {
            x.into_inner()
                .checklists
                .into_iter()
                .map(|c| (c.kind.to_lowercase(), c.items))
                .collect()
        })
        .unwrap_or_default();
    let zone = ctx.zone();
    let lines: Vec<Line> = items
        .into_iter()
        .map(|e| {
            let done = recorded.iter().find(|r| r.equipment_id == e.id);
            let checklist = match done {
                Some(r) if !r.checklist.is_empty() => {
                    r.checklist.iter().map(|a| (a.item.clone(), a.ok)).collect()
                }
                _ => checklists
                    .get(&e.kind.trim().to_lowercase())
                    .map(|items| items.iter().map(|i| (i.clone(), false)).collect())
                    .unwrap_or_default(),
            };
            Line {
                result: done.and_then(|r| r.result).map(InspectionResult::as_str),
                remarks: done.map(|r| r.remarks.clone()).unwrap_or_default(),
                recorded: done
                    .map(|r| planning::at_text(zone, r.date))
                    .unwrap_or_default(),
                checklist,
                id: e.id,
                name: e.name,
                kind: e.kind,
                location: e.location,
            }
        })
        // Read only: what was recorded; the form: the whole site.
        .filter(|l| may_record || l.result.is_some())
        .collect();
    Some(Section {
        may_record,
        recorded: recorded.len(),
        lines,
    })
}

/// The results a form holds: for each equipment given a result
/// (`result-<id>`), its remarks (`remarks-<id>`) and the ticked items of
/// its checklist (`item-<id>` with the item, `ok-<id>` with the ticked
/// ones), in the form's order.
pub fn entries(form: &Form) -> Vec<pb::InspectionEntry> {
    let mut out: Vec<pb::InspectionEntry> = Vec::new();
    for (name, value) in &form.0 {
        let Some(id) = name.strip_prefix("result-") else {
            continue;
        };
        let result = match value.as_str() {
            "conforming" => pb::InspectionResult::Conforming,
            "non_conforming" => pb::InspectionResult::NonConforming,
            _ => continue,
        };
        let ticked = form.all(&format!("ok-{id}"));
        out.push(pb::InspectionEntry {
            equipment_id: id.to_owned(),
            result: result.into(),
            remarks: form.get(&format!("remarks-{id}")),
            checklist: form
                .all(&format!("item-{id}"))
                .into_iter()
                .map(|item| pb::ChecklistAnswer {
                    ok: ticked.contains(&item),
                    item,
                })
                .collect(),
        });
    }
    out
}

/// `POST /work-orders/{id}/inspection`: records the form's results.
pub async fn record(
    TenantPage(mut ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
    form: Form,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let results = entries(&form);
    if results.is_empty() {
        ctx.flash_next("flash-inspection-empty");
    } else {
        let call = s.caller.request(pb::RecordInspectionRequest {
            work_order_id: id.clone(),
            results,
        });
        match ctx.state.equipment.clone().record_inspection(call).await {
            Ok(_) => ctx.flash_next("flash-inspection-recorded"),
            Err(e) => return crate::web::pages::work_orders::refused_plain(&ctx, &id, &e).await,
        }
    }
    ctx.redirect(&format!(
        "{}#inspection",
        crate::web::pages::work_orders::url(&ctx, &id)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form(
            pairs
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_form_gives_one_entry_per_equipment_with_a_result() {
        let f = form(&[
            ("csrf", "x"),
            ("result-a", "conforming"),
            ("item-a", "Seal"),
            ("ok-a", "Seal"),
            ("item-a", "Pressure"),
            ("remarks-a", ""),
            ("result-b", ""),
            ("item-b", "Seal"),
            ("result-c", "non_conforming"),
            ("remarks-c", "Leak"),
        ]);
        let e = entries(&f);
        assert_eq!(e.len(), 2, "b has no result: skipped");
        assert_eq!(e[0].equipment_id, "a");
        assert_eq!(
            e[0].checklist
                .iter()
                .map(|c| (c.item.as_str(), c.ok))
                .collect::<Vec<_>>(),
            [("Seal", true), ("Pressure", false)]
        );
        assert_eq!(e[1].remarks, "Leak");
        assert_eq!(e[1].result, i32::from(pb::InspectionResult::NonConforming));
    }
}
