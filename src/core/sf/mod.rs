//! The Salesforce data model as crmsync needs it: record ids and the objects they name.

pub mod converted;
pub mod display;
pub mod id;
pub mod links;
pub mod object;
pub mod schema;

pub use id::{IdError, SalesforceId};
pub use object::SObjectType;
