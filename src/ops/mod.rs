//! ops: not built yet.
