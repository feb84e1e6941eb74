//! `techx eval matching --dir DIR`: load a labelled set of offers and needs into a throw-away
//! SQLite database through the catalogue services, index it with the search indexer, rank each
//! need's offers with the matching engine the API uses, and score the rankings.

use crate::demo::{DemoOrganization, PUBLISH, register_organization, step};
use anyhow::Context;
use std::collections::HashMap;
use std::path::Path;
use techx_accounts::{Accounts, AccountsSettings, Actor};
use techx_core::RecordKind;
use techx_core::codes::{OrgType, Province};
use techx_db::{Db, DbTarget, PoolOptions};
use techx_listings::Listings;
use techx_listings::dto::ListingForm;
use techx_matching::eval::{LabelledSet, Report};
use techx_matching::{Component, Config, Facts, MatchRequest, Weights};
use techx_requests::Requests;
use techx_requests::dto::RequestForm;
use techx_search::index::{Filters, SearchIndex};
use techx_search::indexer::Indexer;

/// The labelled set loaded, published and indexed.
pub struct Loaded {
    set: LabelledSet,
    index: std::sync::Arc<SearchIndex>,
    /// listing id → offer id in the set
    offers: HashMap<i64, String>,
    /// need id in the set → the request's public facts
    needs: Vec<(String, Facts)>,
    /// The records' vectors, when the embedding model was given.
    vectors: Option<std::sync::Arc<techx_search::vectors::Vectors>>,
    _work: tempfile::TempDir,
}

fn organization(key: &str, name: &str, org_type: OrgType) -> DemoOrganization {
    DemoOrganization {
        key: key.to_owned(),
        name: name.to_owned(),
        org_type,
        province_code: Province::ThanhHoa,
        tax_code: None,
        website: None,
        address: None,
        verified: true,
        owner_email: format!("{key}@eval.techx.invalid"),
        owner_name: format!("Eval {key}"),
    }
}

/// Load `dir` into a new database and index.
pub async fn load(dir: &Path, model: Option<techx_embed::Model>) -> anyhow::Result<Loaded> {
    let set = LabelledSet::load(dir)?;
    let work = tempfile::tempdir().context("cannot create a working directory")?;
    let target = DbTarget::Sqlite(work.path().join("eval.db"));
    let db = tokio::task::spawn_blocking(move || Db::connect(&target, PoolOptions { max_size: 4 }))
        .await??;
    db.run(techx_db::run_migrations).await?;
    let accounts = Accounts::new(db.clone(), &[0u8; 32], AccountsSettings::default())?;
    let listings = Listings::new(db.clone());
    let requests = Requests::new(db.clone());
    let password = "eval-matching-2026";
    let offerer = register_organization(
        &accounts,
        password,
        &organization(
            "offers",
            "Bên chào bán (bộ đánh giá)",
            OrgType::ResearchInstitute,
        ),
    )
    .await?;
    let needer = register_organization(
        &accounts,
        password,
        &organization("needs", "Bên có nhu cầu (bộ đánh giá)", OrgType::Enterprise),
    )
    .await?;
    let system = Actor::system();
    let mut offers = HashMap::new();
    for offer in &set.offers {
        let mut form: ListingForm = serde_json::from_value(offer.form.clone())
            .with_context(|| format!("offer {}", offer.id))?;
        form.organization_id = Some(offerer);
        let id = listings
            .create(&system, form)
            .await
            .map_err(|e| anyhow::anyhow!("offer {}: {e}", offer.id))?
            .id;
        for action in PUBLISH {
            listings.transition(&system, id, step(action), None).await?;
        }
        offers.insert(id.0, offer.id.clone());
    }
    let mut need_ids = Vec::new();
    for need in &set.needs {
        let mut form: RequestForm = serde_json::from_value(need.form.clone())
            .with_context(|| format!("need {}", need.id))?;
        form.organization_id = Some(needer);
        let id = requests
            .create(&system, form)
            .await
            .map_err(|e| anyhow::anyhow!("need {}: {e}", need.id))?
            .id;
        for action in PUBLISH {
            requests.transition(&system, id, step(action), None).await?;
        }
        need_ids.push((need.id.clone(), id));
    }
    let (index, _) = SearchIndex::open(&work.path().join("search"))?;
    let index = std::sync::Arc::new(index);
    let vectors = model.map(|model| {
        std::sync::Arc::new(techx_search::vectors::Vectors::new(std::sync::Arc::new(
            model,
        )))
    });
    let mut indexer = Indexer::new(index.clone(), db.clone());
    if let Some(vectors) = &vectors {
        indexer = indexer.with_vectors(vectors.clone());
    }
    indexer.rebuild(|_| {}).await?;
    let mut needs = Vec::new();
    for (name, id) in need_ids {
        // What an anonymous caller of the API reads: the public view.
        let view = requests.public_view(None, id).await?;
        let facts = Facts::from(&view);
        needs.push((name, facts));
    }
    Ok(Loaded {
        set,
        index,
        offers,
        needs,
        vectors,
        _work: work,
    })
}

impl Loaded {
    pub fn offers(&self) -> usize {
        self.set.offers.len()
    }

    pub fn needs(&self) -> usize {
        self.set.needs.len()
    }

    /// Whether the records have vectors (the model was given).
    pub fn has_model(&self) -> bool {
        self.vectors.is_some()
    }

    /// Rank every need's offers with `config` and score the rankings; `by_meaning` adds the
    /// offers near each need by meaning in another language, as the API does with the model.
    pub fn run(&self, config: &Config, by_meaning: bool) -> anyhow::Result<Report> {
        let now = chrono::Utc::now();
        let mut rankings: HashMap<String, Vec<String>> = HashMap::new();
        for (name, facts) in &self.needs {
            let near = match (&self.vectors, by_meaning) {
                (Some(vectors), true) => {
                    techx_matching::near_by_meaning(vectors, facts, RecordKind::Listing)?
                }
                _ => Vec::new(),
            };
            let request = MatchRequest {
                source: facts.clone(),
                source_kind: RecordKind::Request,
                filters: Filters::default(),
                limit: techx_matching::eval::CANDIDATE_DEPTH,
                strict: false,
                near,
            };
            let found = techx_matching::find(&self.index, config, &request, now)?;
            let ranked = found
                .items
                .iter()
                .filter_map(|m| self.offers.get(&m.id).cloned())
                .collect();
            rankings.insert(name.clone(), ranked);
        }
        Ok(techx_matching::eval::report(&self.set, &rankings))
    }

    /// The baseline: a plain BM25 of each need's whole public text (title, problem, keywords)
    /// against each offer's title, summary and keywords ([`techx_search::eval::plain_bm25`]).
    pub fn plain_bm25(&self) -> anyhow::Result<Report> {
        fn text(form: &serde_json::Value, keys: &[&str]) -> String {
            let mut parts: Vec<String> = keys
                .iter()
                .filter_map(|key| form.get(*key).and_then(|v| v.as_str()).map(str::to_owned))
                .collect();
            if let Some(keywords) = form.get("keywords").and_then(|v| v.as_array()) {
                parts.extend(
                    keywords
                        .iter()
                        .filter_map(|k| k.as_str())
                        .map(str::to_owned),
                );
            }
            parts.join("\n")
        }
        let corpus: Vec<(String, String)> = self
            .set
            .offers
            .iter()
            .map(|o| (o.id.clone(), text(&o.form, &["title", "summary"])))
            .collect();
        let queries: Vec<(String, String)> = self
            .set
            .needs
            .iter()
            .map(|n| (n.id.clone(), text(&n.form, &["title", "problem"])))
            .collect();
        let rankings = techx_search::eval::plain_bm25(
            &corpus,
            &queries,
            techx_matching::eval::CANDIDATE_DEPTH,
        )?;
        Ok(techx_matching::eval::report(&self.set, &rankings))
    }
}

/// The runs the harness prints: text relevance alone, the engine, the engine without each
/// component, and text with each component alone.
pub fn variants(engine: Config) -> Vec<(String, Config)> {
    let text_only = Config {
        weights: Weights::text_only(),
        violation_factor: 1.0,
        constraints_first: false,
        ..engine
    };
    let mut out = vec![
        ("text relevance alone".to_owned(), text_only),
        ("engine".to_owned(), engine),
        (
            "text, violations ranked last".to_owned(),
            Config {
                constraints_first: true,
                ..text_only
            },
        ),
        (
            "engine, violations ranked last".to_owned(),
            Config {
                constraints_first: true,
                ..engine
            },
        ),
        (
            "engine, violations not lowered".to_owned(),
            Config {
                violation_factor: 1.0,
                ..engine
            },
        ),
    ];
    for component in Component::ALL.into_iter().skip(1) {
        let mut weights = engine.weights;
        weights.set(component, 0.0);
        out.push((
            format!("engine without {}", component.as_str()),
            Config { weights, ..engine },
        ));
    }
    for component in Component::ALL.into_iter().skip(1) {
        let mut weights = Weights::text_only();
        weights.text = engine.weights.text;
        weights.set(component, engine.weights.of(component));
        out.push((
            format!("text + {}", component.as_str()),
            Config {
                weights,
                constraints_first: false,
                ..engine
            },
        ));
    }
    out
}
