//! Alerts: a user saves a search or marks a request; when a newly published listing matches it
//! above the subscription's threshold, an alert is recorded for that user. The matching itself is
//! done by the caller of [`Brokerage::record_alert`] (the API's sweep), with the matching engine.

use crate::dto::bounds::{ALERT_QUERY, ALERT_SCI_FIELDS, THRESHOLD};
use crate::dto::{AlertKind, AlertSubscriptionForm, AlertSubscriptionView, AlertView};
use crate::{Brokerage, db, request_party, text, utc};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use techx_accounts::Actor;
use techx_catalogue::live;
use techx_catalogue::records::RecordError;
use techx_core::clock;
use techx_core::error::FieldError;
use techx_core::page::{Page, Paging};
use techx_core::{AlertId, AlertSubscriptionId, ListingId, RequestId};
use techx_db::MultiBackend;
use techx_db::schema::{alert_subscriptions, alerts, listings, requests};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = alert_subscriptions)]
struct SubscriptionRow {
    id: i64,
    user_id: i64,
    kind: String,
    query: Option<String>,
    sci_fields: String,
    request_id: Option<i64>,
    threshold: f64,
    checked_until: NaiveDateTime,
    created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = alerts)]
struct AlertRow {
    id: i64,
    subscription_id: i64,
    listing_id: i64,
    score: f64,
    explanation: String,
    created_at: NaiveDateTime,
}

/// A subscription as the sweep sees it.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: i64,
    pub user_id: i64,
    pub kind: AlertKind,
    pub query: Option<String>,
    pub sci_fields: Vec<String>,
    pub request_id: Option<RequestId>,
    pub threshold: f64,
    pub checked_until: NaiveDateTime,
}

fn kind_of(value: &str) -> Result<AlertKind, RecordError> {
    match value {
        "search" => Ok(AlertKind::Search),
        "request" => Ok(AlertKind::Request),
        other => Err(RecordError::Corrupt(format!("alert kind {other}"))),
    }
}

fn subscription(row: SubscriptionRow) -> Result<Subscription, RecordError> {
    Ok(Subscription {
        id: row.id,
        user_id: row.user_id,
        kind: kind_of(&row.kind)?,
        query: row.query,
        sci_fields: serde_json::from_str(&row.sci_fields)
            .map_err(|e| RecordError::Corrupt(e.to_string()))?,
        request_id: row.request_id.map(RequestId),
        threshold: row.threshold,
        checked_until: row.checked_until,
    })
}

fn subscription_view(row: SubscriptionRow) -> Result<AlertSubscriptionView, RecordError> {
    let created_at = utc(row.created_at);
    let s = subscription(row)?;
    Ok(AlertSubscriptionView {
        id: AlertSubscriptionId(s.id),
        kind: s.kind,
        q: s.query,
        sci_fields: s.sci_fields,
        request_id: s.request_id,
        threshold: s.threshold,
        checked_until: utc(s.checked_until),
        created_at,
    })
}

fn person(actor: &Actor) -> Result<i64, RecordError> {
    actor.user_id().map(|u| u.0).ok_or(RecordError::Forbidden(
        "alerts belong to people signed in, not API keys",
    ))
}

impl Brokerage {
    /// Save a search or mark a request for alerts. Only listings published from now on raise
    /// alerts.
    pub async fn subscribe(
        &self,
        actor: &Actor,
        form: AlertSubscriptionForm,
    ) -> Result<AlertSubscriptionView, RecordError> {
        let user = person(actor)?;
        let mut errors = Vec::new();
        let query = text(&mut errors, "q", &form.q, form.kind == AlertKind::Search);
        if query
            .as_ref()
            .is_some_and(|q| q.chars().count() > ALERT_QUERY.max())
        {
            errors.push(FieldError::new(
                "q",
                "length",
                format!("q must be at most {} characters", ALERT_QUERY.max()),
            ));
        }
        if form.kind == AlertKind::Request && form.request_id.is_none() {
            errors.push(FieldError::new(
                "request_id",
                "required",
                "a request alert names its request",
            ));
        }
        if form.sci_fields.len() > ALERT_SCI_FIELDS.max() {
            errors.push(FieldError::new(
                "sci_fields",
                "too_many",
                format!("at most {} fields of science", ALERT_SCI_FIELDS.max()),
            ));
        }
        let threshold = form.threshold.unwrap_or(0.5);
        if !THRESHOLD.contains_number(threshold) {
            errors.push(FieldError::new(
                "threshold",
                "range",
                "threshold must be 0 to 1",
            ));
        }
        RecordError::invalid_if_any(errors)?;
        let fields: Vec<&str> = form.sci_fields.iter().map(|f| f.as_str()).collect();
        let fields =
            serde_json::to_string(&fields).map_err(|e| RecordError::Corrupt(e.to_string()))?;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                if let Some(id) = form.request_id {
                    request_party(conn, id)?
                        .filter(|p| p.visible_to(&actor, now))
                        .ok_or(RecordError::NotFound("request"))?;
                }
                let row: SubscriptionRow = diesel::insert_into(alert_subscriptions::table)
                    .values((
                        alert_subscriptions::user_id.eq(user),
                        alert_subscriptions::kind.eq(form.kind.as_str()),
                        alert_subscriptions::query.eq(query),
                        alert_subscriptions::sci_fields.eq(fields),
                        alert_subscriptions::request_id.eq(form.request_id.map(|id| id.0)),
                        alert_subscriptions::threshold.eq(threshold),
                        alert_subscriptions::checked_until.eq(now),
                        alert_subscriptions::created_at.eq(now),
                    ))
                    .get_result(conn)
                    .map_err(db)?;
                subscription_view(row)
            })
            .await
    }

    /// The caller's subscriptions, newest first, a page at a time.
    pub async fn subscriptions_of(
        &self,
        actor: &Actor,
        paging: Paging,
    ) -> Result<Page<AlertSubscriptionView>, RecordError> {
        let user = person(actor)?;
        self.db
            .run(move |conn| {
                let query =
                    || alert_subscriptions::table.filter(alert_subscriptions::user_id.eq(user));
                let (rows, total) = paged!(
                    conn,
                    query,
                    alert_subscriptions::id.desc(),
                    SubscriptionRow,
                    paging
                );
                Page::from_rows(rows, total, paging, subscription_view)
            })
            .await
    }

    /// Stop a subscription (its alerts go with it).
    pub async fn unsubscribe(
        &self,
        actor: &Actor,
        id: AlertSubscriptionId,
    ) -> Result<(), RecordError> {
        let (user, id) = (person(actor)?, id.0);
        self.db
            .write(move |conn| {
                let deleted = diesel::delete(
                    alert_subscriptions::table
                        .filter(alert_subscriptions::id.eq(id))
                        .filter(alert_subscriptions::user_id.eq(user)),
                )
                .execute(conn)
                .map_err(db)?;
                if deleted == 0 {
                    return Err(RecordError::NotFound("alert subscription"));
                }
                Ok(())
            })
            .await
    }

    /// The caller's alerts, newest first: only those whose listing (and marked request) the
    /// caller may still see, filtered, counted and paged by the database.
    pub async fn alerts_of(
        &self,
        actor: &Actor,
        paging: Paging,
    ) -> Result<Page<AlertView>, RecordError> {
        let user = person(actor)?;
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let now = clock::now();
                let staff = actor.is_staff();
                let orgs = actor.organization_ids();
                let query = || {
                    let mut query = alerts::table
                        .filter(alerts::user_id.eq(user))
                        .into_boxed::<MultiBackend>();
                    if !staff {
                        let live_listing = live!(listings, now);
                        let live_request = live!(requests, now);
                        query = query
                            .filter(
                                alerts::listing_id.eq_any(
                                    listings::table
                                        .filter(
                                            live_listing
                                                .or(listings::organization_id.eq_any(orgs.clone())),
                                        )
                                        .select(listings::id),
                                ),
                            )
                            .filter(
                                alerts::subscription_id.eq_any(
                                    alert_subscriptions::table
                                        .filter(
                                            alert_subscriptions::request_id.is_null().or(
                                                alert_subscriptions::request_id
                                                    .assume_not_null()
                                                    .eq_any(
                                                        requests::table
                                                            .filter(
                                                                live_request
                                                                    .or(requests::organization_id
                                                                        .eq_any(orgs.clone())),
                                                            )
                                                            .select(requests::id),
                                                    ),
                                            ),
                                        )
                                        .select(alert_subscriptions::id),
                                ),
                            );
                    }
                    query
                };
                let (rows, total) = paged!(conn, query, alerts::id.desc(), AlertRow, paging);
                Page::from_rows(rows, total, paging, |r| {
                    Ok::<_, RecordError>(AlertView {
                        id: AlertId(r.id),
                        subscription_id: AlertSubscriptionId(r.subscription_id),
                        listing_id: ListingId(r.listing_id),
                        score: r.score,
                        explanation: serde_json::from_str(&r.explanation)
                            .map_err(|e| RecordError::Corrupt(e.to_string()))?,
                        created_at: utc(r.created_at),
                    })
                })
            })
            .await
    }

    /// Every subscription, for the sweep.
    pub async fn all_subscriptions(&self) -> Result<Vec<Subscription>, RecordError> {
        self.db
            .run(|conn| {
                alert_subscriptions::table
                    .order(alert_subscriptions::id.asc())
                    .select(SubscriptionRow::as_select())
                    .load(conn)
                    .map_err(db)?
                    .into_iter()
                    .map(subscription)
                    .collect()
            })
            .await
    }

    /// Listings published after `after` and still live, oldest first, at most `limit`: (id,
    /// publication time).
    pub async fn listings_published_after(
        &self,
        after: NaiveDateTime,
        limit: i64,
    ) -> Result<Vec<(i64, NaiveDateTime)>, RecordError> {
        self.db
            .run(move |conn| {
                let now = clock::now();
                let rows: Vec<(i64, Option<NaiveDateTime>)> = listings::table
                    .filter(live!(listings, now))
                    .filter(listings::published_at.gt(after))
                    .order((listings::published_at.asc(), listings::id.asc()))
                    .limit(limit)
                    .select((listings::id, listings::published_at))
                    .load(conn)
                    .map_err(db)?;
                Ok(rows
                    .into_iter()
                    .filter_map(|(id, at)| at.map(|at| (id, at)))
                    .collect())
            })
            .await
    }

    /// Record an alert (once per subscription and listing).
    pub async fn record_alert(
        &self,
        subscription: &Subscription,
        listing: i64,
        score: f64,
        explanation: serde_json::Value,
    ) -> Result<bool, RecordError> {
        let (id, user) = (subscription.id, subscription.user_id);
        self.db
            .write(move |conn| {
                // Once per subscription and listing, held by a unique index; the look-up only
                // spares the error when the alert is already there.
                let exists: Option<i64> = alerts::table
                    .filter(alerts::subscription_id.eq(id))
                    .filter(alerts::listing_id.eq(listing))
                    .select(alerts::id)
                    .first(conn)
                    .optional()
                    .map_err(db)?;
                if exists.is_some() {
                    return Ok(false);
                }
                diesel::insert_into(alerts::table)
                    .values((
                        alerts::subscription_id.eq(id),
                        alerts::user_id.eq(user),
                        alerts::listing_id.eq(listing),
                        alerts::score.eq(score),
                        alerts::explanation.eq(explanation.to_string()),
                        alerts::created_at.eq(clock::now()),
                    ))
                    .execute(conn)
                    .map_err(db)?;
                Ok(true)
            })
            .await
    }

    /// Move a subscription's watermark: listings published up to `until` are checked.
    pub async fn checked(
        &self,
        subscription: i64,
        until: NaiveDateTime,
    ) -> Result<(), RecordError> {
        self.db
            .write(move |conn| {
                diesel::update(alert_subscriptions::table.find(subscription))
                    .set(alert_subscriptions::checked_until.eq(until))
                    .execute(conn)
                    .map_err(db)?;
                Ok(())
            })
            .await
    }
}
