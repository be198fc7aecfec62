//! scenario: not built yet.
