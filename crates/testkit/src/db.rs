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
}

impl Databases {
    /// Creates `portal_test_<run>_<service>` for each service.
    pub async fn create(services: &[&str]) -> anyhow::Result<Self> {
        let admin = admin_url();
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
        Ok(Self { admin, names })
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
        Ok(())
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
