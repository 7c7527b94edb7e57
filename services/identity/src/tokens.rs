//! Issuing access tokens (EdDSA JWT) from an account's facts.
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, Header};
use portal_platform::auth::{AUDIENCE, AccountKind, Claims, ISSUER};
use uuid::Uuid;

use crate::keys::SigningKey;

/// What a token says about its holder.
#[derive(Debug, Clone)]
pub struct Subject {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: AccountKind,
    pub roles: Vec<String>,
    pub customer_id: Option<Uuid>,
    pub site_ids: Vec<Uuid>,
    pub work_order_id: Option<Uuid>,
    pub requests_visible_since: Option<DateTime<Utc>>,
}

pub fn claims(subject: &Subject, now: DateTime<Utc>, ttl_secs: i64) -> Claims {
    Claims {
        sub: subject.id,
        tid: subject.tenant_id,
        kind: subject.kind,
        roles: subject.roles.clone(),
        cust: subject.customer_id,
        sites: subject.site_ids.clone(),
        wo: subject.work_order_id,
        rvis: subject.requests_visible_since.map(|t| t.timestamp()),
        jti: Uuid::now_v7(),
        iat: now.timestamp(),
        exp: now.timestamp() + ttl_secs,
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
    }
}

pub fn sign(claims: &Claims, key: &SigningKey) -> anyhow::Result<String> {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid.clone());
    Ok(jsonwebtoken::encode(&header, claims, &key.key)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use jsonwebtoken::{DecodingKey, EncodingKey};

    fn key() -> anyhow::Result<(SigningKey, DecodingKey)> {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)?;
        let enc = EncodingKey::from_ed_pem(pair.serialize_pem().as_bytes())?;
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(pair.public_key_raw());
        let dec = DecodingKey::from_ed_components(&x)?;
        Ok((
            SigningKey {
                kid: "k1".into(),
                key: enc,
            },
            dec,
        ))
    }

    fn contact() -> Subject {
        Subject {
            id: Uuid::now_v7(),
            tenant_id: Uuid::now_v7(),
            kind: AccountKind::Contact,
            roles: vec![],
            customer_id: Some(Uuid::now_v7()),
            site_ids: vec![Uuid::now_v7()],
            work_order_id: None,
            requests_visible_since: None,
        }
    }

    #[test]
    fn a_signed_token_verifies_with_issuer_and_audience() -> anyhow::Result<()> {
        let (sk, dk) = key()?;
        let c = claims(&contact(), Utc::now(), 900);
        let token = sign(&c, &sk)?;
        let back =
            jsonwebtoken::decode::<Claims>(&token, &dk, &portal_platform::auth::validation())?;
        assert_eq!(back.claims, c);
        assert_eq!(
            jsonwebtoken::decode_header(&token)?.kid.as_deref(),
            Some("k1")
        );
        Ok(())
    }

    #[test]
    fn expired_or_foreign_tokens_are_refused() -> anyhow::Result<()> {
        let (sk, dk) = key()?;
        let old = claims(&contact(), Utc::now() - chrono::Duration::hours(1), 900);
        let token = sign(&old, &sk)?;
        assert!(
            jsonwebtoken::decode::<Claims>(&token, &dk, &portal_platform::auth::validation())
                .is_err()
        );

        let mut wrong_aud = claims(&contact(), Utc::now(), 900);
        wrong_aud.aud = "someone-else".into();
        let token = sign(&wrong_aud, &sk)?;
        assert!(
            jsonwebtoken::decode::<Claims>(&token, &dk, &portal_platform::auth::validation())
                .is_err()
        );

        let (other, _) = key()?;
        let forged = sign(&claims(&contact(), Utc::now(), 900), &other)?;
        assert!(
            jsonwebtoken::decode::<Claims>(&forged, &dk, &portal_platform::auth::validation())
                .is_err()
        );
        Ok(())
    }
}
