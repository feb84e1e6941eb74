//! The statements listings and requests share, written once over the record table each passes
//! in: [`record_queries!`](crate::record_queries) expands them in a repository module as plain
//! functions (`find`, `find_many`, `published_ids_after`, `update_fields`, `set_status`,
//! `delete`, `due_for_expiry`, `import_rows`, `delete_import_rows`, `live_versions`). What
//! differs between the two (their list-valued children, their filters) stays in each crate.

/// The shared statements of a record table: `record_queries!(listings, Listing, ListingFields)`
/// in a module that imports the table's schema module, its row type (`Queryable + Selectable`)
/// and its changeset of fields.
#[macro_export]
macro_rules! record_queries {
    ($table:ident, $row:ty, $fields:ty) => {
        /// Rows of an import still loading are left out of every read.
        pub fn find(conn: &mut ::techx_db::DbConn, id: i64) -> ::diesel::QueryResult<Option<$row>> {
            use ::diesel::prelude::*;
            $table::table
                .find(id)
                .filter($crate::loaded!($table))
                .select(<$row>::as_select())
                .first(conn)
                .optional()
        }

        /// The rows of `ids` that exist, in any order.
        pub fn find_many(
            conn: &mut ::techx_db::DbConn,
            ids: &[i64],
        ) -> ::diesel::QueryResult<Vec<$row>> {
            use ::diesel::prelude::*;
            $table::table
                .filter($table::id.eq_any(ids))
                .filter($crate::loaded!($table))
                .select(<$row>::as_select())
                .load(conn)
        }

        /// Ids of published records (as stored; a lapsed one may read `expired`) after
        /// `after`, in id order, at most `limit`.
        pub fn published_ids_after(
            conn: &mut ::techx_db::DbConn,
            after: i64,
            limit: i64,
        ) -> ::diesel::QueryResult<Vec<i64>> {
            use ::diesel::prelude::*;
            $table::table
                .filter($table::status.eq($crate::live::PUBLISHED))
                .filter($table::id.gt(after))
                .order($table::id.asc())
                .limit(limit)
                .select($table::id)
                .load(conn)
        }

        /// Store new fields if the row is still at version `current` (compare and set): false,
        /// and nothing written, when another change came first.
        pub fn update_fields(
            conn: &mut ::techx_db::DbConn,
            id: i64,
            fields: &$fields,
            current: i32,
            now: ::chrono::NaiveDateTime,
        ) -> ::diesel::QueryResult<bool> {
            use ::diesel::prelude::*;
            let updated =
                ::diesel::update($table::table.find(id).filter($table::version.eq(current)))
                    .set((
                        fields,
                        $table::version.eq(current + 1),
                        $table::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            Ok(updated == 1)
        }

        /// The lifecycle columns a transition writes.
        #[derive(Debug, ::diesel::AsChangeset)]
        #[diesel(table_name = $table)]
        struct StatusColumns {
            status: String,
            valid_until: Option<Option<::chrono::NaiveDateTime>>,
            last_confirmed_at: Option<Option<::chrono::NaiveDateTime>>,
            published_at: Option<Option<::chrono::NaiveDateTime>>,
            updated_at: ::chrono::NaiveDateTime,
            version: i32,
        }

        /// Write a lifecycle change if the row is still at the version it was planned from
        /// (compare and set): false, and nothing written, when another change came first.
        pub fn set_status(
            conn: &mut ::techx_db::DbConn,
            id: i64,
            change: &$crate::StatusChange,
        ) -> ::diesel::QueryResult<bool> {
            use ::diesel::prelude::*;
            let columns = StatusColumns {
                status: change.status.as_str().to_owned(),
                valid_until: change.valid_until.map(Some),
                last_confirmed_at: change.last_confirmed_at.map(Some),
                published_at: change.published_at.map(Some),
                updated_at: change.updated_at,
                version: change.from_version + 1,
            };
            let updated = ::diesel::update(
                $table::table
                    .find(id)
                    .filter($table::version.eq(change.from_version)),
            )
            .set(&columns)
            .execute(conn)?;
            Ok(updated == 1)
        }

        /// Delete a draft still at version `current`: false, and nothing deleted, otherwise.
        pub fn delete(
            conn: &mut ::techx_db::DbConn,
            id: i64,
            current: i32,
        ) -> ::diesel::QueryResult<bool> {
            use ::diesel::prelude::*;
            let deleted = ::diesel::delete(
                $table::table
                    .find(id)
                    .filter($table::version.eq(current))
                    .filter($table::status.eq("draft")),
            )
            .execute(conn)?;
            Ok(deleted == 1)
        }

        /// Published records whose validity has passed, oldest first.
        pub fn due_for_expiry(
            conn: &mut ::techx_db::DbConn,
            now: ::chrono::NaiveDateTime,
            limit: i64,
        ) -> ::diesel::QueryResult<Vec<$row>> {
            use ::diesel::prelude::*;
            $table::table
                .filter($crate::lapsed!($table, now))
                .order($table::valid_until.asc())
                .limit(limit)
                .select(<$row>::as_select())
                .load(conn)
        }

        /// Ids of up to `limit` rows of import `batch` (still hidden).
        pub fn import_rows(
            conn: &mut ::techx_db::DbConn,
            batch: i64,
            limit: i64,
        ) -> ::diesel::QueryResult<Vec<i64>> {
            use ::diesel::prelude::*;
            $table::table
                .filter($table::import_id.eq(batch))
                .limit(limit)
                .select($table::id)
                .load(conn)
        }

        /// Delete hidden rows of an import that did not finish (their lists go with them).
        pub fn delete_import_rows(
            conn: &mut ::techx_db::DbConn,
            ids: &[i64],
        ) -> ::diesel::QueryResult<usize> {
            use ::diesel::prelude::*;
            ::diesel::delete(
                $table::table
                    .filter($table::id.eq_any(ids))
                    .filter($table::import_id.is_not_null()),
            )
            .execute(conn)
        }

        /// Of `ids`, the live publications with their version (a narrow read, for anonymous
        /// search).
        pub fn live_versions(
            conn: &mut ::techx_db::DbConn,
            ids: &[i64],
            now: ::chrono::NaiveDateTime,
        ) -> ::diesel::QueryResult<Vec<(i64, i32)>> {
            use ::diesel::prelude::*;
            $table::table
                .filter($table::id.eq_any(ids))
                .filter($crate::live!($table, now))
                .select(($table::id, $table::version))
                .load(conn)
        }
    };
}
