//! The equipment API: translates calls to the `equipment` use cases and
//! applies who sees what (staff: the tenant; a contact: their scope).
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use portal_platform::auth::Claims;
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id};
use portal_platform::paging::{DEFAULT_LIMIT, MAX_LIMIT};
use portal_platform::permissions::Permission;
use portal_platform::scope::Scope;
use portal_proto::identity::v1 as idpb;
use portal_proto::work_orders::v1 as pb;
use portal_proto::work_orders::v1::equipment_service_server::EquipmentService;
use tonic::{Code, Request, Response};
use uuid::Uuid;

use super::{Rpc, WorkOrders, may_see, rights};
use crate::equipment::domain::{
    self, Answer, Entry, Facts, FieldDef, InspectionResult, KindChecklist, Settings,
};
use crate::equipment::{self, EquipmentError, Site, equipment_pb, inspection_pb};
use crate::planning::Staff;
use crate::store::equipment::{self as store, EquipmentFilter, EquipmentRow};
use crate::store::{self as work_store};

/// How much history an equipment page shows.
const HISTORY_LIMIT: i64 = 100;

impl From<EquipmentError> for ServiceError {
    fn from(e: EquipmentError) -> Self {
        match e {
            EquipmentError::Refused(r) => crate::planning::PlanError::Refused(r).into(),
            EquipmentError::NotFound(what) => Self::not_found(what),
            dup @ EquipmentError::DuplicateSerial(_) => Self::Conflict(dup.to_string()),
            EquipmentError::Db(e) => e.into(),
        }
    }
}

/// Whether the caller sees a site's equipment: staff always; a contact
/// within customer and sites; a secure link for one work order never.
fn sees_site(claims: &Claims, customer_id: Uuid, site_id: Uuid) -> bool {
    claims.is_staff()
        || (claims.wo.is_none() && Scope::of(claims).allows(customer_id, Some(site_id)))
}

fn visible(claims: &Claims, e: &EquipmentRow) -> bool {
    sees_site(claims, e.customer_id, e.site_id)
}

fn facts_of(
    kind: String,
    name: String,
    make: String,
    model: String,
    serial_number: String,
    location: String,
    custom_fields: std::collections::HashMap<String, String>,
) -> Facts {
    Facts {
        kind,
        name,
        make,
        model,
        serial_number,
        location,
        installed_on: None,
        custom_fields: custom_fields.into_iter().collect(),
    }
}

fn encode_cursor(e: &EquipmentRow) -> String {
    format!(
        "{}.{}",
        e.id.simple(),
        URL_SAFE_NO_PAD.encode(e.name.to_lowercase())
    )
}

fn decode_cursor(cursor: &str) -> ServiceResult<Option<(String, Uuid)>> {
    let cursor = cursor.trim();
    if cursor.is_empty() {
        return Ok(None);
    }
    let bad = || ServiceError::Invalid("invalid cursor".into());
    let (id, name) = cursor.split_once('.').ok_or_else(bad)?;
    let id = id.parse().map_err(|_| bad())?;
    let name = URL_SAFE_NO_PAD.decode(name).map_err(|_| bad())?;
    Ok(Some((String::from_utf8(name).map_err(|_| bad())?, id)))
}

fn result_of(r: i32, equipment: &str) -> ServiceResult<Option<InspectionResult>> {
    match pb::InspectionResult::try_from(r) {
        Ok(pb::InspectionResult::Conforming) => Ok(Some(InspectionResult::Conforming)),
        Ok(pb::InspectionResult::NonConforming) => Ok(Some(InspectionResult::NonConforming)),
        Ok(pb::InspectionResult::Unspecified) => Ok(None),
        Err(_) => Err(ServiceError::Invalid(format!(
            "{equipment}: unknown result {r}"
        ))),
    }
}

fn settings_pb(s: &Settings) -> pb::EquipmentSettings {
    pb::EquipmentSettings {
        fields: s
            .fields
            .iter()
            .map(|f| pb::EquipmentField {
                key: f.key.clone(),
                label: f.label.clone(),
            })
            .collect(),
        checklists: s
            .checklists
            .iter()
            .map(|c| pb::KindChecklist {
                kind: c.kind.clone(),
                items: c.items.clone(),
            })
            .collect(),
    }
}

impl WorkOrders {
    /// The caller as staff who may manage equipment.
    async fn equipment_manager(&self, claims: &Claims) -> ServiceResult<Staff> {
        if !claims.may(Permission::ManageEquipment) {
            return Err(ServiceError::Forbidden(
                "only a dispatcher or an admin may manage equipment".into(),
            ));
        }
        Ok(Staff {
            tenant_id: claims.tid,
            id: claims.sub,
            name: String::new(),
            rights: rights(claims),
        })
    }

    /// The site from identity's directory: another tenant's, or none, is
    /// not found.
    async fn site(&self, tenant_id: Uuid, site_id: &str) -> ServiceResult<Site> {
        let id = lookup_id("site", site_id)?;
        let site = self
            .identity
            .clone()
            .get_site(self.credential.sign(Request::new(idpb::GetSiteRequest {
                tenant_id: tenant_id.to_string(),
                site_id: id.to_string(),
            })))
            .await
            .map_err(|s| match s.code() {
                Code::NotFound => ServiceError::not_found("site"),
                Code::Unavailable | Code::DeadlineExceeded => {
                    ServiceError::Unavailable(format!("directory unavailable: {}", s.message()))
                }
                // A refusal here is this installation's mistake, not the caller's.
                _ => ServiceError::Internal(anyhow::anyhow!("identity GetSite: {s}")),
            })?
            .into_inner();
        Ok(Site {
            id,
            customer_id: parse_id("customer_id", &site.customer_id)
                .map_err(|_| ServiceError::not_found("site"))?,
        })
    }

    async fn create_equipment_for(
        &self,
        claims: &Claims,
        r: pb::CreateEquipmentRequest,
    ) -> ServiceResult<pb::Equipment> {
        let by = self.equipment_manager(claims).await?;
        let settings = store::settings(&self.pool, claims.tid).await?;
        let raw = facts_of(
            r.kind,
            r.name,
            r.make,
            r.model,
            r.serial_number,
            r.location,
            r.custom_fields,
        );
        let facts = domain::facts(&raw, &r.installed_on, Utc::now().date_naive(), &settings)
            .map_err(EquipmentError::from)?;
        let site = self.site(claims.tid, &r.site_id).await?;
        let mut tx = self.pool.begin().await?;
        let row = equipment::create(&mut tx, &by, site, facts, Utc::now()).await?;
        tx.commit().await?;
        Ok(equipment_pb(&row))
    }

    async fn update_equipment_for(
        &self,
        claims: &Claims,
        r: pb::UpdateEquipmentRequest,
    ) -> ServiceResult<pb::Equipment> {
        let by = self.equipment_manager(claims).await?;
        let id = lookup_id("equipment", &r.id)?;
        let settings = store::settings(&self.pool, claims.tid).await?;
        let raw = facts_of(
            r.kind,
            r.name,
            r.make,
            r.model,
            r.serial_number,
            r.location,
            r.custom_fields,
        );
        let facts = domain::facts(&raw, &r.installed_on, Utc::now().date_naive(), &settings)
            .map_err(EquipmentError::from)?;
        let mut tx = self.pool.begin().await?;
        let row = equipment::update(&mut tx, &by, id, facts, Utc::now()).await?;
        tx.commit().await?;
        Ok(equipment_pb(&row))
    }

    async fn list_equipment_for(
        &self,
        claims: &Claims,
        r: pb::ListEquipmentRequest,
    ) -> ServiceResult<pb::ListEquipmentResponse> {
        let site = match r.site_id.trim() {
            "" => None,
            s => Some(parse_id("site_id", s)?),
        };
        let customer = match r.customer_id.trim() {
            "" => None,
            c => Some(parse_id("customer_id", c)?),
        };
        let (customer_id, sites) = match Scope::of(claims) {
            Scope::Tenant => (customer, site.map(|s| vec![s])),
            Scope::Customer { .. } if claims.wo.is_some() => {
                return Err(ServiceError::Forbidden(
                    "a link for one work order shows no equipment".into(),
                ));
            }
            Scope::Customer { customer_id, sites } => {
                // Another customer's or site's list reads as empty-handed.
                if customer.is_some_and(|c| c != customer_id)
                    || site.is_some_and(|s| !sites.is_empty() && !sites.contains(&s))
                {
                    return Err(ServiceError::not_found("site"));
                }
                let sites = match site {
                    Some(s) => Some(vec![s]),
                    None => (!sites.is_empty()).then_some(sites),
                };
                (Some(customer_id), sites)
            }
            Scope::Nothing => {
                return Err(ServiceError::Forbidden(
                    "no customer to list equipment of".into(),
                ));
            }
        };
        if r.q.trim().chars().count() > portal_platform::search::MAX_SEARCH_CHARS {
            return Err(ServiceError::Invalid(
                "q is longer than 200 characters".into(),
            ));
        }
        let limit = if r.limit <= 0 {
            DEFAULT_LIMIT
        } else {
            r.limit.min(MAX_LIMIT)
        };
        let filter = EquipmentFilter {
            customer_id,
            sites,
            q: portal_platform::search::contains_pattern(&r.q),
            after: decode_cursor(&r.cursor)?,
            limit: i64::from(limit) + 1,
        };
        let mut rows = store::list(&self.pool, claims.tid, &filter).await?;
        let shown = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > shown {
            rows.truncate(shown);
            rows.last().map(encode_cursor).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(pb::ListEquipmentResponse {
            items: rows.iter().map(equipment_pb).collect(),
            next_cursor,
        })
    }

    async fn get_equipment_for(
        &self,
        claims: &Claims,
        id: &str,
    ) -> ServiceResult<pb::EquipmentDetail> {
        let id = lookup_id("equipment", id)?;
        let row = store::get(&self.pool, claims.tid, id)
            .await?
            .filter(|e| visible(claims, e))
            .ok_or_else(|| ServiceError::not_found("equipment"))?;
        let inspections =
            store::results_of_equipment(&self.pool, claims.tid, id, HISTORY_LIMIT).await?;
        let work = store::work_history(&self.pool, claims.tid, id, HISTORY_LIMIT).await?;
        let ids: Vec<Uuid> = work.iter().map(|w| w.id).collect();
        let technicians = work_store::technicians(&self.pool, &ids).await?;
        // The work a contact may not see (narrowed away) stays out.
        let work_orders = work
            .into_iter()
            .filter_map(|w| {
                let own: Vec<_> = technicians
                    .iter()
                    .filter(|t| t.work_order_id == w.id)
                    .cloned()
                    .collect();
                may_see(claims, &w, &own).then(|| super::work_order_pb(w, &own, &[], claims))
            })
            .collect();
        let settings = store::settings(&self.pool, claims.tid).await?;
        Ok(pb::EquipmentDetail {
            checklist: settings.checklist(&row.kind).to_vec(),
            equipment: Some(equipment_pb(&row)),
            inspections: inspections.iter().map(inspection_pb).collect(),
            work_orders,
        })
    }

    async fn record_inspection_for(
        &self,
        claims: &Claims,
        r: pb::RecordInspectionRequest,
    ) -> ServiceResult<pb::InspectionResults> {
        let work_order_id = lookup_id("work order", &r.work_order_id)?;
        let by = self.actor(claims).await?;
        let entries = r
            .results
            .into_iter()
            .map(|e| {
                let equipment_id = parse_id("equipment_id", &e.equipment_id)?;
                Ok(Entry {
                    equipment_id,
                    result: result_of(e.result, &e.equipment_id)?,
                    remarks: e.remarks,
                    checklist: e
                        .checklist
                        .into_iter()
                        .map(|a| Answer {
                            item: a.item,
                            ok: a.ok,
                        })
                        .collect(),
                })
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        let mut tx = self.pool.begin().await?;
        let rows =
            equipment::record_inspection(&mut tx, &by, work_order_id, entries, Utc::now()).await?;
        tx.commit().await?;
        Ok(pb::InspectionResults {
            items: rows.iter().map(inspection_pb).collect(),
        })
    }

    async fn inspection_results_for(
        &self,
        claims: &Claims,
        work_order_id: &str,
    ) -> ServiceResult<pb::InspectionResults> {
        let id = lookup_id("work order", work_order_id)?;
        let row = work_store::get(&self.pool, claims.tid, id).await?;
        let technicians = work_store::technicians(&self.pool, &[id]).await?;
        row.filter(|w| may_see(claims, w, &technicians))
            .ok_or_else(|| ServiceError::not_found("work order"))?;
        let rows = store::results_of_work_order(&self.pool, claims.tid, id).await?;
        Ok(pb::InspectionResults {
            items: rows.iter().map(inspection_pb).collect(),
        })
    }

    async fn site_summary_for(
        &self,
        claims: &Claims,
        site_id: &str,
    ) -> ServiceResult<pb::SiteSummary> {
        let site = self.site(claims.tid, site_id).await?;
        if !sees_site(claims, site.customer_id, site.id) {
            return Err(ServiceError::not_found("site"));
        }
        let counts = store::site_counts(&self.pool, claims.tid, site.id).await?;
        let last = store::last_site_inspection(&self.pool, claims.tid, site.id).await?;
        let next = crate::store::plans::next_at_site(&self.pool, claims.tid, site.id).await?;
        let n = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
        Ok(pb::SiteSummary {
            site_id: site.id.to_string(),
            equipment: n(counts.equipment),
            conforming: n(counts.conforming),
            non_conforming: n(counts.non_conforming),
            never_inspected: n(counts.equipment - counts.conforming - counts.non_conforming),
            last_work_order_id: last
                .as_ref()
                .map(|l| l.work_order_id.to_string())
                .unwrap_or_default(),
            last_inspected_at: last.as_ref().map(|l| portal_platform::time::to_proto(l.at)),
            last_conforming: last.as_ref().map_or(0, |l| n(l.conforming)),
            last_non_conforming: last.as_ref().map_or(0, |l| n(l.non_conforming)),
            next_due: next
                .as_ref()
                .map(|x| x.due_on.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            next_start: next
                .as_ref()
                .and_then(|x| x.planned_start)
                .map(portal_platform::time::to_proto),
            next_work_order_id: next
                .and_then(|x| x.work_order_id)
                .map(|w| w.to_string())
                .unwrap_or_default(),
        })
    }
}

fn plan_pb(p: &crate::store::plans::PlanRow) -> pb::InspectionPlan {
    pb::InspectionPlan {
        id: p.id.to_string(),
        site_id: p.site_id.to_string(),
        equipment_id: p.equipment_id.map(|e| e.to_string()).unwrap_or_default(),
        title: p.title.clone(),
        every_months: p.every_months,
        lead_days: p.lead_days,
        next_due: p.next_due.format("%Y-%m-%d").to_string(),
        active: p.active,
    }
}

impl WorkOrders {
    async fn create_plan_for(
        &self,
        claims: &Claims,
        r: pb::CreateInspectionPlanRequest,
    ) -> ServiceResult<pb::InspectionPlan> {
        let by = self.equipment_manager(claims).await?;
        let plan = crate::plans::domain::plan(
            &r.title,
            r.every_months,
            r.lead_days,
            &r.next_due,
            Utc::now().date_naive(),
        )
        .map_err(EquipmentError::from)?;
        let equipment_id = match r.equipment_id.trim() {
            "" => None,
            e => Some(parse_id("equipment_id", e)?),
        };
        let site = self.site(claims.tid, &r.site_id).await?;
        let mut tx = self.pool.begin().await?;
        let row = crate::plans::create(&mut tx, &by, site, plan, equipment_id, Utc::now()).await?;
        tx.commit().await?;
        Ok(plan_pb(&row))
    }

    async fn plans_for(
        &self,
        claims: &Claims,
        site_id: &str,
    ) -> ServiceResult<pb::ListInspectionPlansResponse> {
        let site = self.site(claims.tid, site_id).await?;
        if !sees_site(claims, site.customer_id, site.id) {
            return Err(ServiceError::not_found("site"));
        }
        let rows = crate::store::plans::of_site(&self.pool, claims.tid, site.id).await?;
        Ok(pb::ListInspectionPlansResponse {
            items: rows.iter().map(plan_pb).collect(),
        })
    }

    async fn import_for(
        &self,
        claims: &Claims,
        r: pb::ImportEquipmentRequest,
    ) -> ServiceResult<pb::EquipmentImportReport> {
        let by = self.equipment_manager(claims).await?;
        if r.rows.len() > crate::equipment::import::MAX_ROWS {
            return Err(ServiceError::Invalid(format!(
                "a file holds at most {} rows",
                crate::equipment::import::MAX_ROWS
            )));
        }
        let mut rows = Vec::with_capacity(r.rows.len());
        let mut refused = Vec::new();
        for row in r.rows {
            match row.site_id.parse::<Uuid>() {
                Ok(site_id) => rows.push(crate::equipment::import::Row {
                    line: row.line,
                    site_id,
                    cells: row.cells,
                }),
                Err(_) => refused.push(pb::EquipmentRowRefusal {
                    line: row.line,
                    reason: "no such site".into(),
                }),
            }
        }
        // Each site the rows name, read once from the directory (its customer).
        let mut wanted: Vec<Uuid> = rows.iter().map(|r| r.site_id).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut sites = std::collections::HashMap::new();
        for id in wanted {
            match self.site(claims.tid, &id.to_string()).await {
                Ok(site) => {
                    sites.insert(id, site);
                }
                Err(ServiceError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let total = rows.len() + refused.len();
        let mut tx = self.pool.begin().await?;
        let report = crate::equipment::import::run(
            &mut tx,
            &by,
            rows,
            &sites,
            r.dry_run || !refused.is_empty(),
            Utc::now(),
        )
        .await?;
        if report.written {
            tx.commit().await?;
        }
        refused.extend(
            report
                .refused
                .into_iter()
                .map(|(line, reason)| pb::EquipmentRowRefusal { line, reason }),
        );
        refused.sort_by_key(|x| x.line);
        Ok(pb::EquipmentImportReport {
            rows: i32::try_from(total).unwrap_or(i32::MAX),
            refused,
            written: report.written,
        })
    }

    async fn stop_plan_for(&self, claims: &Claims, id: &str) -> ServiceResult<pb::InspectionPlan> {
        let by = self.equipment_manager(claims).await?;
        let id = lookup_id("inspection plan", id)?;
        let mut tx = self.pool.begin().await?;
        let row = crate::plans::stop(&mut tx, &by, id).await?;
        tx.commit().await?;
        Ok(plan_pb(&row))
    }
}

#[tonic::async_trait]
impl EquipmentService for WorkOrders {
    async fn create_inspection_plan(
        &self,
        req: Request<pb::CreateInspectionPlanRequest>,
    ) -> Rpc<pb::InspectionPlan> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.create_plan_for(&claims, req.into_inner()).await?,
        ))
    }

    async fn list_inspection_plans(
        &self,
        req: Request<pb::ListInspectionPlansRequest>,
    ) -> Rpc<pb::ListInspectionPlansResponse> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.plans_for(&claims, &req.get_ref().site_id).await?,
        ))
    }

    async fn import_equipment(
        &self,
        req: Request<pb::ImportEquipmentRequest>,
    ) -> Rpc<pb::EquipmentImportReport> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.import_for(&claims, req.into_inner()).await?,
        ))
    }

    async fn stop_inspection_plan(
        &self,
        req: Request<pb::StopInspectionPlanRequest>,
    ) -> Rpc<pb::InspectionPlan> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.stop_plan_for(&claims, &req.get_ref().id).await?,
        ))
    }

    async fn create_equipment(
        &self,
        req: Request<pb::CreateEquipmentRequest>,
    ) -> Rpc<pb::Equipment> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.create_equipment_for(&claims, req.into_inner()).await?,
        ))
    }

    async fn update_equipment(
        &self,
        req: Request<pb::UpdateEquipmentRequest>,
    ) -> Rpc<pb::Equipment> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.update_equipment_for(&claims, req.into_inner()).await?,
        ))
    }

    async fn list_equipment(
        &self,
        req: Request<pb::ListEquipmentRequest>,
    ) -> Rpc<pb::ListEquipmentResponse> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.list_equipment_for(&claims, req.into_inner()).await?,
        ))
    }

    async fn get_equipment(
        &self,
        req: Request<pb::GetEquipmentRequest>,
    ) -> Rpc<pb::EquipmentDetail> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.get_equipment_for(&claims, &req.get_ref().id).await?,
        ))
    }

    async fn record_inspection(
        &self,
        req: Request<pb::RecordInspectionRequest>,
    ) -> Rpc<pb::InspectionResults> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.record_inspection_for(&claims, req.into_inner())
                .await?,
        ))
    }

    async fn list_inspection_results(
        &self,
        req: Request<pb::ListInspectionResultsRequest>,
    ) -> Rpc<pb::InspectionResults> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.inspection_results_for(&claims, &req.get_ref().work_order_id)
                .await?,
        ))
    }

    async fn get_site_summary(
        &self,
        req: Request<pb::GetSiteSummaryRequest>,
    ) -> Rpc<pb::SiteSummary> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.site_summary_for(&claims, &req.get_ref().site_id)
                .await?,
        ))
    }

    async fn get_equipment_settings(
        &self,
        req: Request<pb::GetEquipmentSettingsRequest>,
    ) -> Rpc<pb::EquipmentSettings> {
        // Contacts read them too: the labels of the fields their equipment shows.
        let claims = self.authn.claims(&req).await?;
        let s = store::settings(&self.pool, claims.tid)
            .await
            .map_err(ServiceError::from)?;
        Ok(Response::new(settings_pb(&s)))
    }

    async fn update_equipment_settings(
        &self,
        req: Request<pb::EquipmentSettings>,
    ) -> Rpc<pb::EquipmentSettings> {
        let claims = self.authn.claims(&req).await?;
        if !claims.may(Permission::ManageEquipmentSettings) {
            return Err(
                ServiceError::Forbidden("only an admin may set equipment fields".into()).into(),
            );
        }
        let r = req.into_inner();
        let raw = Settings {
            fields: r
                .fields
                .into_iter()
                .map(|f| FieldDef {
                    key: f.key,
                    label: f.label,
                })
                .collect(),
            checklists: r
                .checklists
                .into_iter()
                .map(|c| KindChecklist {
                    kind: c.kind,
                    items: c.items,
                })
                .collect(),
        };
        let mut tx = self.pool.begin().await.map_err(ServiceError::from)?;
        let s = equipment::update_settings(&mut tx, claims.tid, raw, Utc::now())
            .await
            .map_err(ServiceError::from)?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(settings_pb(&s)))
    }
}
