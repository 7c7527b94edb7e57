//! Inbound addresses (ADR 0010): the signed reply address of a request,
//! `reply+<token>@<inbound domain>`, and a tenant's intake address,
//! `<slug>@<inbound domain>` or `requests+<slug>@<inbound domain>`.
//!
//! The token is the request id and a truncated HMAC-SHA256 of it, in
//! lowercase hex (some mail systems fold the case of local parts): 52
//! characters, so that `reply+<token>` stays within the 64 octets RFC 5321
//! allows a local part. Pure: no I/O, every rule unit-tested.
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// Bytes of the MAC kept in a token: 80 bits, far beyond what anyone can
/// guess one SMTP attempt at a time.
const MAC_LEN: usize = 10;
/// Hex characters of a token.
pub const TOKEN_LEN: usize = 2 * (16 + MAC_LEN);
/// Local-part prefix of reply addresses.
pub const REPLY_PREFIX: &str = "reply+";
/// Optional local-part prefix of intake addresses.
pub const INTAKE_PREFIX: &str = "requests+";
/// Domain-separation label: the configured secret is never used as is.
const KEY_LABEL: &[u8] = b"portal inbound reply token v1";

/// HMAC-SHA256 (RFC 2104) over `sha2`; the unit tests check it against
/// RFC 4231's vectors.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        let digest = Sha256::digest(key);
        for (b, k) in block.iter_mut().zip(digest.iter()) {
            *b = *k;
        }
    } else {
        for (b, k) in block.iter_mut().zip(key) {
            *b = *k;
        }
    }
    let ipad: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// The key that signs reply tokens, derived from the configured secret.
#[derive(Clone)]
pub struct ReplyKey([u8; 32]);

impl std::fmt::Debug for ReplyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplyKey(..)")
    }
}

impl ReplyKey {
    pub fn new(secret: &[u8]) -> Self {
        Self(hmac_sha256(secret, KEY_LABEL))
    }

    fn mac(&self, request_id: Uuid) -> [u8; 32] {
        hmac_sha256(&self.0, request_id.as_bytes())
    }

    /// The token of `request_id`.
    pub fn token(&self, request_id: Uuid) -> String {
        let mac = self.mac(request_id);
        let mut token = hex(request_id.as_bytes());
        token.push_str(&hex(mac.get(..MAC_LEN).unwrap_or_default()));
        token
    }

    /// The request a token names, when its signature is ours.
    pub fn verify(&self, token: &str) -> Option<Uuid> {
        if token.len() != TOKEN_LEN {
            return None;
        }
        let bytes = unhex(&token.to_ascii_lowercase())?;
        let (id, mac) = bytes.split_at(16);
        let request_id = Uuid::from_slice(id).ok()?;
        let expected = self.mac(request_id);
        let expected = expected.get(..MAC_LEN)?;
        bool::from(expected.ct_eq(mac)).then_some(request_id)
    }

    /// `reply+<token>@<domain>`.
    pub fn reply_address(&self, request_id: Uuid, domain: &str) -> String {
        format!("{REPLY_PREFIX}{}@{domain}", self.token(request_id))
    }
}

/// What notification needs to hand out reply addresses.
#[derive(Clone, Debug)]
pub struct ReplySettings {
    pub key: ReplyKey,
    /// The inbound domain (`PORTAL_INBOUND_DOMAIN`).
    pub domain: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

/// What an inbound recipient address stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A reply to the mails of this request (signature checked).
    Reply(Uuid),
    /// A new request for the tenant with this slug.
    Intake(String),
}

/// Why a recipient is refused, each with the text the SMTP client sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("5.7.1 relaying denied: this server takes mail for its own domain only")]
    OtherDomain,
    #[error("5.1.3 malformed address")]
    Malformed,
    #[error("5.1.1 this reply address is not valid; please answer from the portal")]
    ForgedToken,
}

/// Parses an SMTP recipient (`<a@b>` or `a@b`) for `domain`.
pub fn parse_recipient(address: &str, domain: &str, key: &ReplyKey) -> Result<Recipient, Refusal> {
    let address = address.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, at) = address.rsplit_once('@').ok_or(Refusal::Malformed)?;
    if !at.eq_ignore_ascii_case(domain.trim()) {
        return Err(Refusal::OtherDomain);
    }
    let local = local.to_ascii_lowercase();
    if let Some(token) = local.strip_prefix(REPLY_PREFIX) {
        return key
            .verify(token)
            .map(Recipient::Reply)
            .ok_or(Refusal::ForgedToken);
    }
    let slug = local.strip_prefix(INTAKE_PREFIX).unwrap_or(&local);
    if is_slug(slug) {
        Ok(Recipient::Intake(slug.to_owned()))
    } else {
        Err(Refusal::Malformed)
    }
}

/// The shape of a tenant slug (identity checks that it exists).
fn is_slug(s: &str) -> bool {
    (2..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// The `References` id that threads every mail of a request in a mail
/// client. Only for threading: it is not signed, so never trusted.
pub fn thread_id(request_id: Uuid) -> String {
    format!("<request.{request_id}@portal>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ReplyKey {
        ReplyKey::new(b"test secret")
    }

    fn unhex_str(s: &str) -> Vec<u8> {
        unhex(s).expect("hex")
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2: a short key.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 1.
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 6: a key longer than a block is hashed first.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        assert_eq!(unhex_str("0aff"), vec![0x0a, 0xff]);
    }

    #[test]
    fn a_token_names_its_request() {
        let id = Uuid::now_v7();
        let token = key().token(id);
        assert_eq!(token.len(), TOKEN_LEN);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(key().verify(&token), Some(id));
        // Mail systems may fold the case of a local part.
        assert_eq!(key().verify(&token.to_ascii_uppercase()), Some(id));
        let address = key().reply_address(id, "in.example");
        assert!(
            address.split('@').next().expect("local").len() <= 64,
            "{address}"
        );
    }

    #[test]
    fn forged_tokens_are_refused() {
        let id = Uuid::now_v7();
        let token = key().token(id);
        // Another secret signed it.
        assert_eq!(ReplyKey::new(b"other secret").verify(&token), None);
        // One character of the signature changed.
        let mut chars: Vec<char> = token.chars().collect();
        let last = chars.len() - 1;
        chars[last] = if chars[last] == '0' { '1' } else { '0' };
        assert_eq!(key().verify(&chars.iter().collect::<String>()), None);
        // Made up, truncated, too long, not hex, empty.
        for bad in [
            "0".repeat(TOKEN_LEN),
            token[..TOKEN_LEN - 2].to_owned(),
            format!("{token}00"),
            format!("{}zz", &token[..TOKEN_LEN - 2]),
            String::new(),
        ] {
            assert_eq!(key().verify(&bad), None, "{bad}");
        }
    }

    #[test]
    fn another_requests_signature_does_not_fit() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let (ta, tb) = (key().token(a), key().token(b));
        // b's id with a's signature.
        let spliced = format!("{}{}", &tb[..32], &ta[32..]);
        assert_eq!(key().verify(&spliced), None);
        assert_eq!(key().verify(&tb), Some(b));
    }

    #[test]
    fn recipients_are_parsed_for_our_domain_only() {
        let id = Uuid::now_v7();
        let k = key();
        let reply = k.reply_address(id, "in.example");
        assert_eq!(
            parse_recipient(&format!("<{reply}>"), "in.example", &k),
            Ok(Recipient::Reply(id))
        );
        assert_eq!(
            parse_recipient(&reply.to_ascii_uppercase(), "in.example", &k),
            Ok(Recipient::Reply(id))
        );
        assert_eq!(
            parse_recipient("acme@in.example", "in.example", &k),
            Ok(Recipient::Intake("acme".into()))
        );
        assert_eq!(
            parse_recipient("<Requests+Acme-Services@IN.example>", "in.example", &k),
            Ok(Recipient::Intake("acme-services".into()))
        );
        assert_eq!(
            parse_recipient(&reply, "other.example", &k),
            Err(Refusal::OtherDomain)
        );
        assert_eq!(
            parse_recipient("acme@in.example.evil", "in.example", &k),
            Err(Refusal::OtherDomain)
        );
        assert_eq!(
            parse_recipient(
                &format!("reply+{}@in.example", "ab".repeat(26)),
                "in.example",
                &k
            ),
            Err(Refusal::ForgedToken)
        );
        for bad in [
            "no-at-sign",
            "x@in.example",
            "a_b@in.example",
            "-acme@in.example",
            "@in.example",
        ] {
            assert!(parse_recipient(bad, "in.example", &k).is_err(), "{bad}");
        }
        assert!(Refusal::ForgedToken.to_string().starts_with("5.1.1 "));
    }

    #[test]
    fn thread_ids_name_the_request() {
        let id = Uuid::now_v7();
        assert_eq!(thread_id(id), format!("<request.{id}@portal>"));
    }
}
