//! Explained two-sided matching: for a technology need (request), the offers (listings) that can
//! solve it within its constraints; for an offer, the needs it can serve.
//!
//! Candidates come from the search index — the source record's public text, reduced to its most
//! telling terms, against the other side's public text, plus the records that share a field of
//! science — never from a scan of every row. Each candidate then gets a score in [0, 1], the
//! weighted sum of components that are returned as its explanation ([`Component`]). A candidate
//! that violates a hard constraint of the need (maturity, budget, cooperation) is ranked below
//! every candidate that does not, and names the constraint; a strict request leaves it out.
//!
//! Only public-tier facts take part (the index holds nothing else that everyone may see), so an
//! explanation never discloses more than the public view of both records. The same code serves
//! the API and the quality harness ([`eval`]).

pub mod eval;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
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
    /// Whether candidates violating a hard constraint rank below those that do not (off only in
    /// the harness, to measure text relevance alone).
    pub constraints_first: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            weights: Weights::default(),
            text_candidates: 100,
            field_candidates: 50,
            freshness_half_life_days: 365.0,
            constraints_first: true,
        }
    }
}

/// Which side of the exchange a record is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A listing (technology offer).
    Offer,
    /// A request (technology need).
    Need,
}

impl Side {
    /// The index kind of records on this side.
    pub fn kind(self) -> &'static str {
        match self {
            Side::Offer => "listing",
            Side::Need => "request",
        }
    }

    pub fn other(self) -> Side {
        match self {
            Side::Offer => Side::Need,
            Side::Need => Side::Offer,
        }
    }
}

/// The public facts of a listing or request that matching uses, read from its public view
/// (a listing's and a request's JSON share these names).
#[derive(Debug, Clone, Default, Deserialize)]
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

impl Facts {
    /// Facts of a public view in JSON.
    pub fn from_json(json: &str) -> Option<Facts> {
        serde_json::from_str(json).ok()
    }

    /// Facts of a view (only its public fields are read).
    pub fn from_view(view: &impl Serialize) -> Option<Facts> {
        serde_json::to_value(view)
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
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
    pub source_side: Side,
    /// Narrow the candidates as search does (`kind` is set to the other side here).
    pub filters: Filters,
    pub limit: usize,
    /// Leave out candidates that break a hard constraint.
    pub strict: bool,
}

/// The result of matching.
#[derive(Debug, Clone, Default)]
pub struct Matches {
    pub items: Vec<Match>,
    /// Candidates scored (before `strict` and `limit`).
    pub considered: usize,
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
    filters.kind = Some(request.source_side.other().kind().to_owned());
    let resembling = index.resembling(
        &text,
        &level2,
        &filters,
        config.text_candidates,
        config.field_candidates,
    )?;
    let best = resembling
        .candidates
        .iter()
        .map(|c| c.score)
        .fold(0.0f32, f32::max);
    let weights = config.weights.normalized();
    let mut items = Vec::with_capacity(resembling.candidates.len());
    for candidate in resembling.candidates {
        let Some(facts) = Facts::from_json(&candidate.public_view) else {
            continue;
        };
        let relevance = if best > 0.0 {
            f64::from(candidate.score / best)
        } else {
            0.0
        };
        let (offer, need) = match request.source_side {
            Side::Offer => (&request.source, &facts),
            Side::Need => (&facts, &request.source),
        };
        let explanation = explain(offer, need, &facts, relevance, &weights, config, now);
        let score = explanation.iter().map(|e| e.score * e.weight).sum::<f64>();
        let violations = explanation
            .iter()
            .filter(|e| e.violated)
            .filter_map(|e| e.component.constraint())
            .collect();
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
        source_side: Side::Need,
        filters: Filters::default(),
        limit: usize::MAX,
        strict: false,
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
    let score = explanation.iter().map(|e| e.score * e.weight).sum::<f64>();
    Ok(Match {
        id: listing_id,
        score: round(score),
        violations: explanation
            .iter()
            .filter(|e| e.violated)
            .filter_map(|e| e.component.constraint())
            .collect(),
        explanation,
        public_view: String::new(),
    })
}

fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// Words and adjacent-word pairs of a text: folded form → the form as written (lowercase).
struct Terms {
    words: Vec<(String, String)>,
    pairs: Vec<(String, String)>,
}

impl Terms {
    fn of(text: &str) -> Terms {
        let text = analysis::normalize(text);
        let found = analysis::words(&text);
        let words: Vec<(String, String)> = found
            .iter()
            .map(|(_, _, w)| (analysis::fold(w), w.clone()))
            .collect();
        // Words separated by punctuation (end of a sentence, a list) do not make a phrase.
        let pairs = found
            .windows(2)
            .zip(words.windows(2))
            .map(|(spans, p)| {
                let joined = text[spans[0].1..spans[1].0].trim().is_empty();
                let folded = if joined {
                    format!("{}_{}", p[0].0, p[1].0)
                } else {
                    String::new()
                };
                (folded, format!("{} {}", p[0].1, p[1].1))
            })
            .collect();
        Terms { words, pairs }
    }

    /// This text's telling terms that `other` contains, in the order they appear, at most 12:
    /// runs of adjacent words whose pairs both texts hold become one phrase (*nước thải chăn
    /// nuôi*), then single words outside those phrases.
    fn matched(
        &self,
        other: &Terms,
        salient: &BTreeSet<String>,
        rare: &BTreeSet<String>,
    ) -> Vec<String> {
        const MOST: usize = 12;
        let other_words: BTreeSet<&str> = other.words.iter().map(|(f, _)| f.as_str()).collect();
        let other_pairs: BTreeSet<&str> = other.pairs.iter().map(|(f, _)| f.as_str()).collect();
        // English text has no folded salient terms: any word of four letters or more counts.
        // Numbers and units (`2`, `m3`) say little about a subject.
        let telling = |folded: &str| {
            folded.chars().filter(|c| c.is_alphabetic()).count() >= 2
                && if salient.is_empty() {
                    folded.chars().count() >= 4
                } else {
                    salient.contains(folded)
                }
        };
        // Adjacent words both texts hold together make a phrase, kept when something in it is
        // telling.
        let paired: Vec<bool> = self
            .pairs
            .iter()
            .map(|(folded, _)| !folded.is_empty() && other_pairs.contains(folded.as_str()))
            .collect();
        let mut found: Vec<(usize, String)> = Vec::new();
        let mut covered = vec![false; self.words.len()];
        let mut start = 0;
        while start < paired.len() {
            if !paired[start] {
                start += 1;
                continue;
            }
            let mut end = start;
            while end + 1 < paired.len() && paired[end + 1] {
                end += 1;
            }
            // Pair `end` joins words `end` and `end + 1`.
            let run = &self.words[start..=end + 1];
            let pairs_telling = self.pairs[start..=end].iter().any(|(f, _)| telling(f));
            if pairs_telling || run.iter().any(|(f, _)| telling(f)) {
                let phrase: Vec<&str> = run.iter().map(|(_, w)| w.as_str()).collect();
                found.push((start, phrase.join(" ")));
                for flag in &mut covered[start..=end + 1] {
                    *flag = true;
                }
            }
            start = end + 1;
        }
        // A lone Vietnamese syllable (*sản*, *từ*) is mostly part of some other word: it counts
        // only when few records hold it.
        let alone = |folded: &str| salient.is_empty() || rare.contains(folded);
        for (position, (folded, written)) in self.words.iter().enumerate() {
            if !covered[position]
                && telling(folded)
                && alone(folded)
                && other_words.contains(folded.as_str())
            {
                found.push((position, written.clone()));
            }
        }
        found.sort_by_key(|(position, _)| *position);
        let mut out: Vec<String> = Vec::new();
        let padded: Vec<String> = found.iter().map(|(_, t)| format!(" {t} ")).collect();
        for (index, (_, term)) in found.iter().enumerate() {
            // Left out: a repeat, or a term inside a longer matched phrase.
            let inside = padded.iter().enumerate().any(|(other, p)| {
                other != index && p.len() > padded[index].len() && p.contains(&padded[index])
            });
            if !inside && !out.contains(term) {
                out.push(term.clone());
            }
        }
        out.truncate(MOST);
        out
    }
}

fn vnd(amount: i64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("{out} VND")
}

/// Score every component of an offer–need pair. `candidate` is the record being ranked (its
/// freshness counts).
#[allow(clippy::too_many_arguments)]
fn explain(
    offer: &Facts,
    need: &Facts,
    candidate: &Facts,
    relevance: f64,
    weights: &Weights,
    config: &Config,
    now: DateTime<Utc>,
) -> Vec<Explanation> {
    let part = |component: Component, score: f64, violated: bool, detail: String| Explanation {
        component,
        score: round(score.clamp(0.0, 1.0)),
        weight: round(weights.of(component)),
        violated,
        detail,
        terms: Vec::new(),
    };
    let mut out = Vec::with_capacity(Component::ALL.len());

    out.push(part(
        Component::Text,
        relevance,
        false,
        "no telling term in common".to_owned(),
    ));

    let (field_score, shared, detail) = field_fit(offer, need);
    let mut field = part(Component::Field, field_score, false, detail);
    field.terms = shared;
    out.push(field);

    out.push(match (offer.trl, need.trl_min) {
        (_, None) => part(
            Component::Maturity,
            1.0,
            false,
            "the need sets no minimum TRL".to_owned(),
        ),
        (None, Some(min)) => part(
            Component::Maturity,
            0.5,
            false,
            format!("the offer gives no TRL; the need asks for at least {min}"),
        ),
        (Some(trl), Some(min)) if trl >= min => part(
            Component::Maturity,
            1.0,
            false,
            format!("TRL {trl} meets the minimum {min}"),
        ),
        (Some(trl), Some(min)) => part(
            Component::Maturity,
            1.0 - (min - trl) as f64 / 4.0,
            true,
            format!("TRL {trl} is below the minimum {min}"),
        ),
    });

    let lowest_price = offer.price_min_vnd.or(offer.price_max_vnd);
    let budget_top = need.budget_max_vnd.or(need.budget_min_vnd);
    out.push(match (lowest_price, budget_top) {
        (_, None) => part(
            Component::Price,
            1.0,
            false,
            "the need gives no budget".to_owned(),
        ),
        (None, Some(_)) => part(
            Component::Price,
            0.5,
            false,
            "the offer gives no price (negotiable)".to_owned(),
        ),
        (Some(price), Some(budget)) if price <= budget => part(
            Component::Price,
            1.0,
            false,
            format!(
                "the price from {} is within the budget up to {}",
                vnd(price),
                vnd(budget)
            ),
        ),
        (Some(price), Some(budget)) => part(
            Component::Price,
            budget as f64 / price as f64,
            true,
            format!(
                "the price from {} is over the budget up to {}",
                vnd(price),
                vnd(budget)
            ),
        ),
    });

    let offered: BTreeSet<&String> = offer.cooperation_types.iter().collect();
    let accepted: BTreeSet<&String> = need.accepted_cooperation_types.iter().collect();
    let shared: Vec<String> = offered
        .intersection(&accepted)
        .map(|c| (*c).clone())
        .collect();
    let mut cooperation = if accepted.is_empty() {
        part(
            Component::Cooperation,
            1.0,
            false,
            "the need accepts any cooperation".to_owned(),
        )
    } else if offered.is_empty() {
        part(
            Component::Cooperation,
            0.5,
            false,
            "the offer names no cooperation type".to_owned(),
        )
    } else if shared.is_empty() {
        part(
            Component::Cooperation,
            0.0,
            true,
            "no cooperation type the need accepts is offered".to_owned(),
        )
    } else {
        part(
            Component::Cooperation,
            1.0,
            false,
            "a cooperation type the need accepts is offered".to_owned(),
        )
    };
    cooperation.terms = shared;
    out.push(cooperation);

    out.push(match (&offer.province_code, &need.province_code) {
        (Some(a), Some(b)) if a == b => part(
            Component::Location,
            1.0,
            false,
            format!("both in province {a}"),
        ),
        (Some(a), Some(b)) => part(
            Component::Location,
            0.0,
            false,
            format!("offer in {a}, need in {b}"),
        ),
        _ => part(
            Component::Location,
            0.0,
            false,
            "province not given".to_owned(),
        ),
    });

    out.push(
        match candidate.last_confirmed_at.or(candidate.published_at) {
            Some(at) => {
                let days = (now - at).num_seconds().max(0) as f64 / 86_400.0;
                part(
                    Component::Freshness,
                    0.5f64.powf(days / config.freshness_half_life_days.max(1.0)),
                    false,
                    format!("confirmed {} days ago", days.floor()),
                )
            }
            None => part(
                Component::Freshness,
                0.5,
                false,
                "never confirmed".to_owned(),
            ),
        },
    );
    out
}

/// Shared fields of science: a shared level-2 code scores 1, a shared level-1 code only 0.5.
fn field_fit(offer: &Facts, need: &Facts) -> (f64, Vec<String>, String) {
    fn level1(code: &str) -> &str {
        code.split('.').next().unwrap_or(code)
    }
    if offer.sci_fields.is_empty() || need.sci_fields.is_empty() {
        return (
            0.25,
            Vec::new(),
            "a field of science is missing on one side".to_owned(),
        );
    }
    let offer_codes: BTreeSet<&str> = offer.sci_fields.iter().map(String::as_str).collect();
    let need_codes: BTreeSet<&str> = need.sci_fields.iter().map(String::as_str).collect();
    let same: Vec<String> = offer_codes
        .intersection(&need_codes)
        .filter(|c| c.contains('.'))
        .map(|c| (*c).to_owned())
        .collect();
    if !same.is_empty() {
        return (1.0, same, "same level-2 field of science".to_owned());
    }
    let offer_parents: BTreeMap<&str, ()> = offer_codes.iter().map(|c| (level1(c), ())).collect();
    let parents: Vec<String> = need_codes
        .iter()
        .map(|c| level1(c))
        .filter(|p| offer_parents.contains_key(p))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(str::to_owned)
        .collect();
    if parents.is_empty() {
        (0.0, Vec::new(), "no field of science in common".to_owned())
    } else {
        (
            0.5,
            parents,
            "same level-1 field of science only".to_owned(),
        )
    }
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
        assert_eq!(vnd(500_000_000), "500.000.000 VND");
        assert_eq!(vnd(999), "999 VND");
    }
}
