//! NATS users per service (ADR 0017): each may publish only the events it
//! emits and use the JetStream API of the PORTAL stream for its consumers;
//! the gateway only subscribes for live updates. Nobody but notification
//! publishes `mail.received`, which opens requests by mail.
use crate::Service;

/// The event subjects `service` publishes (its outbox's aggregates).
pub fn publishes(service: Service) -> &'static [&'static str] {
    match service {
        Service::Identity => &[
            "portal.*.contact.>",
            "portal.*.account.>",
            "portal.*.customer.>",
            "portal.*.site.>",
        ],
        Service::Requests => &["portal.*.request.>"],
        Service::WorkOrders => &[
            "portal.*.work_order.>",
            "portal.*.equipment.>",
            "portal.*.inspection.>",
        ],
        Service::Documents => &[
            "portal.*.document.>",
            "portal.*.quote.>",
            "portal.*.invoice.>",
            "portal.*.kb.>",
        ],
        Service::Notification => &["portal.*.mail.received"],
        Service::Gateway => &[],
    }
}

/// What a backend needs of JetStream: to find the stream (made and kept to
/// its settings by the deploy step `provision-events` as `admin`, ADR 0024;
/// a service can neither create nor change it), its durable pull consumers,
/// and acks.
const JETSTREAM_API: [&str; 7] = [
    "$JS.API.INFO",
    "$JS.API.STREAM.INFO.PORTAL",
    "$JS.API.CONSUMER.INFO.PORTAL.*",
    "$JS.API.CONSUMER.CREATE.PORTAL.>",
    "$JS.API.CONSUMER.DURABLE.CREATE.PORTAL.*",
    "$JS.API.CONSUMER.MSG.NEXT.PORTAL.*",
    "$JS.ACK.PORTAL.>",
];

/// The `(publish, subscribe)` allow lists of `service`.
pub fn permissions(service: Service) -> (Vec<&'static str>, Vec<&'static str>) {
    // Replies (JetStream answers, publish acks, pulled messages) come to inboxes.
    let mut subscribe = vec!["_INBOX.>"];
    if service == Service::Gateway {
        // Live updates of open pages only; it publishes nothing.
        subscribe.extend(["portal.*.request.>", "portal.*.work_order.>"]);
        return (Vec::new(), subscribe);
    }
    let mut publish = publishes(service).to_vec();
    publish.extend(JETSTREAM_API);
    (publish, subscribe)
}

/// The `authorization` block of a nats-server configuration: one user per
/// service with its password, plus `admin` users (tests, operators) without
/// limits.
pub fn authorization(services: &[(Service, String)], admins: &[(&str, String)]) -> String {
    let admins = admins
        .iter()
        .map(|(name, password)| (*name, quote(password)))
        .collect::<Vec<_>>();
    let services = services
        .iter()
        .map(|(service, password)| (*service, quote(password)))
        .collect::<Vec<_>>();
    block(&admins, &services)
}

/// The environment variable a configuration from [`authorization_from_env`]
/// reads `user`'s password from: `NATS_PASSWORD_WORK_ORDERS`.
pub fn password_variable(user: &str) -> String {
    format!(
        "NATS_PASSWORD_{}",
        user.to_ascii_uppercase().replace('-', "_")
    )
}

/// The same block for a deployment (compose, the chart): every service and
/// `admin`, each password read by nats-server from the environment
/// ([`password_variable`]); a variable left unset stops the server at start.
pub fn authorization_from_env() -> String {
    let variable = |user: &str| format!("${}", password_variable(user));
    let services = Service::ALL
        .into_iter()
        .map(|service| (service, variable(service.name())))
        .collect::<Vec<_>>();
    block(&[("admin", variable("admin"))], &services)
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `passwords` are already in configuration syntax (quoted, or `$VARIABLE`).
fn block(admins: &[(&str, String)], services: &[(Service, String)]) -> String {
    let list = |items: &[&str]| {
        items
            .iter()
            .map(|s| quote(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut users = Vec::new();
    for (name, password) in admins {
        users.push(format!(
            "    {{ user: {}, password: {password} }}",
            quote(name)
        ));
    }
    for (service, password) in services {
        let (publish, subscribe) = permissions(*service);
        // An empty allow list would allow everything: deny instead.
        let publish = if publish.is_empty() {
            "deny: [\">\"]".to_owned()
        } else {
            format!("allow: [{}]", list(&publish))
        };
        users.push(format!(
            "    {{ user: {}, password: {password}, permissions: {{ publish: {{ {publish} }}, subscribe: {{ allow: [{}] }} }} }}",
            quote(service.name()),
            list(&subscribe)
        ));
    }
    format!(
        "authorization {{\n  users: [\n{}\n  ]\n}}\n",
        users.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_notification_publishes_mail_received() {
        for service in Service::ALL {
            let (publish, _) = permissions(service);
            let may = publish.contains(&"portal.*.mail.received");
            assert_eq!(may, service == Service::Notification, "{service}");
            assert!(!publish.contains(&">"), "{service}");
            assert!(
                !publish.iter().any(|p| p.starts_with("portal.*.*")),
                "{service}"
            );
        }
        let (publish, subscribe) = permissions(Service::Gateway);
        assert!(publish.is_empty());
        assert!(subscribe.contains(&"portal.*.request.>"));
    }

    #[test]
    fn no_service_makes_or_changes_the_stream() {
        for service in Service::ALL {
            let (publish, _) = permissions(service);
            assert!(
                !publish
                    .iter()
                    .any(|p| p.starts_with("$JS.API.STREAM.")
                        && !p.starts_with("$JS.API.STREAM.INFO.")),
                "{service}: {publish:?}"
            );
        }
    }

    #[test]
    fn the_block_names_every_user() {
        let block = authorization(
            &[
                (Service::Gateway, "g-pass".into()),
                (Service::Notification, "n-pass".into()),
            ],
            &[("admin", "a-pass".into())],
        );
        assert!(block.contains("user: \"gateway\", password: \"g-pass\""));
        assert!(block.contains("publish: { deny: [\">\"] }"));
        assert!(block.contains("\"portal.*.mail.received\""));
        assert!(block.contains("user: \"admin\", password: \"a-pass\" }"));
    }

    #[test]
    fn a_deployment_reads_every_password_from_the_environment() {
        let block = authorization_from_env();
        for user in Service::ALL.map(Service::name).into_iter().chain(["admin"]) {
            let line = format!("user: \"{user}\", password: ${},", password_variable(user));
            let line = if user == "admin" {
                line.trim_end_matches(',').to_owned() + " }"
            } else {
                line
            };
            assert!(block.contains(&line), "{user}: {block}");
        }
        assert_eq!(
            password_variable("work-orders"),
            "NATS_PASSWORD_WORK_ORDERS"
        );
    }
}
