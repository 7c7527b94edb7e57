//! Generated code for the service APIs and the event contract in `proto/`.
#![allow(clippy::all, clippy::pedantic)]

pub mod audit {
    pub mod v1 {
        tonic::include_proto!("portal.audit.v1");
    }
}
pub mod identity {
    pub mod v1 {
        tonic::include_proto!("portal.identity.v1");
    }
}
pub mod requests {
    pub mod v1 {
        tonic::include_proto!("portal.requests.v1");
    }
}
pub mod work_orders {
    pub mod v1 {
        tonic::include_proto!("portal.work_orders.v1");
    }
}
pub mod documents {
    pub mod v1 {
        tonic::include_proto!("portal.documents.v1");
    }
}
pub mod notification {
    pub mod v1 {
        tonic::include_proto!("portal.notification.v1");
    }
}
pub mod events {
    pub mod v1 {
        tonic::include_proto!("portal.events.v1");
    }
}
pub mod operations {
    pub mod v1 {
        tonic::include_proto!("portal.operations.v1");
    }
}

/// Encoded descriptor set of every API, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("portal_descriptor");
