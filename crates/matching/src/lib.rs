//! Explained two-sided matching: for a technology need (request), the offers (listings) that can
//! solve it within its constraints; for an offer, the needs it can serve.
//!
//! Candidates come from the search index — every word of the source record's public text
//! against the other side's public text, scored as search scores a query, plus the records that
//! share a field of science — never from a scan of every row. Each candidate then gets a score in [0, 1], the
//! weighted sum of components that are returned as its explanation ([`Component`]). A candidate
//! that violates a hard constraint of the need (maturity, budget, cooperation) names the
//! constraint and has its score multiplied by [`VIOLATION_FACTOR`] for each one, so an offer that
//! solves the need but is one TRL short still ranks above a fitting offer on another subject; a
//! strict request leaves it out.
//!
//! Only public-tier facts take part (the index holds nothing else that everyone may see), so an
//! explanation never discloses more than the public view of both records. The same code serves
//! the API and the quality harness ([`eval`]).

pub mod eval;
mod explain;
pub mod service;

use explain::{Terms, explain};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use techx_core::RecordKind;
use techx_listings::dto::ListingView;
use techx_requests::dto::RequestView;
use techx_search::SearchError;
use techx_search::analysis;
use techx_search::index::{Filters, SearchIndex};
use utoipa::ToSchema;

/// One part of a match score.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// How well the public texts match (BM25 of the source's telling terms, relative to the best
    /// candidate), with the matched terms.
    Text,
    /// Fields of science: a shared level-2 code beats a shared level-1 code.
    Field,
    /// Maturity: the listing's `trl` against the request's `trl_min` (hard constraint).
    Maturity,
    /// Price: the listing's price range against the request's budget (hard constraint).
    Price,
    /// Cooperation: the listing's `cooperation_types` against the request's
    /// `accepted_cooperation_types` (hard constraint).
    Cooperation,
    /// Both in the same province.
    Location,
    /// How recently the candidate was confirmed as still true (`last_confirmed_at`).
    Freshness,
}

impl Component {
    pub const ALL: [Component; 7] = [
        Component::Text,
        Component::Field,
        Component::Maturity,
        Component::Price,
        Component::Cooperation,
        Component::Location,
        Component::Freshness,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Component::Text => "text",
            Component::Field => "field",
            Component::Maturity => "maturity",
            Component::Price => "price",
            Component::Cooperation => "cooperation",
            Component::Location => "location",
            Component::Freshness => "freshness",
        }
    }

    pub fn parse(name: &str) -> Option<Component> {
        Component::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A hard constraint of a need, named after the need's field a candidate breaks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// The listing's `trl` is below the request's `trl_min`.
    Trl,
    /// The listing's lowest price is above the request's highest budget.
    Budget,
    /// None of the request's `accepted_cooperation_types` is offered.
    Cooperation,
}

impl Component {
    /// The hard constraint this component checks, if any.
    pub fn constraint(self) -> Option<Constraint> {
        match self {
            Component::Maturity => Some(Constraint::Trl),
            Component::Price => Some(Constraint::Budget),
            Component::Cooperation => Some(Constraint::Cooperation),
            _ => None,
        }
    }
}

/// How much each component counts. They sum to 1, so a score stays in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub text: f64,
    pub field: f64,
    pub maturity: f64,
    pub price: f64,
    pub cooperation: f64,
    pub location: f64,
    pub freshness: f64,
}

impl Default for Weights {
    /// The defaults, chosen with the matching harness (docs/relevance.md, "Matching").
    fn default() -> Self {
        Weights {
            text: 0.45,
            field: 0.20,
            maturity: 0.10,
            price: 0.10,
            cooperation: 0.10,
            location: 0.03,
            freshness: 0.02,
        }
    }
}

impl Weights {
    /// Text relevance alone (the harness's baseline).
    pub fn text_only() -> Weights {
        let mut weights = Weights::zero();
        weights.text = 1.0;
        weights
    }

    fn zero() -> Weights {
        Weights {
            text: 0.0,
            field: 0.0,
            maturity: 0.0,
            price: 0.0,
            cooperation: 0.0,
            location: 0.0,
            freshness: 0.0,
        }
    }

    pub fn of(&self, component: Component) -> f64 {
        match component {
            Component::Text => self.text,
            Component::Field => self.field,
            Component::Maturity => self.maturity,
            Component::Price => self.price,
            Component::Cooperation => self.cooperation,
            Component::Location => self.location,
            Component::Freshness => self.freshness,
        }
    }

    pub fn set(&mut self, component: Component, weight: f64) {
        match component {
            Component::Text => self.text = weight,
            Component::Field => self.field = weight,
            Component::Maturity => self.maturity = weight,
            Component::Price => self.price = weight,
            Component::Cooperation => self.cooperation = weight,
            Component::Location => self.location = weight,
            Component::Freshness => self.freshness = weight,
        }
    }

    /// The same proportions, summing to 1 (all zero stays zero).
    pub fn normalized(self) -> Weights {
        let total: f64 = Component::ALL.iter().map(|c| self.of(*c)).sum();
        if total <= 0.0 {
            return self;
        }
        let mut out = self;
        for component in Component::ALL {
            out.set(component, self.of(component) / total);
        }
        out
    }
}

/// The default [`Config::violation_factor`], chosen with the matching harness.
pub const VIOLATION_FACTOR: f64 = 0.8;

/// The matching configuration: one place for every tunable, with documented defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    pub weights: Weights,
    /// Candidates taken by text relevance.
    pub text_candidates: usize,
    /// Candidates taken among records sharing a level-2 field of science with the source.
    pub field_candidates: usize,
    /// After this many days without confirmation a record's freshness is one half.
    pub freshness_half_life_days: f64,
    /// What a candidate's score is multiplied by for each hard constraint it breaks: an offer
    /// that solves the need but is one TRL short still ranks above a fitting offer on another
    /// subject (docs/relevance.md, "Matching"). 1 leaves violations unpunished.
    pub violation_factor: f64,
    /// Rank every candidate that breaks a hard constraint below every one that does not,
    /// whatever their scores (the harness compares it; the engine uses the factor).
    pub constraints_first: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            weights: Weights::default(),
            text_candidates: 100,
            field_candidates: 50,
            freshness_half_life_days: 365.0,
            violation_factor: VIOLATION_FACTOR,
            constraints_first: false,
        }
    }
}

/// The public facts of a listing or request that matching uses: built from the typed public
/// view (`From<&ListingView>`, `From<&RequestView>`), or read from the view JSON the index
/// stores ([`Facts::from_json`]; a listing's and a request's JSON share these names). A test
/// holds the two ways to the same facts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Facts {
    #[serde(default)]
    pub title: String,
    /// A listing's summary.
    pub summary: Option<String>,
    /// A request's problem.
    pub problem: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub sci_fields: Vec<String>,
    pub trl: Option<i64>,
    pub trl_min: Option<i64>,
    pub price_min_vnd: Option<i64>,
    pub price_max_vnd: Option<i64>,
    pub budget_min_vnd: Option<i64>,
    pub budget_max_vnd: Option<i64>,
    #[serde(default)]
    pub cooperation_types: Vec<String>,
    #[serde(default)]
    pub accepted_cooperation_types: Vec<String>,
    pub province_code: Option<String>,
    pub last_confirmed_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<&ListingView> for Facts {
    fn from(view: &ListingView) -> Facts {
        Facts {
            title: view.title.clone(),
            summary: Some(view.summary.clone()),
            problem: None,
            keywords: view.keywords.clone(),
            sci_fields: codes(&view.sci_fields, |c| c.as_str()),
            trl: view.trl.map(i64::from),
            trl_min: None,
            price_min_vnd: view.price_min_vnd,
            price_max_vnd: view.price_max_vnd,
            budget_min_vnd: None,
            budget_max_vnd: None,
            cooperation_types: codes(&view.cooperation_types, |c| c.as_str()),
            accepted_cooperation_types: Vec::new(),
            province_code: Some(view.province_code.as_str().to_owned()),
            last_confirmed_at: view.last_confirmed_at,
            published_at: view.published_at,
        }
    }
}

impl From<&RequestView> for Facts {
    fn from(view: &RequestView) -> Facts {
        Facts {
            title: view.title.clone(),
            summary: None,
            problem: Some(view.problem.clone()),
            keywords: view.keywords.clone(),
            sci_fields: codes(&view.sci_fields, |c| c.as_str()),
            trl: None,
            trl_min: view.trl_min.map(i64::from),
            price_min_vnd: None,
            price_max_vnd: None,
            budget_min_vnd: view.budget_min_vnd,
            budget_max_vnd: view.budget_max_vnd,
            cooperation_types: Vec::new(),
            accepted_cooperation_types: codes(&view.accepted_cooperation_types, |c| c.as_str()),
            province_code: Some(view.province_code.as_str().to_owned()),
            last_confirmed_at: view.last_confirmed_at,
            published_at: view.published_at,
        }
    }
}

fn codes<T: Copy>(values: &[T], code: impl Fn(T) -> &'static str) -> Vec<String> {
    values.iter().map(|v| code(*v).to_owned()).collect()
}

impl Facts {
    /// Facts of a public view in JSON.
    pub fn from_json(json: &str) -> Option<Facts> {
        serde_json::from_str(json).ok()
    }

    /// The public text: title, summary or problem, keywords.
    pub fn text(&self) -> String {
        let mut text = self.title.clone();
        for part in [&self.summary, &self.problem].into_iter().flatten() {
            text.push_str(". ");
            text.push_str(part);
        }
        if !self.keywords.is_empty() {
            text.push_str(". ");
            text.push_str(&self.keywords.join(", "));
        }
        text
    }
}

/// One component of a match, as shown to the caller.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Explanation {
    pub component: Component,
    /// The component's own score, 0 to 1.
    pub score: f64,
    /// Its weight in the total (the weights sum to 1).
    pub weight: f64,
    /// True when the candidate breaks this hard constraint of the need.
    pub violated: bool,
    /// What was compared, in words.
    pub detail: String,
    /// Matched public terms (`text`), shared codes (`field`, `cooperation`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
}

/// A candidate with its score and explanation.
#[derive(Debug, Clone)]
pub struct Match {
    pub id: i64,
    /// Weighted sum of the components, 0 to 1.
    pub score: f64,
    /// The hard constraints it breaks (empty: it fits).
    pub violations: Vec<Constraint>,
    pub explanation: Vec<Explanation>,
    /// The candidate's public view (JSON), from the index.
    pub public_view: String,
}

impl Match {
    pub fn fits(&self) -> bool {
        self.violations.is_empty()
    }
}

/// What to match.
#[derive(Debug, Clone)]
pub struct MatchRequest {
    /// The record to find matches for.
    pub source: Facts,
    /// A listing (an offer, matched with needs) or a request (a need, matched with offers).
    pub source_kind: RecordKind,
    /// Narrow the candidates as search does (`kind` is set to the other side here).
    pub filters: Filters,
    pub limit: usize,
    /// Leave out candidates that break a hard constraint.
    pub strict: bool,
    /// Records of the other side near the source by meaning and written in another language,
    /// best first ([`near_by_meaning`]; empty without the embedding model). They join the
    /// candidates, and text relevance becomes the fusion of the two rankings.
    pub near: Vec<i64>,
}

/// The records of `other` kind nearest to `source`'s public text by meaning, in another
/// language than it, that stand out ([`techx_search::vectors::Vectors::nearest_other_language`]).
pub fn near_by_meaning(
    vectors: &techx_search::vectors::Vectors,
    source: &Facts,
    other: RecordKind,
) -> Result<Vec<i64>, SearchError> {
    let text = source.text();
    if text.trim().is_empty() || vectors.is_empty() {
        return Ok(Vec::new());
    }
    let vector = vectors.query(&text)?;
    let language = techx_search::query::QueryLanguage::detect(&text);
    Ok(vectors
        .nearest_other_language(&vector, language, techx_search::hybrid::DEPTH * 2)
        .into_iter()
        .filter(|(kind, _)| *kind == other)
        .map(|(_, id)| id)
        .take(techx_search::hybrid::DEPTH)
        .collect())
}

/// How fast the text relevance of a record found by meaning falls with its rank among them: the
/// nearest counts as the best text match (1), the one at rank r as 1 / (1 + r / this).
pub const NEAR_RANK_SCALE: f64 = 5.0;

/// Each candidate's text relevance in [0, 1]: its text score against the best one's, or for a
/// record near by meaning in another language, what its rank among those gives
/// ([`NEAR_RANK_SCALE`]), whichever is higher. Records in the source's language keep the text
/// score's scale, so a long Vietnamese need's ranking of Vietnamese offers is unchanged.
fn relevances(candidates: &[techx_search::index::Candidate], near: &[i64]) -> HashMap<i64, f64> {
    let best = candidates.iter().map(|c| c.score).fold(0.0f32, f32::max);
    let mut relevance: HashMap<i64, f64> = candidates
        .iter()
        .map(|c| {
            let lexical = if best > 0.0 {
                f64::from(c.score / best)
            } else {
                0.0
            };
            (c.id, lexical)
        })
        .collect();
    let mut rank = 0.0;
    for id in near {
        if let Some(value) = relevance.get_mut(id) {
            *value = value.max(1.0 / (1.0 + rank / NEAR_RANK_SCALE));
            rank += 1.0;
        }
    }
    relevance
}

/// The result of matching.
#[derive(Debug, Clone, Default)]
pub struct Matches {
    pub items: Vec<Match>,
    /// Candidates scored (before `strict` and `limit`).
    pub considered: usize,
}

/// A candidate's score, the weighted sum of its components multiplied by the violation factor
/// once per hard constraint it breaks, and those constraints.
fn total(explanation: &[Explanation], config: &Config) -> (f64, Vec<Constraint>) {
    let violations: Vec<Constraint> = explanation
        .iter()
        .filter(|e| e.violated)
        .filter_map(|e| e.component.constraint())
        .collect();
    let broken = i32::try_from(violations.len()).unwrap_or(i32::MAX);
    let sum = explanation.iter().map(|e| e.score * e.weight).sum::<f64>();
    (
        sum * config.violation_factor.clamp(0.0, 1.0).powi(broken),
        violations,
    )
}

/// Find, score and order the matches of one record.
pub fn find(
    index: &SearchIndex,
    config: &Config,
    request: &MatchRequest,
    now: DateTime<Utc>,
) -> Result<Matches, SearchError> {
    ranked(index, config, request, now, None)
}

/// [`find`], keeping only candidate `only` when given (explained alone, ranked among all).
fn ranked(
    index: &SearchIndex,
    config: &Config,
    request: &MatchRequest,
    now: DateTime<Utc>,
    only: Option<i64>,
) -> Result<Matches, SearchError> {
    let text = request.source.text();
    let level2: Vec<String> = request
        .source
        .sci_fields
        .iter()
        .filter(|c| c.contains('.'))
        .cloned()
        .collect();
    let mut filters = request.filters.clone();
    filters.kind = Some(request.source_kind.other());
    let near: Vec<(RecordKind, i64)> = request
        .near
        .iter()
        .map(|id| (request.source_kind.other(), *id))
        .collect();
    let resembling = index.resembling(
        &text,
        &level2,
        &filters,
        config.text_candidates,
        config.field_candidates,
        &near,
    )?;
    let relevance_of = relevances(&resembling.candidates, &request.near);
    let weights = config.weights.normalized();
    let mut items = Vec::with_capacity(resembling.candidates.len());
    for candidate in resembling.candidates {
        let Some(facts) = Facts::from_json(&candidate.public_view) else {
            continue;
        };
        let relevance = relevance_of.get(&candidate.id).copied().unwrap_or(0.0);
        let (offer, need) = match request.source_kind {
            RecordKind::Listing => (&request.source, &facts),
            RecordKind::Request => (&facts, &request.source),
        };
        let explanation = explain(offer, need, &facts, relevance, &weights, config, now);
        let (score, violations) = total(&explanation, config);
        items.push((
            Match {
                id: candidate.id,
                score: round(score),
                violations,
                explanation,
                public_view: candidate.public_view,
            },
            facts,
        ));
    }
    let considered = items.len();
    items.sort_by(|(a, _), (b, _)| {
        let fit = if config.constraints_first {
            b.fits().cmp(&a.fits())
        } else {
            std::cmp::Ordering::Equal
        };
        fit.then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.id.cmp(&b.id))
    });
    if request.strict {
        items.retain(|(m, _)| m.fits());
    }
    if let Some(id) = only {
        items.retain(|(m, _)| m.id == id);
    }
    items.truncate(request.limit);
    // The matched terms, for the matches returned only.
    let source_terms = Terms::of(&text);
    let items = items
        .into_iter()
        .map(|(mut found, facts)| {
            let matched = source_terms.matched(
                &Terms::of(&facts.text()),
                &resembling.salient,
                &resembling.rare,
            );
            if let Some(text) = found
                .explanation
                .iter_mut()
                .find(|e| e.component == Component::Text)
            {
                if !matched.is_empty() {
                    text.detail = format!("{} telling terms in common", matched.len());
                }
                text.terms = matched;
            }
            found
        })
        .collect();
    Ok(Matches { items, considered })
}

/// The score and explanation of one listing for one request, as `find` ranks it among the
/// request's candidates (text relevance relative to the best of them); a listing that is not
/// among the candidates has no text relevance.
pub fn score_pair(
    index: &SearchIndex,
    config: &Config,
    need: &Facts,
    listing_id: i64,
    offer: &Facts,
    now: DateTime<Utc>,
) -> Result<Match, SearchError> {
    let request = MatchRequest {
        source: need.clone(),
        source_kind: RecordKind::Request,
        filters: Filters::default(),
        limit: usize::MAX,
        strict: false,
        near: Vec::new(),
    };
    if let Some(found) = ranked(index, config, &request, now, Some(listing_id))?
        .items
        .into_iter()
        .find(|m| m.id == listing_id)
    {
        return Ok(found);
    }
    let weights = config.weights.normalized();
    let explanation = explain(offer, need, offer, 0.0, &weights, config, now);
    let (score, violations) = total(&explanation, config);
    Ok(Match {
        id: listing_id,
        score: round(score),
        violations,
        explanation,
        public_view: String::new(),
    })
}

fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(json: serde_json::Value) -> Facts {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn components_of_a_fitting_and_a_violating_offer() {
        let need = facts(serde_json::json!({
            "title": "n", "sci_fields": ["2.7"], "trl_min": 6,
            "budget_min_vnd": 100, "budget_max_vnd": 500,
            "accepted_cooperation_types": ["license"], "province_code": "thanh_hoa"
        }));
        let good = facts(serde_json::json!({
            "title": "o", "sci_fields": ["2.7", "2.8"], "trl": 7, "price_min_vnd": 300,
            "cooperation_types": ["license", "training"], "province_code": "thanh_hoa"
        }));
        let bad = facts(serde_json::json!({
            "title": "o", "sci_fields": ["2.1"], "trl": 4, "price_min_vnd": 1000,
            "cooperation_types": ["joint_venture"], "province_code": "ha_noi"
        }));
        let config = Config::default();
        let now = Utc::now();
        let weights = config.weights.normalized();
        let ok = explain(&good, &need, &good, 1.0, &weights, &config, now);
        assert!(ok.iter().all(|e| !e.violated));
        let field = ok.iter().find(|e| e.component == Component::Field).unwrap();
        assert_eq!(
            (field.score, field.terms.clone()),
            (1.0, vec!["2.7".into()])
        );
        let broken = explain(&bad, &need, &bad, 1.0, &weights, &config, now);
        let violated: Vec<Component> = broken
            .iter()
            .filter(|e| e.violated)
            .map(|e| e.component)
            .collect();
        assert_eq!(
            violated,
            vec![
                Component::Maturity,
                Component::Price,
                Component::Cooperation
            ]
        );
        let maturity = &broken[2];
        assert_eq!(maturity.score, 0.5);
        assert_eq!(broken[3].score, 0.5);
        let field = broken
            .iter()
            .find(|e| e.component == Component::Field)
            .unwrap();
        assert_eq!((field.score, field.terms.clone()), (0.5, vec!["2".into()]));
        let total: f64 = Component::ALL.iter().map(|c| weights.of(*c)).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn matched_terms_prefer_phrases_and_ignore_diacritics() {
        let source = Terms::of("Xử lý nước thải chăn nuôi lợn bằng vi sinh");
        let other = Terms::of("Hệ thống xu ly nuoc thai cho trang trai, men vi sinh");
        let salient: BTreeSet<String> = ["nuoc_thai", "vi_sinh", "nuoc", "thai", "lon"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            source.matched(&other, &salient, &salient),
            vec!["xử lý nước thải".to_owned(), "vi sinh".to_owned()]
        );
        // Adjacent matched pairs make one phrase; a lone word outside them counts alone.
        let source = Terms::of("Xử lý nước thải chăn nuôi lợn, biogas");
        let other = Terms::of("nước thải chăn nuôi sau hầm biogas");
        let salient: BTreeSet<String> = ["nuoc_thai", "thai_chan", "chan_nuoi", "biogas", "nuoc"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            source.matched(&other, &salient, &salient),
            vec!["nước thải chăn nuôi".to_owned(), "biogas".to_owned()]
        );
        // A lone common syllable is left out.
        let rare = BTreeSet::new();
        assert_eq!(
            source.matched(&other, &salient, &rare),
            vec!["nước thải chăn nuôi".to_owned()]
        );
    }

    #[test]
    fn amounts_are_written_with_thousands_separators() {
        use crate::explain::vnd;
        assert_eq!(vnd(500_000_000), "500.000.000 VND");
        assert_eq!(vnd(999), "999 VND");
    }
}
