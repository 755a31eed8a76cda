//! Reading and writing values both engines store the same way: amounts and ids as `BIGINT`
//! (`u64` refused above 2⁶³ rather than wrapped), text, bytes (`BLOB`/`BYTEA`).
//!
//! The `get_*` helpers read a named column of a row of either engine; a value this version
//! cannot read becomes [`DbError::BadRow`] naming the table.

use sqlx::{ColumnIndex, Database, Decode, Pool, QueryBuilder, Row, Type};

use crate::error::DbError;

/// `u64` as the `BIGINT` both engines store; values ≥ 2⁶³ are refused
/// ([`DbError::TooLarge`] naming `what`), not wrapped.
pub fn to_i64(value: u64, what: &str) -> Result<i64, DbError> {
    i64::try_from(value).map_err(|_| DbError::TooLarge { what: what.to_string(), value })
}

/// A stored `BIGINT` of `table` back to `u64` (a negative one is a [`DbError::BadRow`]).
pub fn to_u64(value: i64, table: &'static str) -> Result<u64, DbError> {
    u64::try_from(value)
        .map_err(|_| DbError::BadRow { table, what: format!("negative value {value}") })
}

/// A [`DbError::BadRow`] of `table`.
pub fn bad_row(table: &'static str, what: impl std::fmt::Display) -> DbError {
    DbError::BadRow { table, what: what.to_string() }
}

/// Column `col` as `i64`.
pub fn get_i64<R: Row>(row: &R, col: &str) -> Result<i64, DbError>
where
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    Ok(row.try_get::<i64, _>(col)?)
}

/// Column `col` of `table` as `u64` (negative: [`DbError::BadRow`]).
pub fn get_u64<R: Row>(row: &R, col: &str, table: &'static str) -> Result<u64, DbError>
where
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    let v = get_i64(row, col)?;
    u64::try_from(v).map_err(|_| bad_row(table, format!("{col} is negative ({v})")))
}

/// Nullable column `col` as `i64`.
pub fn get_opt_i64<R: Row>(row: &R, col: &str) -> Result<Option<i64>, DbError>
where
    for<'r> Option<i64>: Decode<'r, R::Database>,
    i64: Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    Ok(row.try_get::<Option<i64>, _>(col)?)
}

/// Nullable column `col` of `table` as `u64`.
pub fn get_opt_u64<R: Row>(row: &R, col: &str, table: &'static str) -> Result<Option<u64>, DbError>
where
    for<'r> Option<i64>: Decode<'r, R::Database>,
    i64: Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    get_opt_i64(row, col)?
        .map(|v| u64::try_from(v).map_err(|_| bad_row(table, format!("{col} is negative ({v})"))))
        .transpose()
}

/// Column `col` as text.
pub fn get_str<R: Row>(row: &R, col: &str) -> Result<String, DbError>
where
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    Ok(row.try_get::<String, _>(col)?)
}

/// Column `col` as bytes.
pub fn get_bytes<R: Row>(row: &R, col: &str) -> Result<Vec<u8>, DbError>
where
    for<'r> Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    Ok(row.try_get::<Vec<u8>, _>(col)?)
}

/// Nullable column `col` as bytes.
pub fn get_opt_bytes<R: Row>(row: &R, col: &str) -> Result<Option<Vec<u8>>, DbError>
where
    for<'r> Option<Vec<u8>>: Decode<'r, R::Database>,
    Vec<u8>: Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    Ok(row.try_get::<Option<Vec<u8>>, _>(col)?)
}

/// A [`QueryBuilder`] for `pool`'s engine (inside [`on_db!`](crate::on_db), where the engine
/// is only known through the pool's type).
pub fn query_builder<DB: Database>(_pool: &Pool<DB>, sql: &str) -> QueryBuilder<DB> {
    QueryBuilder::new(sql)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Db, DbConfig};

    #[test]
    fn bigint_bounds() {
        assert_eq!(to_i64(0, "x").unwrap(), 0);
        assert_eq!(to_i64(i64::MAX as u64, "x").unwrap(), i64::MAX);
        let err = to_i64(1 << 63, "tao").unwrap_err();
        assert!(
            matches!(err, DbError::TooLarge { ref what, value } if what == "tao" && value == 1 << 63)
        );
        assert!(err.to_string().contains("tao = 9223372036854775808"), "{err}");
        assert_eq!(to_u64(7, "t").unwrap(), 7);
        assert!(matches!(to_u64(-1, "trades"), Err(DbError::BadRow { table: "trades", .. })));
    }

    #[tokio::test]
    async fn row_helpers_read_both_nulls_and_values_and_name_the_table() {
        let db = Db::open(&DbConfig::Memory).await.unwrap();
        let Db::Sqlite(pool) = &db else { panic!("sqlite expected") };
        let row = sqlx::query("SELECT 5 AS a, -3 AS neg, NULL AS n, 'hi' AS s, x'0102' AS b")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(get_i64(&row, "a").unwrap(), 5);
        assert_eq!(get_u64(&row, "a", "t").unwrap(), 5);
        let err = get_u64(&row, "neg", "blocks").unwrap_err();
        assert!(
            matches!(err, DbError::BadRow { table: "blocks", ref what } if what.contains("neg")),
            "{err}"
        );
        assert_eq!(get_opt_i64(&row, "n").unwrap(), None);
        assert_eq!(get_opt_u64(&row, "a", "t").unwrap(), Some(5));
        assert!(get_opt_u64(&row, "neg", "t").is_err());
        assert_eq!(get_str(&row, "s").unwrap(), "hi");
        assert_eq!(get_bytes(&row, "b").unwrap(), vec![1, 2]);
        assert_eq!(get_opt_bytes(&row, "n").unwrap(), None);
        assert!(matches!(get_i64(&row, "missing"), Err(DbError::Sql(_))));
    }
}
