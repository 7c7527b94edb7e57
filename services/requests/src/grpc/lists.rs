//! Reading many requests: lists with filters, search and sorts, counts per
//! status, the export stream; and the tenant's request settings.
use std::collections::HashMap;

use futures::StreamExt;
use portal_platform::auth::Claims;
use portal_platform::errors::{ServiceError, ServiceResult, parse_id};
use portal_platform::paging::PageRequest;
use portal_platform::scope::{Narrowing, Scope};
use portal_platform::tenancy;
use portal_proto::requests::v1 as pb;
use tonic::{Request, Status};

use super::{Requests, refused, request_pb, who};
use crate::domain::{self, Sort, Status as ReqStatus};
use crate::store::{self, ListFilter, list::ScopeFilter};

/// Rows per internal page of an export.
const EXPORT_PAGE: i64 = 500;

/// What the caller may see, as SQL filters; `None` when nothing.
fn scope_filter(claims: &Claims) -> Option<ScopeFilter> {
    let (customer_id, site_ids, visible) = Scope::of(claims).sql_filter();
    let narrowing = Narrowing::of(claims);
    visible.then_some(ScopeFilter {
        tenant_id: claims.tid,
        customer_id,
        site_ids,
        created_since: narrowing.since,
        work_order_id: narrowing.work_order,
    })
}

/// The list's filter from the call (without page position and size).
fn filter(claims: &Claims, r: &pb::ListRequestsRequest) -> ServiceResult<Option<ListFilter>> {
    let Some(scope) = scope_filter(claims) else {
        return Ok(None);
    };
    let status = match r.status.trim() {
        "" => None,
        s => Some(
            ReqStatus::parse(s)
                .ok_or_else(|| ServiceError::Invalid(format!("unknown status '{s}'")))?
                .as_str()
                .to_owned(),
        ),
    };
    let id = |field: &str, v: &str| match v.trim() {
        "" => Ok(None),
        s => parse_id(field, s).map(Some),
    };
    let staff = claims.is_staff();
    Ok(Some(ListFilter {
        scope,
        status,
        site_id: id("site_id", &r.site_id)?,
        customer_id: id("customer_id", &r.customer_id)?,
        // "Mine": a contact's own requests; a staff member's assigned ones.
        contact_id: (r.mine && !staff).then_some(claims.sub),
        assignee_id: (r.mine && staff).then_some(claims.sub),
        unassigned: r.unassigned,
        q: domain::search_query(&r.q).map_err(refused)?,
        search_internal: domain::sees_internal(who(claims)),
        sort: Sort::parse(&r.sort).map_err(refused)?,
        after: None,
        limit: 0,
    }))
}

impl Requests {
    pub(super) async fn list(
        &self,
        req: Request<pb::ListRequestsRequest>,
    ) -> ServiceResult<pb::ListRequestsResponse> {
        let claims = self.caller(&req).await?;
        let r = req.into_inner();
        let Some(mut f) = filter(&claims, &r)? else {
            return Ok(pb::ListRequestsResponse::default());
        };
        let page = PageRequest::parse(r.limit, &r.cursor)?;
        f.after = page.after;
        f.limit = page.fetch();
        let rows = store::list(&self.pool, &f).await?;
        let sort = f.sort;
        let (items, next_cursor) = page.split(rows, |r| store::list::sort_key(sort, r));
        let staff = claims.is_staff();
        Ok(pb::ListRequestsResponse {
            items: items.into_iter().map(|r| request_pb(r, staff)).collect(),
            next_cursor,
        })
    }

    pub(super) async fn counts(
        &self,
        req: Request<pb::CountByStatusRequest>,
    ) -> ServiceResult<pb::StatusCounts> {
        let claims = self.caller(&req).await?;
        let mut counts: HashMap<String, u32> = ReqStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), 0))
            .collect();
        if let Some(scope) = scope_filter(&claims) {
            let at_most = (req.get_ref().at_most > 0).then(|| i64::from(req.get_ref().at_most));
            for (status, n) in store::count_by_status(&self.pool, &scope, at_most).await? {
                counts.insert(status, u32::try_from(n).unwrap_or(u32::MAX));
            }
        }
        Ok(pb::StatusCounts { counts })
    }

    /// Every row the filter shows, read in keyset pages (no OFFSET), in
    /// list order. The caller's rights are checked once, up front.
    pub(super) async fn export(
        &self,
        req: Request<pb::ListRequestsRequest>,
    ) -> ServiceResult<super::ExportStream> {
        let claims = self.caller(&req).await?;
        let r = req.into_inner();
        let Some(mut f) = filter(&claims, &r)? else {
            return Ok(Box::pin(futures::stream::empty()));
        };
        f.limit = EXPORT_PAGE;
        let staff = claims.is_staff();
        let pool = self.pool.clone();
        let pages = futures::stream::unfold(Some(f), move |state| {
            let pool = pool.clone();
            async move {
                let mut f = state?;
                match store::list(&pool, &f).await {
                    Err(e) => Some((Err(Status::from(ServiceError::from(e))), None)),
                    Ok(rows) => {
                        let next = match rows.last() {
                            Some(last) if i64::try_from(rows.len()).unwrap_or(0) == f.limit => {
                                f.after = Some(store::list::sort_key(f.sort, last));
                                Some(f)
                            }
                            _ => None,
                        };
                        Some((Ok(rows), next))
                    }
                }
            }
        });
        let items = pages.flat_map(move |page| {
            let items: Vec<Result<pb::Request, Status>> = match page {
                Ok(rows) => rows.into_iter().map(|r| Ok(request_pb(r, staff))).collect(),
                Err(e) => vec![Err(e)],
            };
            futures::stream::iter(items)
        });
        // Polled by the server after this call returned: out of its scope.
        Ok(Box::pin(tenancy::stream(claims.tid, Box::pin(items))))
    }

    /// Every account of the tenant reads them (contacts fill in the form).
    pub(super) async fn settings(
        &self,
        req: Request<pb::GetRequestSettingsRequest>,
    ) -> ServiceResult<pb::RequestSettings> {
        let claims = self.caller(&req).await?;
        let s = store::settings::get(&self.pool, claims.tid).await?;
        Ok(settings_pb(s))
    }

    pub(super) async fn update_settings(
        &self,
        req: Request<pb::RequestSettings>,
    ) -> ServiceResult<pb::RequestSettings> {
        let claims = self.caller(&req).await?;
        if !claims.has_role("admin") {
            return Err(ServiceError::Forbidden(
                "only admins change request settings".into(),
            ));
        }
        let r = req.into_inner();
        let s = domain::validate_settings(&r.categories, &r.required_fields).map_err(refused)?;
        let mut tx = self.pool.begin().await?;
        store::settings::put(&mut tx, claims.tid, &s).await?;
        tx.commit().await?;
        Ok(settings_pb(s))
    }
}

fn settings_pb(s: domain::Settings) -> pb::RequestSettings {
    pb::RequestSettings {
        categories: s.categories,
        required_fields: s.required_fields,
    }
}
