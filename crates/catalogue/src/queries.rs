//! The statements listings and requests share, written once over the record table each passes
//! in: [`record_queries!`](crate::record_queries) expands them in a repository module as plain
//! functions (`find`, `find_many`, `published_ids_after`, `update_fields`, `set_status`,
//! `delete`, `due_for_expiry`, `import_rows`, `delete_import_rows`, `live_versions`), and
//! [`record_list!`](crate::record_list) the sorted, paged list; the filters both lists take
//! are [`common_filters!`](crate::common_filters), [`with_codes!`](crate::with_codes) and
//! [`money_range!`](crate::money_range). What differs (list-valued children, the maturity and
//! money columns, a request's anonymity) stays in each crate.

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

/// The part of a list's filter every record table shares, applied to a boxed query over
/// `$table`: the caller's scope (live records for all; their own in any status; staff every
/// loaded row), the status (`published` means live, `expired` includes lapsed publications),
/// kind, organization, province and `updated_since`.
#[macro_export]
macro_rules! common_filters {
    ($query:ident, $table:ident, $scope:expr, $filter:expr, $now:expr) => {{
        use ::diesel::prelude::*;
        let live = $crate::live!($table, $now);
        // Anonymous callers get the plain `live` condition, which the (status, …) indexes
        // serve. Rows of an import still loading are drafts: only the scopes that see drafts
        // need to leave them out.
        match $scope {
            $crate::records::Scope::All => $query = $query.filter($crate::loaded!($table)),
            $crate::records::Scope::PublishedAndOwn(orgs) if orgs.is_empty() => {
                $query = $query.filter(live)
            }
            $crate::records::Scope::PublishedAndOwn(orgs) => {
                $query = $query.filter(
                    live.or($table::organization_id
                        .eq_any(orgs.clone())
                        .and($crate::loaded!($table))),
                )
            }
        }
        match $filter.status.as_deref() {
            // `published` means live; a publication past its validity reads as `expired`.
            Some("published") => $query = $query.filter(live),
            Some("expired") => {
                $query = $query.filter(
                    $table::status
                        .eq("expired")
                        .or($crate::lapsed!($table, $now)),
                )
            }
            Some(status) => $query = $query.filter($table::status.eq(status.to_owned())),
            None => {}
        }
        if let Some(kind) = &$filter.kind {
            $query = $query.filter($table::kind.eq(kind.clone()));
        }
        if let Some(org) = $filter.organization_id {
            $query = $query.filter($table::organization_id.eq(org));
        }
        if let Some(province) = &$filter.province_code {
            $query = $query.filter($table::province_code.eq(province.clone()));
        }
        if let Some(since) = $filter.updated_since {
            $query = $query.filter($table::updated_at.ge(since));
        }
    }};
}

/// The rows of child table `$table` (codes, keywords, IP assets) of the records `$ids`,
/// grouped by record (`$key`), each record's in `$order`: one query.
#[macro_export]
macro_rules! children_of {
    ($conn:expr, $table:ident, $key:ident, $row:ty, $ids:expr, ($($order:ident),+)) => {{
        use ::diesel::prelude::*;
        $table::table
            .filter($table::$key.eq_any($ids))
            .order(($table::$key, $($table::$order),+))
            .select(<$row>::as_select())
            .load::<$row>($conn)
            .map(|rows| {
                let mut by_record = ::std::collections::HashMap::<i64, Vec<$row>>::new();
                for row in rows {
                    by_record.entry(row.$key).or_default().push(row);
                }
                by_record
            })
    }};
}

/// Insert `$rows` into child table `$table`, one statement a row.
#[macro_export]
macro_rules! insert_rows {
    ($conn:expr, $table:ident, $rows:expr) => {{
        use ::diesel::prelude::*;
        let mut result = Ok(());
        for row in $rows {
            if let Err(error) = ::diesel::insert_into($table::table)
                .values(row)
                .execute($conn)
            {
                result = Err(error);
                break;
            }
        }
        result
    }};
}

/// Records of `$table` holding any of `$codes` in list `$list` of their codes table
/// (`$codes_table`, keyed by `$key`): `id IN (subquery)`, not a correlated EXISTS — evaluated
/// once, it is an order of magnitude faster on SQLite (docs/benchmarks.md).
#[macro_export]
macro_rules! with_codes {
    ($table:ident, $codes_table:ident, $key:ident, $list:expr, $codes:expr) => {
        $table::id.eq_any(
            $codes_table::table
                .filter($codes_table::list.eq($list))
                .filter($codes_table::code.eq_any($codes))
                .select($codes_table::$key),
        )
    };
}

/// A money range filter over a record's `[$min, $max]` columns: a missing min means "up to
/// max", a missing max means "from min"; a record with neither matches no range filter.
#[macro_export]
macro_rules! money_range {
    ($query:ident, $table:ident, $min:ident, $max:ident, $low:expr, $high:expr) => {{
        let (low, high): (Option<i64>, Option<i64>) = ($low, $high);
        if low.is_some() || high.is_some() {
            $query = $query.filter($table::$min.is_not_null().or($table::$max.is_not_null()));
        }
        if let Some(low) = low {
            $query = $query.filter($table::$max.ge(low).or($table::$max.is_null()));
        }
        if let Some(high) = high {
            $query = $query.filter($table::$min.le(high).or($table::$min.is_null()));
        }
    }};
}

/// `pub fn list(conn, scope, filter, sort, paging, now)`: a page of `$row`s of `$table` in the
/// sort asked for (ties by id), with the exact total, over the module's own
/// `filtered(scope, filter, now)`.
#[macro_export]
macro_rules! record_list {
    ($table:ident, $row:ty, $filter:ty) => {
        /// A page of records and the exact total.
        pub fn list(
            conn: &mut ::techx_db::DbConn,
            scope: &$crate::records::Scope,
            filter: &$filter,
            sort: $crate::records::Sort,
            paging: ::techx_core::page::Paging,
            now: ::chrono::NaiveDateTime,
        ) -> ::diesel::QueryResult<(Vec<$row>, i64)> {
            use ::diesel::prelude::*;
            use $crate::records::SortKey;
            let total = filtered(scope, filter, now).count().get_result(conn)?;
            let query = filtered(scope, filter, now);
            let query = match (sort.key, sort.descending) {
                (SortKey::UpdatedAt, false) => {
                    query.order(($table::updated_at.asc(), $table::id.asc()))
                }
                (SortKey::UpdatedAt, true) => {
                    query.order(($table::updated_at.desc(), $table::id.desc()))
                }
                (SortKey::PublishedAt, false) => {
                    query.order(($table::published_at.asc(), $table::id.asc()))
                }
                (SortKey::PublishedAt, true) => {
                    query.order(($table::published_at.desc(), $table::id.desc()))
                }
                (SortKey::Title, false) => query.order(($table::title.asc(), $table::id.asc())),
                (SortKey::Title, true) => query.order(($table::title.desc(), $table::id.desc())),
            };
            let rows = query
                .limit(paging.limit)
                .offset(paging.offset)
                .select(<$row>::as_select())
                .load(conn)?;
            Ok((rows, total))
        }
    };
}

/// The storage half of a [`Catalogue`](crate::Catalogue) impl, handed to the record's
/// repository module: `stored_in!(repo, Listing, ListingForm, NewListingMeta)` inside
/// `impl Catalogue for …` writes `find`, `find_many`, `published_ids_after`, `forms`, `insert`,
/// `update`, `set_status`, `delete`, `live_versions`, `import_rows`, `delete_import_rows`,
/// `due_for_expiry` and `list`. The repository has the statements of
/// [`record_queries!`](crate::record_queries) and [`record_list!`](crate::record_list) and
/// its own `insert`, `load_children` and `replace_children`; `to_form(row, &children)` and the
/// `Valid { fields, children }` of the impl are in scope where it expands.
#[macro_export]
macro_rules! stored_in {
    ($repo:ident, $row:ty, $form:ty, $meta:ident) => {
        fn find(
            conn: &mut ::techx_db::DbConn,
            id: i64,
        ) -> Result<Option<$row>, $crate::records::RecordError> {
            Ok($repo::find(conn, id)?)
        }

        fn find_many(
            conn: &mut ::techx_db::DbConn,
            ids: &[i64],
        ) -> Result<Vec<$row>, $crate::records::RecordError> {
            Ok($repo::find_many(conn, ids)?)
        }

        fn published_ids_after(
            conn: &mut ::techx_db::DbConn,
            after: i64,
            limit: i64,
        ) -> Result<Vec<i64>, $crate::records::RecordError> {
            Ok($repo::published_ids_after(conn, after, limit)?)
        }

        fn forms(
            conn: &mut ::techx_db::DbConn,
            rows: &[$row],
        ) -> Result<Vec<$form>, $crate::records::RecordError> {
            let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
            let children = $repo::load_children(conn, &ids)?;
            rows.iter().map(|row| to_form(row, &children)).collect()
        }

        fn insert(
            conn: &mut ::techx_db::DbConn,
            valid: &Valid,
            organization: ::techx_core::OrganizationId,
            created_by: Option<i64>,
            now: ::chrono::NaiveDateTime,
            import: Option<i64>,
        ) -> Result<$row, $crate::records::RecordError> {
            let meta = $meta {
                organization_id: organization.0,
                status: ::techx_core::codes::RecordStatus::Draft.as_str().to_owned(),
                created_by,
                created_at: now,
                updated_at: now,
                version: 1,
                import_id: import,
            };
            Ok($repo::insert(conn, &valid.fields, &meta, &valid.children)?)
        }

        fn update(
            conn: &mut ::techx_db::DbConn,
            id: i64,
            valid: &Valid,
            current: i32,
            now: ::chrono::NaiveDateTime,
        ) -> Result<bool, $crate::records::RecordError> {
            if !$repo::update_fields(conn, id, &valid.fields, current, now)? {
                return Ok(false);
            }
            $repo::replace_children(conn, id, &valid.children)?;
            Ok(true)
        }

        fn set_status(
            conn: &mut ::techx_db::DbConn,
            id: i64,
            change: &$crate::StatusChange,
        ) -> Result<bool, $crate::records::RecordError> {
            Ok($repo::set_status(conn, id, change)?)
        }

        fn delete(
            conn: &mut ::techx_db::DbConn,
            id: i64,
            current: i32,
        ) -> Result<bool, $crate::records::RecordError> {
            Ok($repo::delete(conn, id, current)?)
        }

        fn live_versions(
            conn: &mut ::techx_db::DbConn,
            ids: &[i64],
            now: ::chrono::NaiveDateTime,
        ) -> Result<Vec<(i64, i32)>, $crate::records::RecordError> {
            Ok($repo::live_versions(conn, ids, now)?)
        }

        fn import_rows(
            conn: &mut ::techx_db::DbConn,
            batch: i64,
            limit: i64,
        ) -> Result<Vec<i64>, $crate::records::RecordError> {
            Ok($repo::import_rows(conn, batch, limit)?)
        }

        fn delete_import_rows(
            conn: &mut ::techx_db::DbConn,
            ids: &[i64],
        ) -> Result<usize, $crate::records::RecordError> {
            Ok($repo::delete_import_rows(conn, ids)?)
        }

        fn due_for_expiry(
            conn: &mut ::techx_db::DbConn,
            now: ::chrono::NaiveDateTime,
            limit: i64,
        ) -> Result<Vec<$row>, $crate::records::RecordError> {
            Ok($repo::due_for_expiry(conn, now, limit)?)
        }

        fn list(
            conn: &mut ::techx_db::DbConn,
            scope: &$crate::records::Scope,
            filter: &Self::Filter,
            sort: $crate::records::Sort,
            paging: ::techx_core::page::Paging,
            now: ::chrono::NaiveDateTime,
        ) -> Result<(Vec<$row>, i64), $crate::records::RecordError> {
            Ok($repo::list(conn, scope, filter, sort, paging, now)?)
        }
    };
}
