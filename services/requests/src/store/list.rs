//! Lists of requests: filters, full-text search, sorts and keyset pages.
//! The SQL is built with only the predicates in use, so each combination
//! gets its own prepared statement and a plan that uses the indexes of the
//! `tickets` migration (a `$n IS NULL OR …` catch-all would not).
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{RequestRow, columns};
use crate::domain::Sort;

/// What the caller may see at all (tenant, customer, sites, A10, secure link).
#[derive(Debug, Clone, Default)]
pub struct ScopeFilter {
    pub tenant_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub site_ids: Option<Vec<Uuid>>,
    pub created_since: Option<DateTime<Utc>>,
    pub work_order_id: Option<Uuid>,
}

/// Filters of a list; `None` = no filter on that field.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub scope: ScopeFilter,
    pub status: Option<String>,
    pub site_id: Option<Uuid>,
    /// A staff filter on one customer.
    pub customer_id: Option<Uuid>,
    /// Contacts' "mine": created by this account.
    pub contact_id: Option<Uuid>,
    /// Staff's "mine": assigned to this account.
    pub assignee_id: Option<Uuid>,
    pub unassigned: bool,
    /// `websearch_to_tsquery` text.
    pub q: Option<String>,
    /// Whether the search may match internal notes (staff).
    pub search_internal: bool,
    pub sort: Sort,
    /// Keyset cursor: the sort key and id of the last row of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// Requests without a due date sort after every dated one.
pub const NO_DUE_DATE: &str = "9999-12-31 00:00:00+00";

pub fn no_due_date() -> DateTime<Utc> {
    // 9999-12-31T00:00:00Z
    DateTime::from_timestamp(253_402_214_400, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The keyset key of a row under a sort.
pub fn sort_key(sort: Sort, r: &RequestRow) -> (DateTime<Utc>, Uuid) {
    match sort {
        Sort::CreatedDesc | Sort::CreatedAsc => (r.created_at, r.id),
        Sort::UpdatedDesc => (r.updated_at, r.id),
        Sort::DueAsc => (r.due_date.unwrap_or_else(no_due_date), r.id),
    }
}

pub(crate) fn push_scope(qb: &mut QueryBuilder<Postgres>, s: &ScopeFilter) {
    qb.push("tenant_id = ").push_bind(s.tenant_id);
    if let Some(c) = s.customer_id {
        qb.push(" AND customer_id = ").push_bind(c);
    }
    if let Some(sites) = &s.site_ids {
        qb.push(" AND site_id = ANY (")
            .push_bind(sites.clone())
            .push(")");
    }
    if let Some(since) = s.created_since {
        qb.push(" AND created_at >= ").push_bind(since);
    }
    if let Some(w) = s.work_order_id {
        qb.push(" AND work_order_id = ").push_bind(w);
    }
}

fn push_filters(qb: &mut QueryBuilder<Postgres>, f: &ListFilter) {
    push_scope(qb, &f.scope);
    if let Some(s) = &f.status {
        qb.push(" AND status = ").push_bind(s.clone());
    }
    if let Some(s) = f.site_id {
        qb.push(" AND site_id = ").push_bind(s);
    }
    if let Some(c) = f.customer_id {
        qb.push(" AND customer_id = ").push_bind(c);
    }
    if let Some(c) = f.contact_id {
        qb.push(" AND contact_id = ").push_bind(c);
    }
    if let Some(a) = f.assignee_id {
        qb.push(" AND assignee_id = ").push_bind(a);
    }
    if f.unassigned {
        qb.push(" AND assignee_id IS NULL");
    }
    if let Some(q) = &f.q {
        qb.push(if f.search_internal {
            " AND search_all @@ websearch_to_tsquery('simple', "
        } else {
            " AND search_public @@ websearch_to_tsquery('simple', "
        })
        .push_bind(q.clone())
        .push(")");
    }
}

fn sort_expr(sort: Sort) -> (&'static str, &'static str, &'static str) {
    // (key expression, keyset comparison, direction)
    match sort {
        Sort::CreatedDesc => ("created_at", "<", "DESC"),
        Sort::CreatedAsc => ("created_at", ">", "ASC"),
        Sort::UpdatedDesc => ("updated_at", "<", "DESC"),
        Sort::DueAsc => (
            "COALESCE(due_date, '9999-12-31 00:00:00+00'::timestamptz)",
            ">",
            "ASC",
        ),
    }
}

/// One page (`limit` rows) after `after`, in the filter's order.
pub async fn list(pool: &PgPool, f: &ListFilter) -> sqlx::Result<Vec<RequestRow>> {
    let mut qb = QueryBuilder::new(concat!("SELECT ", columns!(), " FROM requests WHERE "));
    push_filters(&mut qb, f);
    let (key, cmp, dir) = sort_expr(f.sort);
    if let Some((at, id)) = f.after {
        qb.push(format_args!(" AND ({key}, id) {cmp} ("))
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    qb.push(format_args!(" ORDER BY {key} {dir}, id {dir} LIMIT "))
        .push_bind(f.limit);
    qb.build_query_as().fetch_all(pool).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_due_sentinel_matches_the_sql() {
        assert_eq!(
            no_due_date().format("%Y-%m-%d %H:%M:%S+00").to_string(),
            NO_DUE_DATE
        );
    }

    #[test]
    fn only_used_filters_reach_the_sql() {
        let f = ListFilter {
            scope: ScopeFilter {
                tenant_id: Uuid::nil(),
                ..Default::default()
            },
            status: Some("submitted".into()),
            q: Some("oven".into()),
            limit: 21,
            ..Default::default()
        };
        let mut qb = QueryBuilder::new("SELECT 1 FROM requests WHERE ");
        push_filters(&mut qb, &f);
        let sql = qb.sql().as_str().to_owned();
        assert!(sql.contains("status = $2"), "{sql}");
        assert!(sql.contains("search_public @@"), "{sql}");
        assert!(!sql.contains("customer_id"), "{sql}");
        assert!(!sql.contains("search_all"), "{sql}");
    }
}
