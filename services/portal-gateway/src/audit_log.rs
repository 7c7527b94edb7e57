//! The tenant's audit log as admins read it: identity records changes of
//! access, requests records accepts and rejects; the gateway merges both
//! newest first and pages through them with one cursor.
use std::collections::HashMap;

use portal_platform::paging::{DEFAULT_LIMIT, MAX_LIMIT, encode_cursor};
use portal_proto::audit::v1 as pb;
use portal_proto::identity::v1 as id;

use crate::extract::Caller;
use crate::state::AppState;
use crate::views::AuditEntry;

/// One page of the merged log and the cursor of the next (empty at the end).
pub async fn merged(
    state: &AppState,
    caller: &Caller,
    limit: u32,
    cursor: &str,
) -> Result<(Vec<AuditEntry>, String), tonic::Status> {
    let ask = || {
        caller.request(pb::ListAuditRequest {
            limit,
            cursor: cursor.to_owned(),
        })
    };
    let (mut identity, mut requests, mut directory) = (
        state.identity.clone(),
        state.requests.clone(),
        state.identity.clone(),
    );
    let (access, decisions, staff) = tokio::join!(
        identity.list_audit(ask()),
        requests.list_audit(ask()),
        directory.list_staff(caller.request(id::ListStaffRequest {
            tenant_id: caller.claims.tid.to_string(),
            role: String::new(),
        })),
    );
    let (access, decisions) = (access?.into_inner(), decisions?.into_inner());
    // requests knows staff by id only: name them from the directory.
    let names: HashMap<String, String> = staff?
        .into_inner()
        .staff
        .into_iter()
        .map(|s| (s.id, s.email))
        .collect();
    let mut entries: Vec<AuditEntry> = access
        .items
        .into_iter()
        .map(|a| AuditEntry::new(a, "identity"))
        .chain(decisions.items.into_iter().map(|mut a| {
            if let Some(email) = names.get(&a.actor_id) {
                a.actor_label.clone_from(email);
            }
            AuditEntry::new(a, "requests")
        }))
        .collect();
    entries.sort_by(|a, b| (b.at, &b.id).cmp(&(a.at, &a.id)));
    let shown = page_size(limit);
    // More exist if either source said so or the merge left some over.
    let more = entries.len() > shown
        || !access.next_cursor.is_empty()
        || !decisions.next_cursor.is_empty();
    entries.truncate(shown);
    let next = match (more, entries.last()) {
        (true, Some(last)) => last
            .at
            .zip(last.id.parse().ok())
            .map(|(at, id)| encode_cursor(at, id))
            .unwrap_or_default(),
        _ => String::new(),
    };
    Ok((entries, next))
}

/// The page size each service applies to `limit` (0 = default, capped).
fn page_size(limit: u32) -> usize {
    let limit = match i32::try_from(limit) {
        Ok(0) => DEFAULT_LIMIT,
        Ok(l) => l.min(MAX_LIMIT),
        Err(_) => MAX_LIMIT,
    };
    usize::try_from(limit).unwrap_or(20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_follows_the_services() {
        assert_eq!(page_size(0), 20);
        assert_eq!(page_size(7), 7);
        assert_eq!(page_size(10_000), 100);
    }
}
