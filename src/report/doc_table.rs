//! [`DocTable`], the one table shape every document lays out: the section builders
//! ([`super::sections`], the comparison's documents) fill it, the formats (`markdown`, `html`)
//! print it. A leaf, so builders and the document that holds them do not import each other.

/// A table ready to lay out: header cells and text rows. `numeric[i]` right-aligns column i.
#[derive(Debug, Clone, PartialEq)]
pub struct DocTable {
    pub title: String,
    /// One line under the title: what a row is and where the full data lives.
    pub intro: String,
    pub header: Vec<&'static str>,
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}
