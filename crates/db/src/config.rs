//! Where a database lives: [`DbConfig`], parsed from a URL or a path, and the pool [`Settings`].

use std::path::PathBuf;

/// Where a database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbConfig {
    /// A SQLite file (created if missing, with its directory).
    Sqlite(PathBuf),
    /// PostgreSQL at this URL; `schema`, if set, is created if missing and used as the search
    /// path (tests use a fresh schema per run).
    Postgres {
        /// `postgres://user@host:port/db`.
        url: String,
        /// Schema to use instead of `public`: letters, digits and underscores.
        schema: Option<String>,
    },
    /// A private in-memory SQLite database (tests, throwaway demos).
    Memory,
}

impl DbConfig {
    /// Picks the engine from `s`: `postgres://…`/`postgresql://…` URLs are PostgreSQL;
    /// `:memory:` and `sqlite::memory:` are [`DbConfig::Memory`]; anything else is the path of
    /// a SQLite file (the default), with an optional `sqlite://` or `sqlite:` prefix.
    pub fn parse(s: &str) -> Self {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            DbConfig::Postgres { url: s.to_string(), schema: None }
        } else if s == ":memory:" || s == "sqlite::memory:" || s == "sqlite://:memory:" {
            DbConfig::Memory
        } else {
            let path =
                s.strip_prefix("sqlite://").or_else(|| s.strip_prefix("sqlite:")).unwrap_or(s);
            DbConfig::Sqlite(PathBuf::from(path))
        }
    }

    /// The same configuration in PostgreSQL schema `schema` (no effect on SQLite).
    pub fn with_schema(self, schema: impl Into<String>) -> Self {
        match self {
            DbConfig::Postgres { url, .. } => {
                DbConfig::Postgres { url, schema: Some(schema.into()) }
            }
            other => other,
        }
    }

    /// The engine this configuration opens.
    pub fn backend(&self) -> Backend {
        match self {
            DbConfig::Sqlite(_) | DbConfig::Memory => Backend::Sqlite,
            DbConfig::Postgres { .. } => Backend::Postgres,
        }
    }
}

impl std::str::FromStr for DbConfig {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(DbConfig::parse(s))
    }
}

/// Which engine is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Pool sizes and SQLite tuning. The default suits the Dojo services; the market store asks
/// for a larger SQLite page cache (its backfill rereads recent pool chunks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Connections to a SQLite file (one writer at a time anyway; readers run beside it in
    /// WAL mode).
    pub sqlite_connections: u32,
    /// Connections to PostgreSQL.
    pub postgres_connections: u32,
    /// SQLite page cache per connection, KiB (`None`: SQLite's default, 2 MiB).
    pub sqlite_cache_kib: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { sqlite_connections: 4, postgres_connections: 16, sqlite_cache_kib: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_engine() {
        assert_eq!(
            DbConfig::parse("postgres://u@h/db"),
            DbConfig::Postgres { url: "postgres://u@h/db".into(), schema: None }
        );
        assert_eq!(
            DbConfig::parse("postgresql://u@h:5433/db?sslmode=disable"),
            DbConfig::Postgres {
                url: "postgresql://u@h:5433/db?sslmode=disable".into(),
                schema: None
            }
        );
        assert_eq!(DbConfig::parse("sqlite:///tmp/x.db"), DbConfig::Sqlite("/tmp/x.db".into()));
        assert_eq!(DbConfig::parse("sqlite:data/x.db"), DbConfig::Sqlite("data/x.db".into()));
        assert_eq!(DbConfig::parse("dojo.sqlite"), DbConfig::Sqlite("dojo.sqlite".into()));
        assert_eq!(
            DbConfig::parse("/var/lib/t/m.sqlite"),
            DbConfig::Sqlite("/var/lib/t/m.sqlite".into())
        );
        assert_eq!(DbConfig::parse(":memory:"), DbConfig::Memory);
        assert_eq!(DbConfig::parse("sqlite::memory:"), DbConfig::Memory);
        assert_eq!(
            "postgres://h/db".parse::<DbConfig>().map(|c| c.backend()),
            Ok(Backend::Postgres)
        );
    }

    #[test]
    fn a_path_that_merely_mentions_postgres_is_sqlite() {
        assert_eq!(DbConfig::parse("postgres.sqlite"), DbConfig::Sqlite("postgres.sqlite".into()));
        assert_eq!(DbConfig::parse("./postgres://x"), DbConfig::Sqlite("./postgres://x".into()));
    }

    #[test]
    fn engine_selection() {
        assert_eq!(DbConfig::parse("x.db").backend(), Backend::Sqlite);
        assert_eq!(DbConfig::Memory.backend(), Backend::Sqlite);
        assert_eq!(DbConfig::parse("postgres://h/d").backend(), Backend::Postgres);
    }

    #[test]
    fn schema_applies_to_postgres_only() {
        assert_eq!(
            DbConfig::parse("postgres://h/d").with_schema("t1"),
            DbConfig::Postgres { url: "postgres://h/d".into(), schema: Some("t1".into()) }
        );
        assert_eq!(DbConfig::Memory.with_schema("t1"), DbConfig::Memory);
    }
}
