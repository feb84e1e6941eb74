//! The matching quality harness's data and metrics.
//!
//! A labelled set is a directory with:
//!
//! - `offers.jsonl`: one technology offer a line, `{"id": "o001", "form": {…}}`, where `form` is a
//!   listing as `POST /api/v1/listings` takes it;
//! - `needs.jsonl`: one need a line, `{"id": "n01", "form": {…}}`, a request as
//!   `POST /api/v1/requests` takes it;
//! - `judgements.tsv`: `need-id<TAB>offer-id<TAB>grade` with a header row; grade 3 solves the
//!   need within its constraints, 2 solves it with a catch (other words, or one constraint
//!   broken), 1 is related but not usable as is, 0 or absent is not relevant.
//!
//! A need may carry a `group` next to its form (`"vi-long"`, `"en"`, …) to be reported apart;
//! without one its group is its form's `lang`, with `-unaccented` when a Vietnamese need is
//! typed without diacritics.
//!
//! The caller (`techx eval matching`) loads the records through the catalogue services, indexes
//! them with the search indexer and ranks each need's offers with [`crate::find`], as the API
//! does; this module reads the files and scores the rankings.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use techx_search::SearchError;
use techx_search::eval::{bad, read, read_jsonl};

/// One record of a labelled set: its id in the set and its form (JSON).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Labelled {
    pub id: String,
    pub form: serde_json::Value,
    /// What the need is reported with (its language by default).
    #[serde(default)]
    pub group: Option<String>,
}

impl Labelled {
    /// The group a need is reported in.
    pub fn group(&self) -> String {
        if let Some(group) = &self.group {
            return group.clone();
        }
        let lang = self
            .form
            .get("lang")
            .and_then(|v| v.as_str())
            .unwrap_or("vi");
        let text: String = ["title", "problem"]
            .iter()
            .filter_map(|key| self.form.get(*key).and_then(|v| v.as_str()))
            .collect();
        if lang == "vi" && techx_search::analysis::fold(&text) == text {
            "vi-unaccented".to_owned()
        } else {
            lang.to_owned()
        }
    }
}

/// A loaded labelled set.
#[derive(Debug, Default)]
pub struct LabelledSet {
    pub offers: Vec<Labelled>,
    pub needs: Vec<Labelled>,
    /// need id → (offer id → grade), grades above 0 only.
    pub judgements: HashMap<String, HashMap<String, u32>>,
}

impl LabelledSet {
    /// Read `offers.jsonl`, `needs.jsonl` and `judgements.tsv` from `dir`. A judgement naming an
    /// unknown need or offer is an error.
    pub fn load(dir: &Path) -> Result<LabelledSet, SearchError> {
        let offers: Vec<Labelled> = read_jsonl(&dir.join("offers.jsonl"))?;
        let needs: Vec<Labelled> = read_jsonl(&dir.join("needs.jsonl"))?;
        let path = dir.join("judgements.tsv");
        let mut judgements: HashMap<String, HashMap<String, u32>> = HashMap::new();
        for (n, line) in read(&path)?
            .lines()
            .enumerate()
            .skip(1)
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let parts: Vec<&str> = line.split('\t').map(str::trim).collect();
            let [need, offer, grade] = parts[..] else {
                return Err(bad(&path, n + 1, "expected need-id, offer-id and grade"));
            };
            if !needs.iter().any(|r| r.id == need) {
                return Err(bad(&path, n + 1, format!("unknown need {need}")));
            }
            if !offers.iter().any(|r| r.id == offer) {
                return Err(bad(&path, n + 1, format!("unknown offer {offer}")));
            }
            let grade: u32 = grade.parse().map_err(|e| bad(&path, n + 1, e))?;
            if grade > 3 {
                return Err(bad(&path, n + 1, "grades are 0 to 3"));
            }
            if grade > 0 {
                judgements
                    .entry(need.to_owned())
                    .or_default()
                    .insert(offer.to_owned(), grade);
            }
        }
        Ok(LabelledSet {
            offers,
            needs,
            judgements,
        })
    }
}

/// Averages over the judged needs, overall and by group, and what share of each grade's offers
/// is found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub needs: usize,
    pub ndcg: f64,
    pub recall: f64,
    /// Offers that solve their need (grade 2 or 3) ranked among the first 100 (candidate recall).
    pub solving_recall_100: f64,
    /// Group → (needs, nDCG@10).
    pub groups: BTreeMap<String, (usize, f64)>,
    /// Grade → (offers of that grade, share ranked in the first 10).
    pub grades: BTreeMap<u32, (usize, f64)>,
}

/// How deep candidate recall looks.
pub const CANDIDATE_DEPTH: usize = 100;

/// Score rankings (need id → offer ids, best first, as deep as the engine ranks) against the
/// judgements: nDCG@10 with gain 2^grade − 1, recall@10 of the judged offers, and the shares
/// above.
pub fn report(set: &LabelledSet, rankings: &HashMap<String, Vec<String>>) -> Report {
    let mut out = Report::default();
    let (mut solving, mut solving_found) = (0usize, 0usize);
    let mut grade_found: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
    for need in &set.needs {
        let Some(judged) = set.judgements.get(&need.id) else {
            continue;
        };
        let ranked = rankings.get(&need.id).cloned().unwrap_or_default();
        let (ndcg, recall, _) = techx_search::eval::score(&ranked, judged);
        out.needs += 1;
        out.ndcg += ndcg;
        out.recall += recall;
        let group = out.groups.entry(need.group()).or_default();
        group.0 += 1;
        group.1 += ndcg;
        for (offer, grade) in judged {
            let position = ranked.iter().position(|r| r == offer);
            let entry = grade_found.entry(*grade).or_default();
            entry.0 += 1;
            entry.1 += usize::from(position.is_some_and(|p| p < techx_search::eval::K));
            if *grade >= 2 {
                solving += 1;
                solving_found += usize::from(position.is_some_and(|p| p < CANDIDATE_DEPTH));
            }
        }
    }
    if out.needs > 0 {
        out.ndcg /= out.needs as f64;
        out.recall /= out.needs as f64;
    }
    for (count, ndcg) in out.groups.values_mut() {
        *ndcg /= (*count).max(1) as f64;
    }
    out.grades = grade_found
        .into_iter()
        .map(|(grade, (count, found))| (grade, (count, found as f64 / count.max(1) as f64)))
        .collect();
    out.solving_recall_100 = solving_found as f64 / solving.max(1) as f64;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_read_and_bad_judgements_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("offers.jsonl"),
            "{\"id\":\"o1\",\"form\":{\"title\":\"a\"}}\n{\"id\":\"o2\",\"form\":{}}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("needs.jsonl"),
            "{\"id\":\"n1\",\"form\":{\"title\":\"b\"}}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("judgements.tsv"),
            "need\toffer\tgrade\nn1\to1\t3\nn1\to2\t0\n",
        )
        .unwrap();
        let set = LabelledSet::load(dir.path()).unwrap();
        assert_eq!((set.offers.len(), set.needs.len()), (2, 1));
        assert_eq!(set.judgements["n1"].len(), 1);
        let rankings: HashMap<String, Vec<String>> =
            [("n1".to_owned(), vec!["o2".to_owned(), "o1".to_owned()])].into();
        let r = report(&set, &rankings);
        assert_eq!(r.needs, 1);
        assert!((r.ndcg - 1.0 / 3f64.log2()).abs() < 1e-9);
        assert_eq!(r.recall, 1.0);
        assert_eq!(r.solving_recall_100, 1.0);
        assert_eq!(r.grades[&3], (1, 1.0));
        assert_eq!(r.groups["vi-unaccented"].0, 1);
        let none: HashMap<String, Vec<String>> = HashMap::new();
        let missed = report(&set, &none);
        assert_eq!((missed.solving_recall_100, missed.grades[&3].1), (0.0, 0.0));

        std::fs::write(
            dir.path().join("judgements.tsv"),
            "need\toffer\tgrade\nn1\to9\t3\n",
        )
        .unwrap();
        let error = LabelledSet::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("unknown offer o9"), "{error}");
    }
}
