//! The optional embedding model's cost: one query's embedding (what a search with the model adds
//! before its index work), records embedded per second (what publishing and a first reindex
//! pay), and the exact nearest-neighbour scan over 120,000 held vectors.
//!
//! `cargo bench --bench embed`, with the model fetched (`scripts/fetch-model`; `TECHX_MODEL_DIR`
//! or `models/`). Prints the figures for `docs/benchmarks.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "synthetic.rs"]
mod synthetic;

use std::time::{Duration, Instant};
use synthetic::{Rng, ms, percentile, rich_listing, vocabulary};
use techx_embed::{Kind, Model, NEARNESS, Neighbours};

fn main() {
    let dir = techx_embed::default_dir();
    let Some(model) = Model::find(&dir).unwrap() else {
        println!(
            "no embedding model in {} (scripts/fetch-model): nothing to measure",
            dir.display()
        );
        return;
    };
    let words = vocabulary();

    // One query at a time, as a search embeds its text.
    let queries = synthetic::query_texts(&words);
    for text in queries.iter().take(10) {
        model.embed(text, Kind::Query).unwrap();
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for _ in 0..3 {
        for text in &queries {
            let t = Instant::now();
            model.embed(text, Kind::Query).unwrap();
            latencies.push(t.elapsed());
        }
    }
    latencies.sort();

    // Records as the indexer embeds them: title, summary, keywords, a batch over the cores.
    let mut rng = Rng(0x5ea7_2026);
    let records: Vec<String> = (0..400)
        .map(|n| {
            let form = rich_listing(&mut rng, &words, n);
            format!(
                "{}\n{}\n{}",
                form.title,
                form.summary,
                form.keywords.join(", ")
            )
        })
        .collect();
    let started = Instant::now();
    let vectors = model.embed_all(&records, Kind::Passage).unwrap();
    let batch = started.elapsed();

    // The exact scan over a catalogue's worth of vectors (the records' vectors, repeated).
    let size = 120_000;
    let mut held = Neighbours::new(model.dim());
    for i in 0..size {
        held.push(i, &vectors[i % vectors.len()]);
    }
    let probe: Vec<Vec<f32>> = queries
        .iter()
        .take(20)
        .map(|q| model.embed(q, Kind::Query).unwrap())
        .collect();
    let mut scans = Vec::new();
    for _ in 0..5 {
        for vector in &probe {
            let t = Instant::now();
            held.nearest(vector, 100, |_| true, NEARNESS);
            scans.push(t.elapsed());
        }
    }
    scans.sort();

    println!("| measure | figure |");
    println!("|---|---:|");
    println!(
        "| one query's embedding, p50 / p99 ({} embeddings of the search benchmark's short queries) | {} / {} ms |",
        latencies.len(),
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99))
    );
    println!(
        "| records embedded (title, summary, keywords), a batch of {} over {} cores | {:.1} records/s ({:.1} s) |",
        records.len(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        records.len() as f64 / batch.as_secs_f64(),
        batch.as_secs_f64()
    );
    println!(
        "| nearest 100 of {size} held vectors (exact scan, one thread), p50 / p99 | {} / {} ms |",
        ms(percentile(&scans, 0.5)),
        ms(percentile(&scans, 0.99))
    );
}
