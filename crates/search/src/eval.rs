//! The relevance harness: index a BEIR-layout set (`corpus.jsonl`, `queries.jsonl`,
//! `qrels.tsv`) through the same analyzers and query builder as the API, run every query and
//! report nDCG@10 (gain 2^rel − 1), recall@10 and MRR@10.

use crate::SearchError;
use crate::analysis;
use crate::query::{self, Target, TextFields, Weights};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use tantivy::collector::TopDocs;
use tantivy::schema::{STORED, STRING, Schema, Value};
use tantivy::{Index, TantivyDocument};

/// Cut-off of every metric.
pub const K: usize = 10;

#[derive(Debug, Deserialize)]
struct CorpusLine {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

#[derive(Debug, Deserialize)]
struct QueryLine {
    #[serde(rename = "_id")]
    id: String,
    text: String,
}

/// A loaded BEIR set.
#[derive(Debug, Default)]
pub struct Dataset {
    pub corpus: Vec<(String, String, String)>,
    pub queries: Vec<(String, String)>,
    /// query id → (document id → graded relevance)
    pub qrels: HashMap<String, HashMap<String, u32>>,
}

/// A labelled set's file, read whole.
pub fn read(path: &Path) -> Result<String, SearchError> {
    std::fs::read_to_string(path).map_err(|e| SearchError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// A labelled set's JSON Lines file: one value per non-blank line.
pub fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, SearchError> {
    read(path)?
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| serde_json::from_str(line).map_err(|e| bad(path, n + 1, e)))
        .collect()
}

/// A problem at `line` of a labelled set's file.
pub fn bad(path: &Path, line: usize, message: impl std::fmt::Display) -> SearchError {
    SearchError::Read {
        path: path.display().to_string(),
        message: format!("line {line}: {message}"),
    }
}

impl Dataset {
    /// Read `corpus.jsonl`, `queries.jsonl` and `qrels.tsv` (with a header row) from `dir`.
    pub fn load(dir: &Path) -> Result<Dataset, SearchError> {
        let mut dataset = Dataset::default();
        for doc in read_jsonl::<CorpusLine>(&dir.join("corpus.jsonl"))? {
            dataset.corpus.push((doc.id, doc.title, doc.text));
        }
        for query in read_jsonl::<QueryLine>(&dir.join("queries.jsonl"))? {
            dataset.queries.push((query.id, query.text));
        }
        let qrels_path = dir.join("qrels.tsv");
        for (n, line) in read(&qrels_path)?
            .lines()
            .enumerate()
            .skip(1)
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let parts: Vec<&str> = line.split('\t').collect();
            let [query, doc, score] = parts[..] else {
                return Err(bad(
                    &qrels_path,
                    n + 1,
                    "expected query-id, corpus-id and score",
                ));
            };
            let score: u32 = score
                .trim()
                .parse()
                .map_err(|e| bad(&qrels_path, n + 1, e))?;
            if score > 0 {
                dataset
                    .qrels
                    .entry(query.to_owned())
                    .or_default()
                    .insert(doc.to_owned(), score);
            }
        }
        // Only judged queries count.
        dataset
            .queries
            .retain(|(id, _)| dataset.qrels.contains_key(id));
        Ok(dataset)
    }
}

/// Averages over the judged queries.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Report {
    pub queries: usize,
    pub ndcg: f64,
    pub recall: f64,
    pub mrr: f64,
}

/// The metrics of one ranked list against its judgements.
pub fn score(ranked: &[String], judged: &HashMap<String, u32>) -> (f64, f64, f64) {
    let gain = |rel: u32| 2f64.powi(rel as i32) - 1.0;
    let discount = |rank: usize| 1.0 / ((rank + 2) as f64).log2();
    let dcg: f64 = ranked
        .iter()
        .take(K)
        .enumerate()
        .map(|(rank, doc)| gain(judged.get(doc).copied().unwrap_or(0)) * discount(rank))
        .sum();
    let mut ideal: Vec<u32> = judged.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(K)
        .enumerate()
        .map(|(rank, rel)| gain(*rel) * discount(rank))
        .sum();
    let found = ranked
        .iter()
        .take(K)
        .filter(|doc| judged.contains_key(*doc))
        .count();
    let recall = if judged.is_empty() {
        0.0
    } else {
        found as f64 / judged.len() as f64
    };
    let mrr = ranked
        .iter()
        .take(K)
        .position(|doc| judged.contains_key(doc))
        .map(|rank| 1.0 / (rank + 1) as f64)
        .unwrap_or(0.0);
    let ndcg = if idcg > 0.0 { dcg / idcg } else { 0.0 };
    (ndcg, recall, mrr)
}

/// A plain BM25 baseline, what a search library gives out of the box: one text field, tantivy's
/// default analyzer (lowercase words; no folding, pairs or stemming), BM25 with k1 1.2 and b
/// 0.75, a query being the disjunction of its words. `corpus` and `queries` are (id, text);
/// returns each query's ranking, `depth` deep.
pub fn plain_bm25(
    corpus: &[(String, String)],
    queries: &[(String, String)],
    depth: usize,
) -> Result<HashMap<String, Vec<String>>, SearchError> {
    use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, TEXT};
    use tantivy::tokenizer::TokenStream;
    let mut builder = Schema::builder();
    let id_field = builder.add_text_field("id", STRING | STORED);
    let text_field = builder.add_text_field("text", TEXT);
    let index = Index::create_in_ram(builder.build());
    let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
    for (id, text) in corpus {
        let mut document = TantivyDocument::default();
        document.add_text(id_field, id);
        document.add_text(text_field, text);
        writer.add_document(document)?;
    }
    writer.commit()?;
    let searcher = index.reader()?.searcher();
    let mut analyzer = index.tokenizer_for_field(text_field)?;
    let mut rankings = HashMap::with_capacity(queries.len());
    for (id, text) in queries {
        let mut words = std::collections::BTreeSet::new();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            words.insert(stream.token().text.clone());
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|word| {
                let term = tantivy::Term::from_field_text(text_field, word);
                let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
                (Occur::Should, Box::new(query) as Box<dyn Query>)
            })
            .collect();
        let top = TopDocs::with_limit(depth.max(1)).order_by_score();
        let mut ranked = Vec::new();
        for (_, address) in searcher.search(&BooleanQuery::new(clauses), &top)? {
            let document: TantivyDocument = searcher.doc(address)?;
            if let Some(found) = document.get_first(id_field).and_then(|v| v.as_str()) {
                ranked.push(found.to_owned());
            }
        }
        rankings.insert(id.clone(), ranked);
    }
    Ok(rankings)
}

/// Options of one evaluation run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Fixed weights for every query; None: each query gets the profile of its language
    /// (`query::Profile::for_query`), as in the API.
    pub weights: Option<Weights>,
    /// How much a title match counts against a body match.
    pub title_boost: f32,
    /// Strip diacritics from the queries (a user typing without them).
    pub fold_queries: bool,
    /// A second round with terms from the first round's best hits: None takes the profile's
    /// (English queries have one); `Some(documents: 0)` turns it off.
    pub feedback: Option<query::Feedback>,
    /// The saturation of a word's pooled frequency: None takes the profile's.
    pub saturation: Option<crate::bm25f::Saturation>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            weights: None,
            title_boost: 2.0,
            fold_queries: false,
            feedback: None,
            saturation: None,
        }
    }
}

/// Index the corpus in memory and run every judged query.
pub fn evaluate(dataset: &Dataset, options: Options) -> Result<Report, SearchError> {
    Ok(report(dataset, &rankings(dataset, options, K)?))
}

/// The metrics of every judged query's ranking, averaged.
pub fn report(dataset: &Dataset, rankings: &HashMap<String, Vec<String>>) -> Report {
    let mut report = Report::default();
    for (query_id, _) in &dataset.queries {
        let Some(judged) = dataset.qrels.get(query_id) else {
            continue;
        };
        let ranked = rankings.get(query_id).map(Vec::as_slice).unwrap_or(&[]);
        let (ndcg, recall, mrr) = score(ranked, judged);
        report.queries += 1;
        report.ndcg += ndcg;
        report.recall += recall;
        report.mrr += mrr;
    }
    if report.queries > 0 {
        let n = report.queries as f64;
        report.ndcg /= n;
        report.recall /= n;
        report.mrr /= n;
    }
    report
}

/// The query's text as the run types it.
fn typed(text: &str, options: Options) -> String {
    if options.fold_queries {
        analysis::fold(text)
    } else {
        text.to_owned()
    }
}

/// Index the corpus in memory and rank every judged query's first `depth` documents with the
/// engine (the lexical ranking).
pub fn rankings(
    dataset: &Dataset,
    options: Options,
    depth: usize,
) -> Result<HashMap<String, Vec<String>>, SearchError> {
    let harness = Harness::build(&dataset.corpus, options)?;
    let mut rankings = HashMap::with_capacity(dataset.queries.len());
    for (query_id, text) in &dataset.queries {
        rankings.insert(query_id.clone(), harness.rank(text, depth)?);
    }
    Ok(rankings)
}

/// A corpus indexed in memory through the API's analyzers, ready to rank one query at a time
/// (the benchmarks time [`Harness::rank`]).
pub struct Harness<'a> {
    corpus: &'a [(String, String, String)],
    options: Options,
    index: Index,
    searcher: tantivy::Searcher,
    id_field: tantivy::schema::Field,
    title: TextFields,
    body: TextFields,
    groups: Vec<Vec<tantivy::schema::Field>>,
    positions: HashMap<&'a str, usize>,
}

impl<'a> Harness<'a> {
    /// Index `corpus` (id, title, text).
    pub fn build(
        corpus: &'a [(String, String, String)],
        options: Options,
    ) -> Result<Harness<'a>, SearchError> {
        let mut builder = Schema::builder();
        let id_field = builder.add_text_field("id", STRING | STORED);
        let title = TextFields::add(&mut builder, "title");
        let body = TextFields::add(&mut builder, "body");
        let index = Index::create_in_ram(builder.build());
        analysis::register(index.tokenizers());
        let mut writer = index.writer_with_num_threads(1, 100_000_000)?;
        for (id, title_text, text) in corpus {
            let mut document = TantivyDocument::default();
            document.add_text(id_field, id);
            title.fill(&mut document, title_text);
            // The body holds the whole text, title included: one length normalisation over
            // all of it, with the title field adding its own weight on top.
            body.fill(&mut document, &format!("{title_text}\n{text}"));
            writer.add_document(document)?;
        }
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let groups = TextFields::idf_groups(&[title, body]);
        let positions = corpus
            .iter()
            .enumerate()
            .map(|(i, (id, _, _))| (id.as_str(), i))
            .collect();
        Ok(Harness {
            corpus,
            options,
            index,
            searcher,
            id_field,
            title,
            body,
            groups,
            positions,
        })
    }

    /// The ids of the first `depth` documents for `text` (typed as the options say).
    pub fn rank(&self, text: &str, depth: usize) -> Result<Vec<String>, SearchError> {
        let options = self.options;
        let (searcher, id_field, body) = (&self.searcher, self.id_field, self.body);
        let targets = |title_factor: f32| {
            [
                Target {
                    fields: self.title,
                    boost: options.title_boost * title_factor,
                },
                Target {
                    fields: body,
                    boost: 1.0,
                },
            ]
        };
        let text = typed(text, options);
        let profile = match options.weights {
            Some(weights) => query::Profile {
                weights,
                title_factor: 1.0,
                saturation: crate::bm25f::Saturation::default(),
                feedback: None,
            },
            None => query::Profile::for_query(&text),
        };
        let saturation = options.saturation.unwrap_or(profile.saturation);
        let feedback = options
            .feedback
            .or(profile.feedback)
            .filter(|f| f.documents > 0);
        let mut query = query::build(
            self.index.tokenizers(),
            &text,
            &targets(profile.title_factor),
            profile.weights,
            saturation,
        );
        if let Some(feedback) = feedback {
            let first = crate::stats::search_sharing(
                searcher,
                &query,
                &TopDocs::with_limit(feedback.documents).order_by_score(),
                &self.groups,
            )?;
            let mut texts = Vec::with_capacity(first.len());
            for (_, address) in first {
                let document: TantivyDocument = searcher.doc(address)?;
                if let Some(position) = document
                    .get_first(id_field)
                    .and_then(|v| v.as_str())
                    .and_then(|id| self.positions.get(id))
                {
                    let (_, title_text, body_text) = &self.corpus[*position];
                    texts.push(format!("{title_text}\n{body_text}"));
                }
            }
            let terms = query::expansion(
                self.index.tokenizers(),
                searcher,
                body.english,
                &text,
                &texts,
                feedback,
            )?;
            query = query::expanded(query, body.english, &terms);
        }
        let top = TopDocs::with_limit(depth.max(1)).order_by_score();
        let hits = crate::stats::search_sharing(searcher, &query, &top, &self.groups)?;
        let mut ranked = Vec::with_capacity(hits.len());
        for (_, address) in hits {
            let document: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = document.get_first(id_field).and_then(|v| v.as_str()) {
                ranked.push(id.to_owned());
            }
        }
        Ok(ranked)
    }
}

/// The documents' vectors (title and text, as passages), in corpus order.
pub fn document_vectors(
    dataset: &Dataset,
    model: &techx_embed::Model,
) -> Result<Vec<Vec<f32>>, SearchError> {
    let texts: Vec<String> = dataset
        .corpus
        .iter()
        .map(|(_, title, text)| format!("{title}\n{text}"))
        .collect();
    Ok(model.embed_all(&texts, techx_embed::Kind::Passage)?)
}

/// Every judged query's `depth` nearest documents by the model alone, those near enough by
/// `nearness` (the API's is [`techx_embed::NEARNESS`]).
pub fn dense_rankings(
    dataset: &Dataset,
    model: &techx_embed::Model,
    documents: &[Vec<f32>],
    options: Options,
    depth: usize,
    nearness: techx_embed::Nearness,
) -> Result<HashMap<String, Vec<String>>, SearchError> {
    let mut neighbours = techx_embed::Neighbours::new(model.dim());
    for ((id, _, _), vector) in dataset.corpus.iter().zip(documents) {
        neighbours.push(id.as_str(), vector);
    }
    let texts: Vec<String> = dataset
        .queries
        .iter()
        .map(|(_, text)| typed(text, options))
        .collect();
    let vectors = model.embed_all(&texts, techx_embed::Kind::Query)?;
    Ok(dataset
        .queries
        .iter()
        .zip(vectors)
        .map(|((id, _), vector)| {
            let ranked = neighbours
                .nearest(&vector, depth, |_| true, nearness)
                .into_iter()
                .map(|(doc, _)| doc.to_owned())
                .collect();
            (id.clone(), ranked)
        })
        .collect())
}

/// The lexical and dense rankings fused as the API fuses them ([`crate::hybrid`]): the dense
/// ranking counts for documents in another language than the query's.
pub fn fused_rankings(
    dataset: &Dataset,
    lexical: &HashMap<String, Vec<String>>,
    dense: &HashMap<String, Vec<String>>,
    options: Options,
    fusion: crate::hybrid::Fusion,
) -> HashMap<String, Vec<String>> {
    let languages: HashMap<&str, Option<query::QueryLanguage>> = dataset
        .corpus
        .iter()
        .map(|(id, title, text)| {
            let language = crate::hybrid::language_of(&format!("{title}\n{text}"));
            (id.as_str(), language)
        })
        .collect();
    let empty = Vec::new();
    dataset
        .queries
        .iter()
        .map(|(id, text)| {
            let language = query::QueryLanguage::detect(&typed(text, options));
            let same = |doc: &String| match languages.get(doc.as_str()) {
                Some(Some(other)) => *other == language,
                _ => true,
            };
            let fused = crate::hybrid::fuse(
                lexical.get(id).unwrap_or(&empty),
                dense.get(id).unwrap_or(&empty),
                same,
                fusion,
            );
            (id.clone(), fused.into_iter().map(|(doc, _)| doc).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, u32)]) -> HashMap<String, u32> {
        pairs.iter().map(|(d, r)| (d.to_string(), *r)).collect()
    }

    #[test]
    fn a_perfect_ranking_scores_one_and_a_miss_zero() {
        let qrels = judged(&[("a", 2), ("b", 1)]);
        let perfect = score(&["a".into(), "b".into()], &qrels);
        assert!((perfect.0 - 1.0).abs() < 1e-9 && perfect.1 == 1.0 && perfect.2 == 1.0);
        let miss = score(&["x".into()], &qrels);
        assert_eq!(miss, (0.0, 0.0, 0.0));
    }

    #[test]
    fn graded_gain_prefers_the_more_relevant_document_first() {
        let qrels = judged(&[("a", 3), ("b", 1)]);
        let good = score(&["a".into(), "b".into()], &qrels).0;
        let swapped = score(&["b".into(), "a".into()], &qrels).0;
        assert!(good > swapped);
        // MRR counts the first relevant document at rank 2.
        assert_eq!(score(&["x".into(), "b".into()], &qrels).2, 0.5);
    }

    fn tiny_set(dir: &Path) {
        std::fs::write(
            dir.join("corpus.jsonl"),
            r#"{"_id":"d1","title":"Xử lý nước thải chăn nuôi","text":"Chế phẩm vi sinh giảm mùi hôi trang trại lợn."}
{"_id":"d2","title":"Máy sấy lúa","text":"Sấy lúa bằng nhiệt trấu cho hợp tác xã."}
{"_id":"d3","title":"Nuôi tôm","text":"Nước sạch cho ao nuôi, thải bỏ bùn, chăn thả cá."}
"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("queries.jsonl"),
            "{\"_id\":\"q1\",\"text\":\"nước thải chăn nuôi\"}\n{\"_id\":\"q2\",\"text\":\"may say lua\"}\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("qrels.tsv"),
            "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n",
        )
        .unwrap();
    }

    #[test]
    fn accented_and_unaccented_queries_find_their_documents() {
        let dir = tempfile::tempdir().unwrap();
        tiny_set(dir.path());
        let dataset = Dataset::load(dir.path()).unwrap();
        assert_eq!(dataset.queries.len(), 2);
        let report = evaluate(&dataset, Options::default()).unwrap();
        assert_eq!(report.queries, 2);
        assert!((report.mrr - 1.0).abs() < 1e-9, "{report:?}");
        let folded = evaluate(
            &dataset,
            Options {
                fold_queries: true,
                ..Options::default()
            },
        )
        .unwrap();
        assert!((folded.mrr - 1.0).abs() < 1e-9, "{folded:?}");
        // Without the folded and pair fields an unaccented query cannot reach accented text.
        let exact_only = Options {
            weights: Some(Weights {
                exact: 1.0,
                folded: 0.0,
                pairs: 0.0,
                english: 0.0,
            }),
            fold_queries: true,
            ..Options::default()
        };
        assert!(evaluate(&dataset, exact_only).unwrap().mrr < 1.0);
    }

    #[test]
    fn a_missing_file_names_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let error = Dataset::load(dir.path()).unwrap_err();
        assert!(error.to_string().contains("corpus.jsonl"), "{error}");
    }
}

#[cfg(test)]
mod shared_sets {
    use super::*;

    /// The labelled sets beside the project (`../shared/eval`); a user's clone has none, so
    /// the test then has nothing to check.
    fn shared(name: &str) -> Option<Dataset> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/eval")
            .join(name);
        dir.is_dir().then(|| Dataset::load(&dir).unwrap())
    }

    #[test]
    fn vietnamese_relevance_meets_its_targets_with_and_without_diacritics() {
        let Some(dataset) = shared("xquad-vi") else {
            return;
        };
        let accented = evaluate(&dataset, Options::default()).unwrap();
        assert!(
            accented.ndcg >= 0.96,
            "xquad-vi nDCG@10 {:.4}",
            accented.ndcg
        );
        let folded = evaluate(
            &dataset,
            Options {
                fold_queries: true,
                ..Options::default()
            },
        )
        .unwrap();
        assert!(
            folded.ndcg >= 0.93,
            "xquad-vi without diacritics nDCG@10 {:.4}",
            folded.ndcg
        );
    }

    /// With the model (where `scripts/fetch-model` has put it): English questions find their
    /// Vietnamese paragraphs through the fusion, and Vietnamese questions keep their lexical
    /// figure.
    #[test]
    fn with_the_model_english_questions_reach_vietnamese_paragraphs() {
        let Some(dataset) = shared("xquad-en-vi") else {
            return;
        };
        let dir = std::env::var_os("TECHX_MODEL_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"));
        let Some(model) = techx_embed::Model::find(&dir).unwrap() else {
            return;
        };
        let options = Options::default();
        let depth = crate::hybrid::DEPTH;
        let lexical = rankings(&dataset, options, depth).unwrap();
        let vectors = document_vectors(&dataset, &model).unwrap();
        let dense = dense_rankings(
            &dataset,
            &model,
            &vectors,
            options,
            depth,
            techx_embed::NEARNESS,
        )
        .unwrap();
        let fused = fused_rankings(
            &dataset,
            &lexical,
            &dense,
            options,
            crate::hybrid::Fusion::default(),
        );
        let hybrid = report(&dataset, &fused).ndcg;
        assert!(hybrid >= 0.80, "xquad-en-vi hybrid nDCG@10 {hybrid:.4}");
        assert!(hybrid > report(&dataset, &lexical).ndcg + 0.3);
    }
}
