//! A consumer of one event type (house.md: typed consumers). The runner
//! owns what every consumer repeated: decoding (a payload that does not
//! decode is parked at once), the transaction and the inbox claim (a
//! redelivered event is applied once); the handler only applies the event.
use prost::Message;
use sqlx::{PgPool, Postgres, Transaction};

use crate::CancellationToken;
use crate::consumer::{self, ConsumerSpec, HandleError, Handler};
use crate::event_types::{DomainEvent, filter};
use crate::events::Envelope;

pub trait EventHandler: Send + Sync + 'static {
    type Event: DomainEvent + Send;
    /// The durable consumer's name, shared by every replica:
    /// `<service>-<aggregate>-<event>`.
    const DURABLE: &'static str;

    /// Applies `event` in `tx`, which commits it together with the claim.
    fn apply(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        envelope: &Envelope,
        event: Self::Event,
    ) -> impl Future<Output = Result<(), HandleError>> + Send;
}

/// Runs `handler` on its durable consumer until `shutdown`.
pub async fn run<H: EventHandler>(
    js: async_nats::jetstream::Context,
    pool: PgPool,
    handler: H,
    shutdown: CancellationToken,
) {
    let spec = ConsumerSpec::new(H::DURABLE, filter::<H::Event>());
    let typed = Typed {
        pool: pool.clone(),
        handler,
    };
    consumer::run(js, pool, spec, typed, shutdown).await;
}

struct Typed<H> {
    pool: PgPool,
    handler: H,
}

impl<H: EventHandler> Handler for Typed<H> {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        let event =
            H::Event::decode(payload).map_err(|e| HandleError::Poison(anyhow::Error::new(e)))?;
        let mut tx = self.pool.begin().await?;
        if consumer::claim(&mut tx, H::DURABLE, envelope.id).await? {
            self.handler.apply(&mut tx, envelope, event).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
