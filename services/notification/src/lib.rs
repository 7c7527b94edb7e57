//! notification: transactional mails (auth mails over gRPC, request and
//! work order mails from events), their delivery log and a sender that retries.

pub mod appointments;
pub mod config;
pub mod digest;
pub mod document_mails;
pub mod events;
pub mod grpc;
pub mod i18n;
pub mod inbound;
pub mod quote_mails;
pub mod quotes;
pub mod refusals;
pub mod relay;
pub mod reply;
pub mod sender;
pub mod smtp_server;
pub mod store;
pub mod templates;

use std::time::Duration;

use anyhow::Context;
use portal_platform::CancellationToken;
use portal_platform::service::Runtime;
use portal_platform::tenancy;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use portal_proto::notification::v1::notification_service_server::NotificationServiceServer;
use tokio::net::TcpListener;

pub use config::Config;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Applies the migrations and returns (`notification migrate`).
pub async fn migrate(cfg: &Config) -> anyhow::Result<()> {
    portal_platform::service::migrate(&cfg.common, &MIGRATIONS).await
}

/// Runs notification on `listener` until `shutdown`.
pub async fn run(
    cfg: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    // Checked before anything starts: a bad setting fails fast.
    let from = cfg
        .mail_from
        .parse()
        .with_context(|| format!("PORTAL_MAIL_FROM {:?} is not a mailbox", cfg.mail_from))?;
    let transport = sender::Transport::from_config(&cfg).await?;
    let replies = cfg.reply_settings();
    if cfg.inbound_smtp_addr.is_some() && replies.is_none() {
        anyhow::bail!("PORTAL_INBOUND_SMTP_ADDR needs PORTAL_INBOUND_DOMAIN");
    }
    let trust = cfg
        .inbound_smtp_addr
        .map(|_| cfg.inbound_trust())
        .transpose()?;
    let rt = Runtime::connect("notification", &cfg.common, &MIGRATIONS).await?;
    let (pool, js) = (rt.pool.clone(), rt.js.clone());
    let service = grpc::Notification {
        pool: pool.clone(),
        authn: rt.authenticator(),
    };
    let directory = events::Directory {
        client: IdentityServiceClient::new(rt.identity.clone()),
        credential: rt.credential.clone(),
    };

    // Background work stops on its own token, cancelled after the server
    // has drained, and is awaited so that a mail in flight gets recorded.
    let background = shutdown.child_token();
    let mut tasks = events::spawn_all(&js, &pool, &directory, replies.as_ref(), &background);
    let links = appointments::Links {
        base: cfg.portal_url(),
    };
    tasks.extend(appointments::spawn_all(
        &js,
        &pool,
        &directory,
        &links,
        &background,
    ));
    tasks.push(tokio::spawn(portal_platform::consumer::run(
        js.clone(),
        pool.clone(),
        portal_platform::consumer::ConsumerSpec::new(refusals::DURABLE, refusals::filter_subject()),
        refusals::RefusedMails {
            pool: pool.clone(),
            directory: directory.clone(),
            links: links.clone(),
        },
        background.clone(),
    )));
    tasks.push(tokio::spawn(portal_platform::consumer::run(
        js.clone(),
        pool.clone(),
        document_mails::spec(),
        document_mails::DocumentMails {
            pool: pool.clone(),
            directory: directory.clone(),
            links: links.clone(),
        },
        background.clone(),
    )));
    for decision in [
        quote_mails::Decision::Accepted,
        quote_mails::Decision::Declined,
    ] {
        tasks.push(tokio::spawn(portal_platform::consumer::run(
            js.clone(),
            pool.clone(),
            decision.spec(),
            quote_mails::QuoteMails {
                decision,
                pool: pool.clone(),
                directory: directory.clone(),
                links: links.clone(),
            },
            background.clone(),
        )));
    }
    if let (Some(addr), Some(replies), Some((relays, authserv_id, limits))) =
        (cfg.inbound_smtp_addr, replies, trust)
    {
        let listener = inbound::Inbound {
            pool: pool.clone(),
            system: rt.system.clone(),
            directory: directory.clone(),
            replies,
            max_bytes: cfg.inbound_max_bytes,
            relays,
            authserv_id,
            limits,
        };
        inbound::spawn(listener, addr, background.clone())?;
    }
    let mailer = sender::Sender {
        // The queue is every tenant's: claimed and marked as the owner.
        pool: rt.system.cross_tenant().clone(),
        transport,
        from,
        retry_base: Duration::from_millis(cfg.retry_base_ms),
        max_attempts: cfg.max_attempts,
        concurrency: cfg.concurrency.max(1),
    };
    tasks.push(tokio::spawn(mailer.run(background.clone())));
    let digests = digest::Digests {
        pool: rt.system.cross_tenant().clone(),
        quiet: Duration::from_secs(cfg.digest_quiet_secs),
    };
    tasks.push(tokio::spawn(digests.run(background.clone())));

    let (router, health) = portal_platform::grpc::base_router(rt.grpc_reflection)?;
    // Each call in its own tenant scope: from the token, or from the
    // message for the services' SendMail (ADR 0018).
    let router = router.add_service(tenancy::Scoped(NotificationServiceServer::new(service)));
    let served = rt
        .serve(
            router,
            health,
            "portal.notification.v1.NotificationService",
            listener,
            shutdown,
        )
        .await;
    background.cancel();
    for task in tasks {
        if let Err(e) = task.await {
            tracing::warn!(error = %e, "background task ended abnormally");
        }
    }
    served
}
