//! Every SQL statement of work-orders (equipment's in `equipment`).
use chrono::{DateTime, NaiveTime, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

use crate::availability::domain::{Reason, Week, Weekday};
use crate::planning::domain::{Change, Status, Window};

#[derive(Debug, Clone, FromRow)]
pub struct WorkOrderRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub request_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub site_id: Uuid,
    /// When the request was created; `None` for rows older than the copy.
    pub request_created_at: Option<DateTime<Utc>>,
    pub title: String,
    pub description: String,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub planned_start: Option<DateTime<Utc>>,
    pub planned_end: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub notes: String,
    pub minutes_spent: i32,
    pub signer_name: String,
    /// Whether a signature is stored (the image is read only when needed).
    pub signed: bool,
    pub cancel_reason: String,
    pub report_document_id: Option<Uuid>,
    /// The contact who asked for the work (none for older rows).
    pub contact_id: Option<Uuid>,
    /// The equipment the request was raised for (C7).
    pub equipment_id: Option<Uuid>,
}

impl WorkOrderRow {
    pub fn window(&self) -> Option<Window> {
        Some(Window {
            start: self.planned_start?,
            end: self.planned_end?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TechnicianRow {
    pub work_order_id: Uuid,
    pub technician_id: Uuid,
    pub technician_name: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct HistoryRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub work_order_id: Uuid,
    pub change: Change,
    pub status: Status,
    pub by_id: Option<Uuid>,
    pub by_name: String,
    pub at: DateTime<Utc>,
    pub planned_start: Option<DateTime<Utc>>,
    pub planned_end: Option<DateTime<Utc>>,
    pub note: String,
}

/// Another work order of a technician in the asked window.
#[derive(Debug, Clone, FromRow)]
pub struct ConflictRow {
    pub technician_name: String,
    pub work_order_id: Uuid,
    pub title: String,
    pub planned_start: DateTime<Utc>,
    pub planned_end: DateTime<Utc>,
}

macro_rules! columns {
    () => {
        "id, tenant_id, request_id, customer_id, site_id, request_created_at, title, description,
         status, created_at, planned_start, planned_end, started_at, completed_at, notes,
         minutes_spent, signer_name, signature_png IS NOT NULL AS signed, cancel_reason,
         report_document_id, contact_id, equipment_id"
    };
}

// After `columns!`, which they use.
pub mod equipment;
pub mod plans;

/// Creates the request's work order unless it already has one; returns the
/// new row, or `None` when it existed.
pub async fn insert_for_request(
    conn: &mut PgConnection,
    row: &WorkOrderRow,
) -> sqlx::Result<Option<WorkOrderRow>> {
    sqlx::query_as(concat!(
        "INSERT INTO work_orders (id, tenant_id, request_id, customer_id, site_id, title, description, status, created_at, request_created_at, contact_id, equipment_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT ON CONSTRAINT work_orders_one_per_request DO NOTHING
         RETURNING ",
        columns!()
    ))
    .bind(row.id)
    .bind(row.tenant_id)
    .bind(row.request_id)
    .bind(row.customer_id)
    .bind(row.site_id)
    .bind(&row.title)
    .bind(&row.description)
    .bind(row.status)
    .bind(row.created_at)
    .bind(row.request_created_at)
    .bind(row.contact_id)
    .bind(row.equipment_id)
    .fetch_optional(conn)
    .await
}

/// A work order for an accepted quote; `None` when the quote already has one.
pub async fn insert_for_quote(
    conn: &mut PgConnection,
    row: &WorkOrderRow,
    quote_id: Uuid,
) -> sqlx::Result<Option<WorkOrderRow>> {
    sqlx::query_as(concat!(
        "INSERT INTO work_orders (id, tenant_id, customer_id, site_id, title, description, status, created_at, contact_id, quote_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (tenant_id, quote_id) WHERE quote_id IS NOT NULL DO NOTHING
         RETURNING ",
        columns!()
    ))
    .bind(row.id)
    .bind(row.tenant_id)
    .bind(row.customer_id)
    .bind(row.site_id)
    .bind(&row.title)
    .bind(&row.description)
    .bind(row.status)
    .bind(row.created_at)
    .bind(row.contact_id)
    .bind(quote_id)
    .fetch_optional(conn)
    .await
}

pub async fn get<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<WorkOrderRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM work_orders WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The row, locked until the transaction ends: one change at a time.
pub async fn get_for_update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<WorkOrderRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM work_orders WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Writes what changes in a work order's life; a signature only when given.
pub async fn save(
    conn: &mut PgConnection,
    row: &WorkOrderRow,
    signature_png: Option<&[u8]>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE work_orders SET status = $3, planned_start = $4, planned_end = $5,
                started_at = $6, completed_at = $7, notes = $8, minutes_spent = $9,
                signer_name = $10, signature_png = COALESCE($11, signature_png),
                cancel_reason = $12, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(row.tenant_id)
    .bind(row.id)
    .bind(row.status)
    .bind(row.planned_start)
    .bind(row.planned_end)
    .bind(row.started_at)
    .bind(row.completed_at)
    .bind(&row.notes)
    .bind(row.minutes_spent)
    .bind(&row.signer_name)
    .bind(signature_png)
    .bind(&row.cancel_reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// Links the work order's service report (from `document.published`);
/// false when the work order is not there. A later report replaces an
/// earlier one: documents makes one per work order.
pub async fn set_report_document(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    work_order_id: Uuid,
    document_id: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE work_orders SET report_document_id = $3, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(work_order_id)
    .bind(document_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The technicians planned on these work orders.
pub async fn technicians<'e>(
    db: impl PgExecutor<'e>,
    work_order_ids: &[Uuid],
) -> sqlx::Result<Vec<TechnicianRow>> {
    sqlx::query_as(
        "SELECT work_order_id, technician_id, technician_name FROM work_order_technicians
         WHERE work_order_id = ANY($1) ORDER BY technician_name, technician_id",
    )
    .bind(work_order_ids)
    .fetch_all(db)
    .await
}

pub async fn replace_technicians(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    work_order_id: Uuid,
    technicians: &[(Uuid, String)],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM work_order_technicians WHERE work_order_id = $1")
        .bind(work_order_id)
        .execute(&mut *conn)
        .await?;
    let (ids, names): (Vec<Uuid>, Vec<String>) = technicians.iter().cloned().unzip();
    sqlx::query(
        "INSERT INTO work_order_technicians (tenant_id, work_order_id, technician_id, technician_name)
         SELECT $1, $2, t.id, t.name FROM unnest($3::uuid[], $4::text[]) AS t(id, name)",
    )
    .bind(tenant_id)
    .bind(work_order_id)
    .bind(&ids)
    .bind(&names)
    .execute(conn)
    .await?;
    Ok(())
}

/// Serialises planning per technician until the transaction ends, so two
/// dispatchers cannot both plan one technician into the same hour. Taken in
/// id order: two plans sharing technicians never wait on each other in a
/// circle.
pub async fn lock_technicians(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    technician_ids: &[Uuid],
) -> sqlx::Result<()> {
    let mut ids = technician_ids.to_vec();
    ids.sort();
    for id in ids {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(format!("work-orders/technician/{tenant_id}/{id}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The other scheduled or started work of these technicians that overlaps
/// `window`.
pub async fn conflicts(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    technician_ids: &[Uuid],
    window: Window,
    except: Uuid,
) -> sqlx::Result<Vec<ConflictRow>> {
    sqlx::query_as(
        "SELECT t.technician_name, w.id AS work_order_id, w.title, w.planned_start, w.planned_end
         FROM work_order_technicians t JOIN work_orders w ON w.id = t.work_order_id
         WHERE t.tenant_id = $1 AND t.technician_id = ANY($2) AND w.id <> $3
           AND w.status IN ('scheduled', 'in_progress')
           AND w.planned_start < $5 AND w.planned_end > $4
         ORDER BY w.planned_start, t.technician_name",
    )
    .bind(tenant_id)
    .bind(technician_ids)
    .bind(except)
    .bind(window.start)
    .bind(window.end)
    .fetch_all(conn)
    .await
}

pub async fn add_history(conn: &mut PgConnection, entry: &HistoryRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO work_order_history
           (id, tenant_id, work_order_id, change, status, by_id, by_name, at, planned_start, planned_end, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(entry.id)
    .bind(entry.tenant_id)
    .bind(entry.work_order_id)
    .bind(entry.change)
    .bind(entry.status)
    .bind(entry.by_id)
    .bind(&entry.by_name)
    .bind(entry.at)
    .bind(entry.planned_start)
    .bind(entry.planned_end)
    .bind(&entry.note)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn history<'e>(
    db: impl PgExecutor<'e>,
    work_order_id: Uuid,
) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as(
        "SELECT id, tenant_id, work_order_id, change, status, by_id, by_name, at, planned_start, planned_end, note
         FROM work_order_history WHERE work_order_id = $1 ORDER BY at, id",
    )
    .bind(work_order_id)
    .fetch_all(db)
    .await
}

/// What a staff list asks for.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub technician: Option<Uuid>,
    /// Work planned to overlap this window, by start; else newest first.
    pub window: Option<Window>,
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

pub async fn list<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    f: &ListFilter,
) -> sqlx::Result<Vec<WorkOrderRow>> {
    let (order, after) = if f.window.is_some() {
        (
            "ORDER BY planned_start, id",
            "(planned_start, id) > ($5, $6)",
        )
    } else {
        (
            "ORDER BY created_at DESC, id DESC",
            "(created_at, id) < ($5, $6)",
        )
    };
    let sql = format!(
        "SELECT {} FROM work_orders w
         WHERE tenant_id = $1 AND ($2::work_order_status IS NULL OR status = $2)
           AND ($3::uuid IS NULL OR EXISTS (
                 SELECT 1 FROM work_order_technicians t
                 WHERE t.work_order_id = w.id AND t.technician_id = $3))
           AND ($4::timestamptz IS NULL OR {after})
           AND ($7::timestamptz IS NULL OR (planned_start < $8 AND planned_end > $7))
         {order} LIMIT $9",
        columns!()
    );
    // Only constant fragments are formatted in; values are bound.
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(tenant_id)
        .bind(f.status)
        .bind(f.technician)
        .bind(f.after.map(|a| a.0))
        .bind(f.after.map(|a| a.0))
        .bind(f.after.map(|a| a.1))
        .bind(f.window.map(|w| w.start))
        .bind(f.window.map(|w| w.end))
        .bind(f.limit)
        .fetch_all(db)
        .await
}

/// A contact's appointments: planned or done work of their customer (and
/// sites), narrowed like its requests.
#[derive(Debug, Clone)]
pub struct AppointmentFilter {
    pub customer_id: Uuid,
    /// Empty: every site of the customer.
    pub sites: Vec<Uuid>,
    /// Only work whose request was created since (A10).
    pub since: Option<DateTime<Utc>>,
    /// Only this work order (a secure link for one).
    pub only: Option<Uuid>,
    /// Upcoming (scheduled, in progress; soonest first) or done (completed;
    /// latest first).
    pub done: bool,
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

pub async fn appointments<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    f: &AppointmentFilter,
) -> sqlx::Result<Vec<WorkOrderRow>> {
    let (statuses, order, after) = if f.done {
        (
            "('completed')",
            "ORDER BY completed_at DESC, id DESC",
            "(completed_at, id) < ($6, $7)",
        )
    } else {
        (
            "('scheduled', 'in_progress')",
            "ORDER BY planned_start, id",
            "(planned_start, id) > ($6, $7)",
        )
    };
    let sql = format!(
        "SELECT {} FROM work_orders
         WHERE tenant_id = $1 AND customer_id = $2 AND status IN {statuses}
           AND (cardinality($3::uuid[]) = 0 OR site_id = ANY($3))
           AND ($4::timestamptz IS NULL OR request_created_at >= $4)
           AND ($5::uuid IS NULL OR id = $5)
           AND ($6::timestamptz IS NULL OR {after})
         {order} LIMIT $8",
        columns!()
    );
    // Only constant fragments are formatted in; values are bound.
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(tenant_id)
        .bind(f.customer_id)
        .bind(&f.sites)
        .bind(f.since)
        .bind(f.only)
        .bind(f.after.map(|a| a.0))
        .bind(f.after.map(|a| a.1))
        .bind(f.limit)
        .fetch_all(db)
        .await
}

/// One stretch of a set week; a week set with no hours has one row of
/// `None`s (the technician's own week: `technician_id`, else the default).
#[derive(Debug, Clone, FromRow)]
pub struct HoursRow {
    pub technician_id: Option<Uuid>,
    pub weekday: Option<Weekday>,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
}

/// The weeks of these technicians and the tenant's default.
pub async fn working_hours<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    technician_ids: &[Uuid],
) -> sqlx::Result<Vec<HoursRow>> {
    sqlx::query_as(
        "SELECT w.technician_id, h.weekday, h.starts_at, h.ends_at
         FROM working_weeks w LEFT JOIN working_hours h ON h.week_id = w.id
         WHERE w.tenant_id = $1 AND (w.technician_id IS NULL OR w.technician_id = ANY($2))
         ORDER BY w.technician_id, h.weekday, h.starts_at",
    )
    .bind(tenant_id)
    .bind(technician_ids)
    .fetch_all(db)
    .await
}

/// Replaces a week (`technician_id` `None`: the tenant's default).
pub async fn set_working_hours(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    technician_id: Option<Uuid>,
    week: &Week,
    by: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let week_id: Uuid = sqlx::query_scalar(
        "INSERT INTO working_weeks (id, tenant_id, technician_id, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ON CONSTRAINT working_weeks_one
         DO UPDATE SET updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(tenant_id)
    .bind(technician_id)
    .bind(now)
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM working_hours WHERE week_id = $1")
        .bind(week_id)
        .execute(&mut *conn)
        .await?;
    let days: Vec<Weekday> = week.intervals().iter().map(|i| i.weekday).collect();
    let starts: Vec<NaiveTime> = week.intervals().iter().map(|i| i.start).collect();
    let ends: Vec<NaiveTime> = week.intervals().iter().map(|i| i.end).collect();
    sqlx::query(
        "INSERT INTO working_hours (week_id, tenant_id, weekday, starts_at, ends_at)
         SELECT $1, $2, h.d, h.s, h.e FROM unnest($3::weekday[], $4::time[], $5::time[]) AS h(d, s, e)",
    )
    .bind(week_id)
    .bind(tenant_id)
    .bind(&days)
    .bind(&starts)
    .bind(&ends)
    .execute(conn)
    .await?;
    Ok(())
}

/// Drops a technician's own week: the default applies again.
pub async fn drop_working_hours(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    technician_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM working_weeks WHERE tenant_id = $1 AND technician_id = $2")
        .bind(tenant_id)
        .bind(technician_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AbsenceRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub technician_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Reason,
    pub note: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

impl AbsenceRow {
    pub fn window(&self) -> Window {
        Window {
            start: self.starts_at,
            end: self.ends_at,
        }
    }
}

/// These technicians' absences that overlap `range`, by start.
pub async fn absences<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    technician_ids: &[Uuid],
    range: Window,
) -> sqlx::Result<Vec<AbsenceRow>> {
    sqlx::query_as(
        "SELECT id, tenant_id, technician_id, starts_at, ends_at, reason, note, created_by, created_at
         FROM absences
         WHERE tenant_id = $1 AND technician_id = ANY($2) AND starts_at < $4 AND ends_at > $3
         ORDER BY starts_at, id",
    )
    .bind(tenant_id)
    .bind(technician_ids)
    .bind(range.start)
    .bind(range.end)
    .fetch_all(db)
    .await
}

pub async fn insert_absence(conn: &mut PgConnection, a: &AbsenceRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO absences (id, tenant_id, technician_id, starts_at, ends_at, reason, note, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(a.id)
    .bind(a.tenant_id)
    .bind(a.technician_id)
    .bind(a.starts_at)
    .bind(a.ends_at)
    .bind(a.reason)
    .bind(&a.note)
    .bind(a.created_by)
    .bind(a.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// False when the technician has no such absence.
pub async fn delete_absence(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    technician_id: Uuid,
    id: Uuid,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("DELETE FROM absences WHERE tenant_id = $1 AND technician_id = $2 AND id = $3")
            .bind(tenant_id)
            .bind(technician_id)
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}
