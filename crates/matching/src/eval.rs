//! The matching quality harness's data and metrics.
//!
//! A labelled set is a directory with:
//!
//! - `offers.jsonl`: one technology offer a line, `{"id": "o001", "form": {…}}`, where `form` is a
//!   listing as `POST /api/v1/listings` takes it;
//! - `needs.jsonl`: one need a line, `{"id": "n01", "form": {…}}`, a request as
//!   `POST /api/v1/requests` takes it;
//! - `judgements.tsv`: `need-id<TAB>offer-id<TAB>grade` with a header row; grade 3 solves the
//!   need within its constraints, 2 solves most of it, 1 is related but not usable as is (wrong
//!   maturity, price or terms), 0 or absent is not relevant.
//!
//! The caller (`techx eval matching`) loads the records through the catalogue services, indexes
//! them with the search indexer and ranks each need's offers with [`crate::find`], as the API
//! does; this module reads the files and scores the rankings.

use std::collections::HashMap;
use std::path::Path;
use techx_search::SearchError;
use techx_search::eval::{bad, read, read_jsonl};

/// One record of a labelled set: its id in the set and its form (JSON).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Labelled {
    pub id: String,
    pub form: serde_json::Value,
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

/// Averages over the judged needs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Report {
    pub needs: usize,
    pub ndcg: f64,
    pub recall: f64,
}

/// Score rankings (need id → offer ids, best first) against the judgements: nDCG@10 with gain
/// 2^grade − 1 and recall@10 of the judged offers.
pub fn report(set: &LabelledSet, rankings: &HashMap<String, Vec<String>>) -> Report {
    let mut out = Report::default();
    for (need, judged) in &set.judgements {
        let ranked = rankings.get(need).cloned().unwrap_or_default();
        let (ndcg, recall, _) = techx_search::eval::score(&ranked, judged);
        out.needs += 1;
        out.ndcg += ndcg;
        out.recall += recall;
    }
    if out.needs > 0 {
        out.ndcg /= out.needs as f64;
        out.recall /= out.needs as f64;
    }
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

        std::fs::write(
            dir.path().join("judgements.tsv"),
            "need\toffer\tgrade\nn1\to9\t3\n",
        )
        .unwrap();
        let error = LabelledSet::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("unknown offer o9"), "{error}");
    }
}
