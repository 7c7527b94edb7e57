//! The ceiling: the least a Rust HTTP service can do per request here, a bare
//! axum handler running one primary-key SELECT on the same requests table,
//! with the same pool size as a service's default. The portal's figures are
//! read against it, measured on the same machine in the same run.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Json;
use axum::routing::get;
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::net::TcpListener;
use uuid::Uuid;

/// `PORTAL_DB_MAX_CONNECTIONS`' default in every service.
const POOL_SIZE: u32 = 10;

pub async fn serve(listener: TcpListener, database_url: &str) -> anyhow::Result<()> {
    // Lazy: the requests table appears only once the requests service has
    // migrated its database, after this server starts.
    let pool = PgPoolOptions::new()
        .max_connections(POOL_SIZE)
        .connect_lazy(database_url)?;
    let app = Router::new()
        .route("/requests/{id}", get(one))
        .with_state(pool);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn one(State(pool): State<PgPool>, Path(id): Path<Uuid>) -> Result<Json<Value>, StatusCode> {
    let row: Option<(Uuid, String, String)> =
        sqlx::query_as("SELECT id, title, status FROM requests WHERE id = $1")
            .bind(id)
            .fetch_optional(&pool)
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let (id, title, status) = row.ok_or(StatusCode::NOT_FOUND)?;
    Ok(Json(json!({"id": id, "title": title, "status": status})))
}
