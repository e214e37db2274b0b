//! The warranty rules: policies ([`policy`]) and which one covers a sold item ([`catalog`]),
//! whether a failure is covered and what a replacement inherits ([`coverage`]), which
//! extended plans may be sold ([`plans`]), and every warranty on one item at once
//! ([`stack`]).

pub mod catalog;
pub mod coverage;
pub mod plans;
pub mod policy;
pub mod stack;
