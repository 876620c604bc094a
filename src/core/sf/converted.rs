//! A converted Lead: Salesforce keeps the Lead and names the Contact it became in
//! `ConvertedContactId`. Everything that treats a converted Lead as its Contact (matching,
//! badges, ROI's credit for touches) reads that here, once.

use super::{SObjectType, SalesforceId};

/// The Contact a Lead was converted into, read through `field` (a record's value of an
/// API field name, "" when empty); `None` for a Lead not converted, or any other record.
pub fn converted_contact<'a>(id: &SalesforceId, field: impl Fn(&str) -> &'a str) -> Option<SalesforceId> {
    if id.object_type() != Some(SObjectType::Lead) {
        return None;
    }
    SalesforceId::parse(field("ConvertedContactId").trim())
        .ok()
        .filter(|contact| contact.object_type() == Some(SObjectType::Contact))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> SalesforceId {
        SalesforceId::parse(text).unwrap()
    }

    #[test]
    fn only_a_lead_with_a_contact_id_is_converted() {
        let lead = id("00Q000000000001EAA");
        let contact = "003000000000001AAA";
        assert_eq!(converted_contact(&lead, |_| contact), Some(id(contact)));
        assert_eq!(converted_contact(&lead, |_| ""), None);
        assert_eq!(converted_contact(&lead, |_| "not an id"), None);
        assert_eq!(converted_contact(&lead, |_| "001000000000001AAA"), None, "an Account id is no contact");
        assert_eq!(converted_contact(&id("003000000000002AAA"), |_| contact), None, "a Contact is never converted");
    }
}
