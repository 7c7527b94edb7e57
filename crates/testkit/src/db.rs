//! One fresh database per service per test stack, on the real server.
use sqlx::{Connection, PgConnection};

/// The server tests use: `PORTAL_TEST_DATABASE_URL`, else `DATABASE_URL`,
/// else the local default.
pub fn admin_url() -> String {
    std::env::var("PORTAL_TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `admin_url` with its database name replaced.
pub fn url_for(admin: &str, database: &str) -> String {
    let (base, query) = admin
        .split_once('?')
        .map_or((admin, None), |(b, q)| (b, Some(q)));
    let root = base.rsplit_once('/').map_or(base, |(r, _)| r);
    match query {
        Some(q) => format!("{root}/{database}?{q}"),
        None => format!("{root}/{database}"),
    }
}

pub struct Databases {
    admin: String,
    pub names: Vec<String>,
    dropped: std::sync::atomic::AtomicBool,
}

impl Databases {
    /// Creates `portal_test_<run>_<service>` for each service.
    pub async fn create(services: &[&str]) -> anyhow::Result<Self> {
        Self::create_on(admin_url(), services).await
    }

    /// The same on the server of `admin` (a superuser's URL).
    pub async fn create_on(admin: String, services: &[&str]) -> anyhow::Result<Self> {
        let run = uuid::Uuid::new_v4().simple().to_string();
        let mut conn = PgConnection::connect(&admin).await?;
        let mut names = Vec::new();
        for s in services {
            let name = format!("portal_test_{}_{}", &run[..12], s.replace('-', "_"));
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await?;
            names.push(name);
        }
        Ok(Self {
            admin,
            names,
            dropped: std::sync::atomic::AtomicBool::new(false),
        })
    }

    pub fn url(&self, index: usize) -> String {
        url_for(&self.admin, &self.names[index])
    }

    /// Drops the databases (connections must be closed first).
    pub async fn drop_all(&self) -> anyhow::Result<()> {
        let mut conn = PgConnection::connect(&self.admin).await?;
        for name in &self.names {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await?;
        }
        self.dropped
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

/// A test that ends without `Stack::stop` (or fails half-way) still leaves
/// no database behind: they are dropped from a thread of their own, since
/// `Drop` cannot await.
impl Drop for Databases {
    fn drop(&mut self) {
        if self.dropped.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let this = Self {
            admin: self.admin.clone(),
            names: std::mem::take(&mut self.names),
            dropped: std::sync::atomic::AtomicBool::new(true),
        };
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match rt {
                Ok(rt) => {
                    if let Err(e) = rt.block_on(this.drop_all()) {
                        eprintln!("test databases {:?} not dropped: {e:#}", this.names);
                    }
                }
                Err(e) => eprintln!("no runtime to drop test databases: {e}"),
            }
        });
        let _ = cleanup.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_swapped() {
        assert_eq!(
            url_for("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            url_for("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
