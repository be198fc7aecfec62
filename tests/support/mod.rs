//! Helpers shared by every test binary (tests/<area>/main.rs declares this folder with
//! `#[path = "../support/mod.rs"] mod support;`): a binary uses the parts it needs.
#![allow(dead_code, unused_imports)]

pub mod common;
pub mod conservation;
pub mod contract;
pub mod fuzz;
pub mod real;
pub mod report;
pub mod sim;
