//! metrics: not built yet.
