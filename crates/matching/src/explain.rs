//! Why a pair scores what it scores: each component of an offer–need pair (fields of science,
//! text, maturity, price against budget, cooperation, transfer form, freshness) with its score,
//! its weight and a sentence in Vietnamese, and the terms two texts share.

use super::*;

/// Words and adjacent-word pairs of a text: folded form → the form as written (lowercase).
pub(crate) struct Terms {
    words: Vec<(String, String)>,
    pairs: Vec<(String, String)>,
}

impl Terms {
    pub(crate) fn of(text: &str) -> Terms {
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
    pub(crate) fn matched(
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

pub(crate) fn vnd(amount: i64) -> String {
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
pub(crate) fn explain(
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
