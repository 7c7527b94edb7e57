//! Who may hand us mail, and whether its `From` is authentic (ADR 0013).
//!
//! The listener does not check SPF, DKIM or DMARC itself: the MTA in front
//! (the trusted relay) does, and writes its verdict into an
//! `Authentication-Results` header (RFC 8601) under its authserv-id. Mail is
//! taken only from that relay's addresses, and only headers carrying its
//! authserv-id are read: anyone can write such a header into a message, but
//! the relay removes (RFC 8601 §5) or outvotes any that claim its name.
//!
//! No maintained crate parses `Authentication-Results` (mail-auth writes
//! them, mail-parser keeps them as text), so this is a small parser of the
//! parts we use: the authserv-id, then `method=result` with `ptype.prop=value`
//! properties, comments and quoted strings allowed. Pure and unit-tested.
use std::net::IpAddr;

use ipnet::IpNet;

/// The relays mail is taken from: addresses or CIDR blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedRelays(Vec<IpNet>);

impl TrustedRelays {
    /// Reads a comma- or space-separated list (`127.0.0.1, 10.0.0.0/8`).
    pub fn parse(list: &str) -> Result<Self, String> {
        let nets = list
            .split([',', ' ', '\n', '\t'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{s:?} is neither an IP address nor a CIDR block"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(nets))
    }

    pub fn allows(&self, peer: IpAddr) -> bool {
        // An IPv4 peer may show up as ::ffff:a.b.c.d on a dual-stack socket.
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
            v4 => v4,
        };
        self.0.iter().any(|net| net.contains(&peer))
    }
}

/// One `method=result` of an `Authentication-Results` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodResult {
    /// Lowercase, without a version (`dkim`, `dmarc`, `spf`).
    pub method: String,
    /// Lowercase (`pass`, `fail`, `none`, ...).
    pub result: String,
    /// `(ptype.property, value)`, the name lowercase (`header.d`).
    pub props: Vec<(String, String)>,
}

impl MethodResult {
    fn prop(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An `Authentication-Results` header: who wrote it and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResults {
    pub authserv_id: String,
    pub results: Vec<MethodResult>,
}

/// Drops comments (nested parentheses) outside quoted strings, and unquotes
/// quoted strings (their text stays, as one token without the quotes).
fn tokens(value: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut chars = value.chars().peekable();
    let mut depth = 0usize;
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(Token::Word(std::mem::take(word)));
        }
    };
    while let Some(c) = chars.next() {
        if depth > 0 {
            match c {
                '\\' => {
                    chars.next();
                }
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            continue;
        }
        match c {
            '(' => {
                flush(&mut word, &mut out);
                depth = 1;
            }
            '"' => {
                while let Some(q) = chars.next() {
                    match q {
                        '\\' => {
                            if let Some(e) = chars.next() {
                                word.push(e);
                            }
                        }
                        '"' => break,
                        _ => word.push(q),
                    }
                }
            }
            ';' => {
                flush(&mut word, &mut out);
                out.push(Token::Semicolon);
            }
            '=' => {
                flush(&mut word, &mut out);
                out.push(Token::Equals);
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Equals,
    Semicolon,
}

/// Parses an `Authentication-Results` value; `None` without an authserv-id.
pub fn parse(value: &str) -> Option<AuthResults> {
    let tokens = tokens(value);
    let mut parts = tokens.split(|t| *t == Token::Semicolon);
    let authserv_id = match parts.next()?.first()? {
        Token::Word(id) => id.to_ascii_lowercase(),
        _ => return None,
    };
    let mut results = Vec::new();
    for part in parts {
        // `name = value` triples; the first is the method and its result.
        let mut pairs = Vec::new();
        let mut i = 0;
        while i < part.len() {
            match part.get(i..i + 3) {
                Some([Token::Word(n), Token::Equals, Token::Word(v)]) => {
                    pairs.push((n.to_ascii_lowercase(), v.clone()));
                    i += 3;
                }
                _ => i += 1,
            }
        }
        let mut pairs = pairs.into_iter();
        let Some((method, result)) = pairs.next() else {
            continue; // `none`, or something we cannot read
        };
        let method = method.split('/').next().unwrap_or_default().to_owned();
        results.push(MethodResult {
            method,
            result: result.to_ascii_lowercase(),
            props: pairs.filter(|(n, _)| n.contains('.')).collect(),
        });
    }
    Some(AuthResults {
        authserv_id,
        results,
    })
}

/// Whether DKIM's signing domain `d` is aligned with the From domain in
/// DMARC's relaxed sense, without a public suffix list: the same domain, or
/// the From domain a subdomain of it (a signer cannot claim a bare TLD: it
/// would need keys published in that TLD's zone).
fn aligned(d: &str, from_domain: &str) -> bool {
    let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
    d.contains('.') && (from_domain == d || from_domain.ends_with(&format!(".{d}")))
}

/// Whether the relay named `authserv_id` vouched for `from` (the single
/// From address): `dmarc=pass` for its domain, or `dkim=pass` with a signing
/// domain aligned to it, and no `dmarc=fail` from the relay.
pub fn from_is_authentic<'a>(
    headers: impl IntoIterator<Item = &'a str>,
    authserv_id: &str,
    from: &str,
) -> bool {
    let Some((_, domain)) = from.rsplit_once('@') else {
        return false;
    };
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if domain.is_empty() {
        return false;
    }
    let ours: Vec<MethodResult> = headers
        .into_iter()
        .filter_map(parse)
        .filter(|a| a.authserv_id.eq_ignore_ascii_case(authserv_id.trim()))
        .flat_map(|a| a.results)
        .collect();
    let dmarc_for_us = |r: &&MethodResult| {
        r.method == "dmarc"
            && r.prop("header.from")
                .is_none_or(|f| f.trim().eq_ignore_ascii_case(&domain))
    };
    if ours.iter().filter(dmarc_for_us).any(|r| r.result == "fail") {
        return false;
    }
    let dmarc_pass = ours.iter().any(|r| {
        r.method == "dmarc"
            && r.result == "pass"
            // A pass must say which From it was for.
            && r.prop("header.from")
                .is_some_and(|f| f.trim().eq_ignore_ascii_case(&domain))
    });
    let dkim_aligned = ours.iter().any(|r| {
        r.method == "dkim"
            && r.result == "pass"
            && r.prop("header.d")
                .or_else(|| {
                    r.prop("header.i")
                        .and_then(|i| i.rsplit_once('@').map(|x| x.1))
                })
                .is_some_and(|d| aligned(d, &domain))
    });
    dmarc_pass || dkim_aligned
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "mx.portal.example";

    #[test]
    fn relays_are_addresses_or_blocks() {
        let r = TrustedRelays::parse("127.0.0.1, 10.1.0.0/16 ::1").expect("parses");
        assert!(r.allows("127.0.0.1".parse().expect("ip")));
        assert!(r.allows("10.1.200.3".parse().expect("ip")));
        assert!(r.allows("::1".parse().expect("ip")));
        assert!(r.allows("::ffff:10.1.0.9".parse().expect("ip")));
        assert!(!r.allows("10.2.0.1".parse().expect("ip")));
        assert!(!r.allows("127.0.0.2".parse().expect("ip")));
        assert!(TrustedRelays::parse("").expect("empty").0.is_empty());
        assert!(TrustedRelays::parse("mx.example.com").is_err());
        assert!(TrustedRelays::parse("10.0.0.0/40").is_err());
    }

    #[test]
    fn a_header_is_read_with_comments_quotes_and_versions() {
        let a = parse(
            "MX.Portal.example 1; spf=pass (sender SPF authorized) smtp.mailfrom=claire@martin.example;\r\n \
             dkim/1=pass (2048-bit key; unprotected) header.d=martin.example header.s=\"s1\";\r\n \
             dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=martin.example",
        )
        .expect("parses");
        assert_eq!(a.authserv_id, "mx.portal.example");
        let methods: Vec<_> = a
            .results
            .iter()
            .map(|r| (r.method.as_str(), r.result.as_str()))
            .collect();
        assert_eq!(
            methods,
            [("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass")]
        );
        assert_eq!(a.results[1].prop("header.s"), Some("s1"));
        assert_eq!(a.results[2].prop("header.from"), Some("martin.example"));
        assert_eq!(parse("mx.example; none").expect("none").results, []);
        assert_eq!(parse("(only a comment)"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn dmarc_pass_from_our_relay_authenticates_the_from() {
        let h = format!("{ID}; dmarc=pass header.from=martin.example");
        assert!(from_is_authentic([h.as_str()], ID, "claire@martin.example"));
        assert!(from_is_authentic([h.as_str()], ID, "Claire@MARTIN.example"));
        // For another From domain, it says nothing.
        assert!(!from_is_authentic([h.as_str()], ID, "claire@evil.example"));
        // A pass that does not say for which From is not enough.
        let h = format!("{ID}; dmarc=pass");
        assert!(!from_is_authentic(
            [h.as_str()],
            ID,
            "claire@martin.example"
        ));
    }

    #[test]
    fn aligned_dkim_authenticates_and_unaligned_does_not() {
        let h = |d: &str| format!("{ID}; spf=fail smtp.mailfrom=x@y; dkim=pass header.d={d}");
        let from = "claire@mail.martin.example";
        assert!(from_is_authentic([h("martin.example").as_str()], ID, from));
        assert!(from_is_authentic(
            [h("mail.martin.example").as_str()],
            ID,
            from
        ));
        assert!(!from_is_authentic([h("evil.example").as_str()], ID, from));
        assert!(!from_is_authentic([h("artin.example").as_str()], ID, from));
        assert!(!from_is_authentic([h("example").as_str()], ID, from));
        let i = format!("{ID}; dkim=pass header.i=@martin.example");
        assert!(from_is_authentic([i.as_str()], ID, from));
        let failed = format!("{ID}; dkim=fail header.d=martin.example");
        assert!(!from_is_authentic([failed.as_str()], ID, from));
    }

    #[test]
    fn spf_alone_and_other_relays_do_not_count() {
        let spf = format!("{ID}; spf=pass smtp.mailfrom=claire@martin.example");
        assert!(!from_is_authentic(
            [spf.as_str()],
            ID,
            "claire@martin.example"
        ));
        let forged = "mx.evil.example; dmarc=pass header.from=martin.example";
        assert!(!from_is_authentic([forged], ID, "claire@martin.example"));
        // A look-alike: the authserv-id is a whole token, not a prefix.
        let prefixed = format!("{ID}.evil; dmarc=pass header.from=martin.example");
        assert!(!from_is_authentic(
            [prefixed.as_str()],
            ID,
            "claire@martin.example"
        ));
        assert!(!from_is_authentic([], ID, "claire@martin.example"));
        assert!(!from_is_authentic(
            [format!("{ID}; dmarc=pass header.from=").as_str()],
            ID,
            "claire@"
        ));
    }

    #[test]
    fn a_dmarc_fail_from_the_relay_outvotes_a_planted_pass() {
        let planted = format!("{ID}; dmarc=pass header.from=martin.example");
        let real = format!(
            "{ID}; dkim=pass header.d=martin.example; dmarc=fail header.from=martin.example"
        );
        assert!(!from_is_authentic(
            [real.as_str(), planted.as_str()],
            ID,
            "claire@martin.example"
        ));
    }
}
