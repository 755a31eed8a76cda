//! [`DbError`]: everything the database layer can report.

/// Failures of the database layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The database refused a query or the connection failed.
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    /// The directory of a SQLite file could not be created.
    #[error("cannot create the database directory {path}: {source}")]
    Dir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A configuration value or argument is unusable.
    #[error("{0}")]
    Invalid(String),
    /// A stored row holds a value this version cannot read.
    #[error("bad stored row in {table}: {what}")]
    BadRow {
        /// Table.
        table: &'static str,
        /// What is wrong.
        what: String,
    },
    /// A value does not fit the signed 64-bit integers (`BIGINT`) both engines store.
    #[error("{what} = {value} does not fit in a signed 64-bit column (at most {max})", max = i64::MAX)]
    TooLarge {
        /// Which value.
        what: String,
        /// The value.
        value: u64,
    },
    /// A migration of `component` failed; each migration runs in its own transaction, so the
    /// database is left at the previous version.
    #[error("migrating {component} failed: {source}; the database is left at the previous version")]
    Migrate {
        /// The component whose migrations failed.
        component: &'static str,
        /// Why (sqlx's report, with the version).
        source: sqlx::migrate::MigrateError,
    },
    /// A database made by the old migration runner records versions this build cannot map
    /// onto its migrations, so it cannot be adopted without guessing.
    #[error(
        "{component}: the old migration table {table} records versions {recorded:?}, but this build's migrations up to there are {expected:?}; open it with the build that made it, or restore a backup"
    )]
    Baseline {
        /// The component.
        component: &'static str,
        /// The old runner's table.
        table: &'static str,
        /// Versions the old table records.
        recorded: Vec<i64>,
        /// Versions this build has up to the highest recorded one.
        expected: Vec<i64>,
    },
}
