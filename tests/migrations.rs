//! Both migration sets build the same schema: tables, columns, types, nullability, keys. The
//! SQLite half runs everywhere; the comparison with PostgreSQL needs PostgreSQL.

use crate::common::*;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use std::collections::BTreeSet;
use tinnhiem::db::{self, DbConn, Manager};
use tinnhiem::DatabaseUrl;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    columns: String,
}

/// One comparable line per fact of the schema.
fn schema(conn: &mut DbConn) -> BTreeSet<String> {
    let (columns_sql, keys_sql) = match conn {
        DbConn::Sqlite(_) => (
            "SELECT m.name AS table_name, p.name AS column_name, lower(p.type) AS data_type,
                    (p.\"notnull\" OR p.pk > 0) AS not_null
             FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
               AND m.name <> '__diesel_schema_migrations'",
            "SELECT m.name AS table_name, 'primary key' AS kind,
                    (SELECT group_concat(name, ',') FROM
                        (SELECT name FROM pragma_table_info(m.name) WHERE pk > 0 ORDER BY name))
                    AS columns
             FROM sqlite_master m
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
               AND m.name <> '__diesel_schema_migrations'
             UNION ALL
             SELECT m.name, 'unique',
                    (SELECT group_concat(name, ',') FROM
                        (SELECT name FROM pragma_index_info(i.name) ORDER BY name))
             FROM sqlite_master m, pragma_index_list(m.name) i
             WHERE m.type = 'table' AND i.\"unique\" AND i.origin = 'u'
             UNION ALL
             SELECT m.name, 'foreign key ' || f.\"table\", f.\"from\"
             FROM sqlite_master m, pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table'",
        ),
        DbConn::Pg(_) => (
            "SELECT table_name::text, column_name::text,
                    CASE data_type WHEN 'timestamp without time zone' THEN 'timestamp'
                                   ELSE data_type::text END AS data_type,
                    CASE WHEN is_nullable = 'NO' THEN 1::int8 ELSE 0::int8 END AS not_null
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
            "SELECT tc.table_name::text,
                    CASE tc.constraint_type WHEN 'FOREIGN KEY' THEN 'foreign key ' || ccu.table_name
                                            ELSE lower(tc.constraint_type) END AS kind,
                    string_agg(DISTINCT kcu.column_name::text, ',' ORDER BY kcu.column_name::text) AS columns
             FROM information_schema.table_constraints tc
             JOIN information_schema.key_column_usage kcu
               ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
             LEFT JOIN information_schema.constraint_column_usage ccu
               ON ccu.constraint_name = tc.constraint_name AND tc.constraint_type = 'FOREIGN KEY'
             WHERE tc.table_schema = 'public' AND tc.table_name <> '__diesel_schema_migrations'
               AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
             GROUP BY tc.table_name, tc.constraint_name, tc.constraint_type, ccu.table_name",
        ),
    };
    let mut facts = BTreeSet::new();
    for c in diesel::sql_query(columns_sql).load::<Column>(conn).unwrap() {
        facts.insert(format!(
            "{}.{} {}{}",
            c.table_name,
            c.column_name,
            c.data_type,
            if c.not_null != 0 { " not null" } else { "" }
        ));
    }
    for k in diesel::sql_query(keys_sql).load::<Key>(conn).unwrap() {
        facts.insert(format!("{} {} ({})", k.table_name, k.kind, k.columns));
    }
    facts
}

/// The schema SQLite's migrations build, in a fresh file in `dir`.
fn sqlite_schema(dir: &std::path::Path) -> BTreeSet<String> {
    let mut sqlite = Manager::new(DatabaseUrl::Sqlite(dir.join("s.db")))
        .connect()
        .unwrap();
    db::migrate(&mut sqlite).unwrap();
    schema(&mut sqlite)
}

#[test]
fn sqlite_migrations_build_the_expected_schema() {
    let dir = tempfile::tempdir().unwrap();
    let lite = sqlite_schema(dir.path());
    assert!(lite.contains("ballots.marks text not null"), "{lite:#?}");
    assert!(
        lite.contains("electors primary key (member_id,vote_id)"),
        "{lite:#?}"
    );
    assert!(lite.contains("members unique (username)"), "{lite:#?}");
    assert!(
        lite.contains("subject_counts primary key (choice,subject_id,vote_id)"),
        "{lite:#?}"
    );
    assert!(
        lite.contains("subject_counts.total integer not null"),
        "{lite:#?}"
    );
}

#[test]
#[ignore = "needs PostgreSQL: set TINNHIEM_TEST_POSTGRES"]
fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let lite = sqlite_schema(dir.path());
    let pg_db = TestDb::postgres();
    let mut pg = pg_db.connect();
    db::migrate(&mut pg).unwrap();
    let post = schema(&mut pg);
    let only_sqlite: Vec<_> = lite.difference(&post).collect();
    let only_pg: Vec<_> = post.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "only in SQLite: {only_sqlite:#?}\nonly in PostgreSQL: {only_pg:#?}"
    );
}
