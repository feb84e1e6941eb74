//! The records behind index hits (search results, match candidates), as the caller may see them
//! now, ready to embed in a response. An anonymous caller gets the public views the index
//! stores, each used only while it is the record's current live version (read from the
//! database in one short query per kind, in the same blocking task as the search): a hit taken
//! down since it was indexed, on any server, is left out, and one changed since is read afresh.
//! Anyone else gets the views at their tiers from the database, which also leaves out what they
//! may not see.

use crate::SearchError;
use crate::highlight::Texts;
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::HashMap;
use techx_accounts::Actor;
use techx_core::{ListingId, RecordKind, RequestId};
use techx_db::DbConn;
use techx_listings::Listings;
use techx_requests::Requests;

/// A hit's record: its kind and stored id.
pub type Key = (RecordKind, i64);

/// A hit's record as the caller may see it: the view's JSON and the texts highlights are made
/// from.
#[derive(Debug)]
pub struct Shown {
    pub view: Box<RawValue>,
    pub texts: Option<Texts>,
}

impl Shown {
    /// A view read at the caller's tiers, with the texts its highlights come from.
    fn typed<V: serde::Serialize>(view: &V, texts: Texts) -> Result<Self, SearchError> {
        Ok(Shown {
            view: raw(view)?,
            texts: Some(texts),
        })
    }
}

/// The current versions of the live records among hits, by kind.
#[derive(Debug, Default)]
pub struct LiveVersions {
    listings: HashMap<i64, i32>,
    requests: HashMap<i64, i32>,
}

/// Which of `keys` are live now, and at which version (one short query per kind).
pub fn live_versions(conn: &mut DbConn, keys: &[Key]) -> Result<LiveVersions, SearchError> {
    let ids_of = |wanted: RecordKind| {
        keys.iter()
            .filter(|(kind, _)| *kind == wanted)
            .map(|(_, id)| *id)
            .collect::<Vec<_>>()
    };
    Ok(LiveVersions {
        listings: Listings::live_versions_in(conn, &ids_of(RecordKind::Listing))?,
        requests: Requests::live_versions_in(conn, &ids_of(RecordKind::Request))?,
    })
}

/// The records behind index hits, for one caller.
pub struct HitViews<'a> {
    pub listings: &'a Listings,
    pub requests: &'a Requests,
}

impl HitViews<'_> {
    /// For an anonymous caller: the stored public views of `hits` (key and stored view) that
    /// are still current by `live`; a stale or missing one is read afresh from the database.
    pub async fn public(
        &self,
        hits: Vec<(Key, Option<String>)>,
        live: LiveVersions,
    ) -> Result<HashMap<Key, Shown>, SearchError> {
        let mut shown = HashMap::with_capacity(hits.len());
        let (mut stale_listings, mut stale_requests) = (Vec::new(), Vec::new());
        for ((kind, id), stored) in hits {
            let (versions, stale) = match kind {
                RecordKind::Listing => (&live.listings, &mut stale_listings),
                RecordKind::Request => (&live.requests, &mut stale_requests),
            };
            let Some(&version) = versions.get(&id) else {
                continue;
            };
            match stored.filter(|json| stored_version(json) == Some(version)) {
                Some(json) => {
                    if let Ok(view) = RawValue::from_string(json) {
                        let texts = Texts::from_stored(kind, view.get());
                        shown.insert((kind, id), Shown { view, texts });
                    }
                }
                None => stale.push(id),
            }
        }
        self.read(None, stale_listings, stale_requests, &mut shown)
            .await?;
        Ok(shown)
    }

    /// For a signed-in caller: the records of `keys` at the caller's tiers, those it may see.
    pub async fn at_tiers(
        &self,
        actor: &Actor,
        keys: &[Key],
    ) -> Result<HashMap<Key, Shown>, SearchError> {
        let ids_of = |wanted: RecordKind| {
            keys.iter()
                .filter(|(kind, _)| *kind == wanted)
                .map(|(_, id)| *id)
                .collect::<Vec<_>>()
        };
        let mut shown = HashMap::with_capacity(keys.len());
        self.read(
            Some(actor),
            ids_of(RecordKind::Listing),
            ids_of(RecordKind::Request),
            &mut shown,
        )
        .await?;
        Ok(shown)
    }

    /// Read records from the database at `actor`'s tiers into `shown`.
    async fn read(
        &self,
        actor: Option<&Actor>,
        listings: Vec<i64>,
        requests: Vec<i64>,
        shown: &mut HashMap<Key, Shown>,
    ) -> Result<(), SearchError> {
        if !listings.is_empty() {
            let ids = listings.into_iter().map(ListingId).collect();
            for view in self.listings.views_of(actor, ids).await? {
                let texts = Texts::from(&view);
                shown.insert(
                    (RecordKind::Listing, view.id.0),
                    Shown::typed(&view, texts)?,
                );
            }
        }
        if !requests.is_empty() {
            let ids = requests.into_iter().map(RequestId).collect();
            for view in self.requests.views_of(actor, ids).await? {
                let texts = Texts::from(&view);
                shown.insert(
                    (RecordKind::Request, view.id.0),
                    Shown::typed(&view, texts)?,
                );
            }
        }
        Ok(())
    }
}

/// The version a stored view was made from.
fn stored_version(json: &str) -> Option<i32> {
    #[derive(serde::Deserialize)]
    struct Stamp {
        version: i32,
    }
    serde_json::from_str::<Stamp>(json).ok().map(|s| s.version)
}

fn raw(view: &impl Serialize) -> Result<Box<RawValue>, SearchError> {
    Ok(serde_json::value::to_raw_value(view)?)
}
