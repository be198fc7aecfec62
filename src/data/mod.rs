//! Per-request data: the values that fill a scenario's `{{name}}` holes. [`template`] parses
//! text with holes once and fills it per request; [`file`] checks and streams CSV and JSON
//! Lines data files in their mode (cycle, random, once); [`generator`] makes values without a
//! file (sequence, random integer, UUID, choice, time). Knows nothing of HTTP, the scenario
//! file's shape or the engine; [`feed`] hands out one request's values from all of them: the scenario resolves which holes exist, the engine fills them.

pub mod feed;
pub mod file;
pub mod generator;
pub mod template;

pub use feed::{Feed, FileSource, Needs, Values};
pub use file::{DataError, Format, Mode, Rows, Shape};
pub use generator::{Generator, TimeFormat};
pub use template::{Piece, Template, TemplateError};
