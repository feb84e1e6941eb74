//! Facet counting: a collector that counts, for each requested code-list field, how many
//! matching records carry each code. It reads the fields' columnar (fast) values, so counting
//! costs one pass over the matches and no stored document is read.

use std::collections::HashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// A facet a caller can ask counts for: the name on the API and the fast field it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    Kind,
    SciField,
    Trl,
    Province,
    OrgType,
    IpType,
    CooperationType,
    TransferForm,
}

impl Facet {
    pub const ALL: &'static [Facet] = &[
        Facet::Kind,
        Facet::SciField,
        Facet::Trl,
        Facet::Province,
        Facet::OrgType,
        Facet::IpType,
        Facet::CooperationType,
        Facet::TransferForm,
    ];

    /// The name used in `facets=` and in the response.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Kind => "kind",
            Facet::SciField => "sci_field",
            Facet::Trl => "trl",
            Facet::Province => "province_code",
            Facet::OrgType => "org_type",
            Facet::IpType => "ip_type",
            Facet::CooperationType => "cooperation_type",
            Facet::TransferForm => "transfer_form",
        }
    }

    /// The index field holding the codes.
    pub(crate) fn field(self) -> &'static str {
        match self {
            Facet::Kind => "kind",
            Facet::SciField => "f_sci_field",
            Facet::Trl => "f_trl",
            Facet::Province => "f_province",
            Facet::OrgType => "f_org_type",
            Facet::IpType => "f_ip_type",
            Facet::CooperationType => "f_cooperation_type",
            Facet::TransferForm => "f_transfer_form",
        }
    }

    pub fn parse(name: &str) -> Option<Facet> {
        Facet::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// Counts per code for each facet, in the order the facets were asked.
pub type FacetCounts = Vec<(Facet, HashMap<String, u64>)>;

/// Counts the codes of `facets` over the matching documents.
pub struct FacetCounter {
    pub facets: Vec<Facet>,
}

pub struct SegmentFacetCounter {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
    facets: Vec<Facet>,
}

impl Collector for FacetCounter {
    type Fruit = FacetCounts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let mut columns = Vec::with_capacity(self.facets.len());
        let mut counts = Vec::with_capacity(self.facets.len());
        for facet in &self.facets {
            let column = reader.fast_fields().str(facet.field())?;
            counts.push(vec![
                0;
                column
                    .as_ref()
                    .map(|c| c.dictionary().num_terms())
                    .unwrap_or(0)
            ]);
            columns.push(column);
        }
        Ok(SegmentFacetCounter {
            columns,
            counts,
            facets: self.facets.clone(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut merged: FacetCounts = self
            .facets
            .iter()
            .map(|facet| (*facet, HashMap::new()))
            .collect();
        for fruit in fruits {
            for ((_, into), (_, from)) in merged.iter_mut().zip(fruit) {
                for (code, count) in from {
                    *into.entry(code).or_default() += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    if let Some(count) = counts.get_mut(ord as usize) {
                        *count += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> FacetCounts {
        let mut fruit = Vec::with_capacity(self.facets.len());
        for ((facet, column), counts) in self.facets.into_iter().zip(self.columns).zip(self.counts)
        {
            let mut codes = HashMap::new();
            if let Some(column) = column {
                let mut code = String::new();
                for (ord, count) in counts.into_iter().enumerate() {
                    if count > 0 && matches!(column.ord_to_str(ord as u64, &mut code), Ok(true)) {
                        codes.insert(code.clone(), count);
                    }
                }
            }
            fruit.push((facet, codes));
        }
        fruit
    }
}
