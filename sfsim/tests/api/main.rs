//! sfsim's own tests: its REST, Bulk and write endpoints over real sockets, answering as
//! Salesforce does (`docs/salesforce.md`). The relay's suite tests the relay against it.

mod dml;
mod harness;
mod rest;
