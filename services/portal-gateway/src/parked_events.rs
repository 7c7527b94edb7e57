//! The events every backend set aside, as the tenant's admins read them:
//! each service lists its own (platform's `parked`); the gateway asks all
//! five at once and merges them newest first. A service that does not
//! answer is named, not fatal: the others' list is still worth reading.
use portal_proto::operations::v1 as pb;
use portal_proto::operations::v1::operations_service_client::OperationsServiceClient;
use tonic::Code;

use crate::extract::Caller;
use crate::state::AppState;
use crate::views::{ParkedEvent, ParkedEvents};

/// How many events the page shows at most.
pub const LIMIT: u32 = 100;

pub async fn merged(state: &AppState, caller: &Caller) -> Result<ParkedEvents, tonic::Status> {
    let asks = state.backends.iter().map(|(service, channel)| {
        let mut client = OperationsServiceClient::new(channel.clone());
        let req = caller.request(pb::ListParkedRequest { limit: LIMIT });
        async move { (*service, client.list_parked(req).await) }
    });
    let mut items = Vec::new();
    let mut unreachable = Vec::new();
    for (service, answer) in futures::future::join_all(asks).await {
        match answer {
            Ok(list) => items.extend(list.into_inner().items.into_iter().map(ParkedEvent::from)),
            // A refusal (not an admin, an expired token) is the caller's answer.
            Err(s)
                if !matches!(
                    s.code(),
                    Code::Unavailable | Code::DeadlineExceeded | Code::Unknown
                ) =>
            {
                return Err(s);
            }
            Err(s) => {
                tracing::warn!(%service, error = %s.message(), "no list of parked events");
                unreachable.push(service.to_string());
            }
        }
    }
    items.sort_by_key(|p| std::cmp::Reverse(p.parked_at));
    items.truncate(LIMIT as usize);
    Ok(ParkedEvents { items, unreachable })
}
