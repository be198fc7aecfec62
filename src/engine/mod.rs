//! engine: not built yet.
