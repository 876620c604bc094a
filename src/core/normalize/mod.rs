//! Normalisation shared by the relay and the browser: every field is reduced to the
//! form the matcher compares, the same way on both sides.

pub mod company;
pub mod domain;
pub mod email;
pub mod headline;
pub mod location;
pub mod name;
pub mod phone;
pub mod text;
pub mod title;

pub use company::company_key;
pub use domain::{is_free_mail, registrable_domain};
pub use email::Email;
pub use headline::{company_from_headline, title_from_headline};
pub use location::{country_code, Location};
pub use name::{nickname_compatible, nickname_groups_of, shares_group, soundex, PersonName};
pub use phone::to_e164;
pub use text::fold;
pub use title::title_key;

/// A normalised field: inline up to 23 bytes (nearly every name, place, employer, e-mail
/// part and phone number), so a record is one block of memory rather than a dozen.
pub type Text = smol_str::SmolStr;
