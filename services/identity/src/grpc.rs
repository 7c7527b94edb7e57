//! identity's gRPC API: checks who calls and translates; rules live in
//! `domain`, SQL in `store`.

use chrono::Duration;
use portal_platform::auth::{Authenticator, Claims};
use portal_platform::db::SystemPool;
use portal_platform::errors::{ServiceError, ServiceResult, reply};
use portal_platform::service_tls::Backend;
use portal_platform::tenancy;
use portal_platform::time::{opt_to_proto, to_proto};
use portal_proto::identity::v1 as pb;
use portal_proto::identity::v1::identity_service_server::IdentityService;
use portal_proto::notification::v1::notification_service_client::NotificationServiceClient;
use sqlx::PgPool;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::domain::{self, Action};
use crate::keys::KeyRing;
use crate::secrets::Passwords;
use crate::store::{self, ContactRow, CustomerRow, SiteRow};

pub(crate) const SOURCE: &str = "/portal/identity";
pub(crate) const REFRESH_TTL: Duration = Duration::days(30);
pub(crate) const INVITATION_TTL: Duration = Duration::days(7);
/// A secure link's session lasts at most this long (and never past the link).
pub(crate) const LINK_SESSION_TTL: Duration = Duration::hours(12);
pub(crate) const BAD_LOGIN: &str = "wrong tenant, e-mail or password";

#[derive(Clone)]
pub struct Identity {
    /// The app pool: each connection sees the call's tenant only (ADR 0018).
    pub pool: PgPool,
    /// The owner's pool, only to find which tenant a presented token's hash
    /// belongs to, and to prune every tenant's idle devices.
    pub system: SystemPool,
    pub authn: Authenticator,
    pub passwords: Passwords,
    pub keys: std::sync::Arc<KeyRing>,
    pub operator_digest: Option<[u8; 32]>,
    pub public_url: String,
    pub notification: NotificationServiceClient<Backend>,
    /// identity's own credential (auth mails to notification).
    pub credential: portal_platform::callers::Credential,
    pub access_ttl_secs: i64,
    /// Verified against when an account is unknown, so that timing does not
    /// reveal which addresses exist.
    pub dummy_hash: String,
}

type Rpc<T> = Result<Response<T>, Status>;

/// Maps a unique-key violation to a conflict that says what clashed.
pub(crate) fn conflict_as(message: String) -> impl FnOnce(sqlx::Error) -> ServiceError {
    move |e| match ServiceError::from(e) {
        ServiceError::Conflict(_) => ServiceError::Conflict(message),
        other => other,
    }
}

pub(crate) fn invalid(r: Result<(), String>) -> ServiceResult<()> {
    r.map_err(ServiceError::Invalid)
}

/// Checks a password being set; the refusal names its reason for the pages.
pub(crate) fn new_password(password: &str) -> ServiceResult<()> {
    domain::validate_password(password).map_err(|p| ServiceError::InvalidAs(p.slug(), p.message()))
}

impl Identity {
    /// Enters the tenant of the row that the hash of a presented secret
    /// names (looked up across tenants). When nothing matches, no tenant is
    /// entered and the scoped lookups that follow find nothing either.
    pub(crate) async fn enter_tenant_of(
        &self,
        table: store::TokenTable,
        token_hash: &[u8],
    ) -> ServiceResult<()> {
        if let Some(tenant) = store::tenant_of_token(&self.system, table, token_hash).await? {
            tenancy::enter(tenant);
        }
        Ok(())
    }

    /// The customer, when it exists in the tenant.
    pub(crate) async fn existing_customer(
        &self,
        tenant_id: Uuid,
        id: Uuid,
    ) -> ServiceResult<store::CustomerRow> {
        store::customer(&self.pool, tenant_id, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("customer"))
    }

    pub(crate) async fn staff_may<T>(
        &self,
        req: &Request<T>,
        action: Action,
    ) -> ServiceResult<Claims> {
        let claims = self.authn.claims(req).await?;
        if claims.is_staff() && domain::may(&claims.roles, action) {
            Ok(claims)
        } else {
            Err(ServiceError::Forbidden(
                "your role does not allow this".into(),
            ))
        }
    }

    /// Directory reads: another service allowed this method
    /// (`callers::may_call`), or staff of the tenant. Returns the claims of
    /// a user caller.
    pub(crate) async fn directory_reader<T>(
        &self,
        req: &Request<T>,
        tenant_id: Uuid,
    ) -> ServiceResult<Option<Claims>> {
        if self.authn.service(req)?.is_some() {
            // A service vouches for the tenant it reads for (ADR 0018).
            tenancy::enter(tenant_id);
            return Ok(None);
        }
        let claims = self.authn.claims(req).await?;
        if claims.tid != tenant_id {
            return Err(ServiceError::not_found("record"));
        }
        Ok(Some(claims))
    }
}

pub(crate) fn customer_pb(c: CustomerRow) -> pb::Customer {
    pb::Customer {
        id: c.id.to_string(),
        number: c.number,
        name: c.name,
        address: c.address,
        info: c.info,
        portal_enabled: c.portal_enabled,
        created_at: Some(to_proto(c.created_at)),
        portal_enabled_at: opt_to_proto(c.portal_enabled_at),
        request_visibility: c.request_visibility,
        visible_since: opt_to_proto(c.visible_since),
    }
}

pub(crate) fn site_pb(s: SiteRow) -> pb::Site {
    pb::Site {
        id: s.id.to_string(),
        customer_id: s.customer_id.to_string(),
        name: s.name,
        address: s.address,
        latitude: s.latitude,
        longitude: s.longitude,
        customer_name: String::new(),
        customer_number: String::new(),
    }
}

pub(crate) fn contact_pb(c: ContactRow) -> pb::Contact {
    pb::Contact {
        id: c.id.to_string(),
        customer_id: c.customer_id.to_string(),
        name: c.name,
        email: c.email,
        language: c.language,
        notifications: c.notifications,
        site_ids: c.site_ids.iter().map(Uuid::to_string).collect(),
        access_from: opt_to_proto(c.access_from),
        access_until: opt_to_proto(c.access_until),
        activated: c.activated_at.is_some(),
        ..Default::default()
    }
}

#[tonic::async_trait]
impl IdentityService for Identity {
    async fn create_tenant(
        &self,
        req: Request<pb::CreateTenantRequest>,
    ) -> Rpc<pb::CreateTenantResponse> {
        reply(Identity::create_tenant(self, req).await)
    }
    async fn login(&self, req: Request<pb::LoginRequest>) -> Rpc<pb::TokenPair> {
        reply(Identity::login(self, req).await)
    }
    async fn refresh(&self, req: Request<pb::RefreshRequest>) -> Rpc<pb::TokenPair> {
        reply(Identity::refresh(self, req.into_inner()).await)
    }
    async fn accept_invitation(
        &self,
        req: Request<pb::AcceptInvitationRequest>,
    ) -> Rpc<pb::TokenPair> {
        reply(Identity::accept_invitation(self, req).await)
    }
    async fn get_signing_keys(
        &self,
        _req: Request<pb::GetSigningKeysRequest>,
    ) -> Rpc<pb::GetSigningKeysResponse> {
        Ok(Response::new(pb::GetSigningKeysResponse {
            keys: self
                .keys
                .public_keys()
                .iter()
                .map(|(kid, x)| pb::SigningKey {
                    kid: kid.clone(),
                    x: x.clone(),
                })
                .collect(),
            cache_secs: u32::try_from(self.keys.cache().as_secs()).unwrap_or(u32::MAX),
        }))
    }
    async fn get_me(&self, req: Request<pb::GetMeRequest>) -> Rpc<pb::Me> {
        reply(self.me(req).await)
    }
    async fn create_customer(&self, req: Request<pb::CreateCustomerRequest>) -> Rpc<pb::Customer> {
        reply(Identity::create_customer(self, req).await)
    }
    async fn update_customer(&self, req: Request<pb::UpdateCustomerRequest>) -> Rpc<pb::Customer> {
        reply(Identity::update_customer(self, req).await)
    }
    async fn create_site(&self, req: Request<pb::CreateSiteRequest>) -> Rpc<pb::Site> {
        reply(Identity::create_site(self, req).await)
    }
    async fn create_contact(&self, req: Request<pb::CreateContactRequest>) -> Rpc<pb::Contact> {
        reply(Identity::create_contact(self, req).await)
    }
    async fn set_customer_portal(
        &self,
        req: Request<pb::SetCustomerPortalRequest>,
    ) -> Rpc<pb::Customer> {
        reply(Identity::set_customer_portal(self, req).await)
    }
    async fn invite_contact(
        &self,
        req: Request<pb::InviteContactRequest>,
    ) -> Rpc<pb::InviteContactResponse> {
        reply(Identity::invite_contact(self, req).await)
    }
    async fn get_contact(&self, req: Request<pb::GetContactRequest>) -> Rpc<pb::Contact> {
        reply(Identity::get_contact(self, req).await)
    }
    async fn get_site(&self, req: Request<pb::GetSiteRequest>) -> Rpc<pb::Site> {
        reply(Identity::get_site(self, req).await)
    }

    async fn list_sites(&self, req: Request<pb::ListSitesRequest>) -> Rpc<pb::ListSitesResponse> {
        reply(Identity::list_sites(self, req).await)
    }

    async fn update_site(&self, req: Request<pb::UpdateSiteRequest>) -> Rpc<pb::Site> {
        reply(Identity::update_site(self, req).await)
    }

    async fn import_directory(
        &self,
        req: Request<pb::ImportDirectoryRequest>,
    ) -> Rpc<pb::ImportReport> {
        reply(Identity::import_directory(self, req).await)
    }
    async fn find_contact_by_email(
        &self,
        req: Request<pb::FindContactByEmailRequest>,
    ) -> Rpc<pb::Contact> {
        reply(Identity::find_contact_by_email(self, req).await)
    }
    async fn list_customer_contacts(
        &self,
        req: Request<pb::ListCustomerContactsRequest>,
    ) -> Rpc<pb::ListContactsResponse> {
        reply(Identity::list_customer_contacts(self, req).await)
    }
    async fn get_customer_name(
        &self,
        req: Request<pb::GetCustomerNameRequest>,
    ) -> Rpc<pb::CustomerName> {
        reply(Identity::get_customer_name(self, req).await)
    }
    async fn list_staff(&self, req: Request<pb::ListStaffRequest>) -> Rpc<pb::ListStaffResponse> {
        reply(Identity::list_staff(self, req).await)
    }
    async fn request_password_reset(
        &self,
        req: Request<pb::RequestPasswordResetRequest>,
    ) -> Rpc<pb::Accepted> {
        reply(Identity::request_password_reset(self, req).await)
    }
    async fn confirm_password_reset(
        &self,
        req: Request<pb::ConfirmPasswordResetRequest>,
    ) -> Rpc<pb::TokenPair> {
        reply(Identity::confirm_password_reset(self, req).await)
    }
    async fn register(&self, req: Request<pb::RegisterRequest>) -> Rpc<pb::Accepted> {
        reply(Identity::register(self, req).await)
    }
    async fn confirm_registration(
        &self,
        req: Request<pb::ConfirmRegistrationRequest>,
    ) -> Rpc<pb::TokenPair> {
        reply(Identity::confirm_registration(self, req).await)
    }
    async fn open_secure_link(
        &self,
        req: Request<pb::OpenSecureLinkRequest>,
    ) -> Rpc<pb::TokenPair> {
        reply(Identity::open_secure_link(self, req).await)
    }
    async fn describe_link(&self, req: Request<pb::DescribeLinkRequest>) -> Rpc<pb::LinkInfo> {
        reply(Identity::describe_link(self, req).await)
    }
    async fn get_tenant_info(&self, req: Request<pb::GetTenantInfoRequest>) -> Rpc<pb::TenantInfo> {
        reply(Identity::get_tenant_info(self, req).await)
    }
    async fn get_tenant(&self, req: Request<pb::GetTenantRequest>) -> Rpc<pb::TenantInfo> {
        reply(Identity::get_tenant(self, req).await)
    }
    async fn logout(&self, req: Request<pb::LogoutRequest>) -> Rpc<pb::Accepted> {
        reply(self.logout(req.into_inner()).await)
    }
    async fn logout_everywhere(
        &self,
        req: Request<pb::LogoutEverywhereRequest>,
    ) -> Rpc<pb::Accepted> {
        reply(Identity::logout_everywhere(self, req).await)
    }
    async fn change_password(&self, req: Request<pb::ChangePasswordRequest>) -> Rpc<pb::TokenPair> {
        reply(Identity::change_password(self, req).await)
    }
    async fn switch_customer(&self, req: Request<pb::SwitchCustomerRequest>) -> Rpc<pb::TokenPair> {
        reply(Identity::switch_customer(self, req).await)
    }
    async fn update_me(&self, req: Request<pb::UpdateMeRequest>) -> Rpc<pb::Me> {
        reply(Identity::update_me(self, req).await)
    }
    async fn list_customers(
        &self,
        req: Request<pb::ListCustomersRequest>,
    ) -> Rpc<pb::ListCustomersResponse> {
        reply(Identity::list_customers(self, req).await)
    }
    async fn get_customer(&self, req: Request<pb::GetCustomerRequest>) -> Rpc<pb::CustomerDetail> {
        reply(Identity::get_customer(self, req).await)
    }
    async fn list_contacts(
        &self,
        req: Request<pb::ListContactsRequest>,
    ) -> Rpc<pb::ListContactsResponse> {
        reply(Identity::list_contacts(self, req).await)
    }
    async fn update_contact(&self, req: Request<pb::UpdateContactRequest>) -> Rpc<pb::Contact> {
        reply(Identity::update_contact(self, req).await)
    }
    async fn add_contact_to_customer(
        &self,
        req: Request<pb::AddContactToCustomerRequest>,
    ) -> Rpc<pb::Contact> {
        reply(Identity::add_contact_to_customer(self, req).await)
    }
    async fn update_tenant(&self, req: Request<pb::UpdateTenantRequest>) -> Rpc<pb::TenantInfo> {
        reply(Identity::update_tenant(self, req).await)
    }
    async fn create_secure_link(
        &self,
        req: Request<pb::CreateSecureLinkRequest>,
    ) -> Rpc<pb::SecureLink> {
        reply(Identity::create_secure_link(self, req).await)
    }
    async fn list_secure_links(
        &self,
        req: Request<pb::ListSecureLinksRequest>,
    ) -> Rpc<pb::ListSecureLinksResponse> {
        reply(Identity::list_secure_links(self, req).await)
    }
    async fn revoke_secure_link(
        &self,
        req: Request<pb::RevokeSecureLinkRequest>,
    ) -> Rpc<pb::SecureLink> {
        reply(Identity::revoke_secure_link(self, req).await)
    }
    async fn list_audit(
        &self,
        req: Request<portal_proto::audit::v1::ListAuditRequest>,
    ) -> Rpc<portal_proto::audit::v1::ListAuditResponse> {
        reply(Identity::list_audit(self, req).await)
    }
    async fn create_staff(&self, req: Request<pb::CreateStaffRequest>) -> Rpc<pb::StaffMember> {
        reply(Identity::create_staff(self, req).await)
    }
}
