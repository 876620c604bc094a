//! One imported record's contact details (e-mail, phones, title, company, a link to it in
//! Salesforce) for the rep looking at the matching network page, only if the rep may see
//! the record. The badge index never holds them in clear text.

use crmsync::core::api::CrmContactInfo;
use crmsync::core::sf::links::record_url;
use crmsync::core::sf::{SObjectType, SalesforceId};
use serde_json::{Map, Value};

use crate::state::AppState;
use crate::store::StoreError;

/// Why a record's details are not given.
#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error("the record id {0:?}: {1}")]
    BadId(String, String),
    #[error("the record id {0:?} is not a Lead, Contact or Account id; contact details exist only for those")]
    NotAPerson(String),
    /// Not imported, or not the rep's to see (role-hierarchy visibility): the same answer.
    #[error("{0} {1}")]
    NotFound(&'static str, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The contact details of imported record `id`, as `user_id` may see them.
pub async fn contact_details(state: &AppState, user_id: &str, id: &str) -> Result<CrmContactInfo, ContactError> {
    let parsed = SalesforceId::parse(id).map_err(|e| ContactError::BadId(id.to_string(), e.to_string()))?;
    let object = match parsed.object_type() {
        Some(o @ (SObjectType::Lead | SObjectType::Contact | SObjectType::Account)) => o.api_name(),
        _ => return Err(ContactError::NotAPerson(id.to_string())),
    };
    let id18 = parsed.to_string();
    // Under role-hierarchy visibility a record the rep may not see does not exist for them.
    if !crate::admin::visibility::may_see(state, user_id, object, &id18).await? {
        return Err(ContactError::NotFound(object, id18));
    }
    let Some(row) = state.store.crm_row(object, &id18).await? else {
        return Err(ContactError::NotFound(object, id18));
    };
    let instance_url = state.store.connection().await?.map(|c| c.instance_url).unwrap_or_default();
    let fields: Map<String, Value> = serde_json::from_str(&row.fields_json).unwrap_or_default();
    let mut info = contact_info(object, &id18, &fields, &instance_url);
    if object == "Contact" {
        if let Some(account_id) = info_text(&fields, "AccountId") {
            let account = state.store.crm_row("Account", &account_id).await?;
            info.company = account
                .and_then(|a| serde_json::from_str::<Map<String, Value>>(&a.fields_json).ok())
                .and_then(|f| info_text(&f, "Name"));
        }
    }
    tracing::info!(user = %user_id, record = %id18, "CRM contact details read");
    Ok(info)
}

fn info_text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields.get(name).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// The contact details of an imported record's fields.
fn contact_info(object: &str, id: &str, fields: &Map<String, Value>, instance_url: &str) -> CrmContactInfo {
    let get = |name: &str| info_text(fields, name);
    let name = crmsync::core::sf::display::person_name(
        &get("FirstName").unwrap_or_default(),
        &get("LastName").unwrap_or_default(),
        &get("Name").unwrap_or_default(),
    );
    CrmContactInfo {
        id: id.to_string(),
        object: object.to_string(),
        name,
        title: get("Title"),
        company: get("Company"),
        email: get("Email"),
        phone: get("Phone"),
        mobile_phone: get("MobilePhone"),
        website: get("Website"),
        link: record_url(instance_url, object, id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_info_names_and_links_the_record() {
        let fields: Map<String, Value> = serde_json::from_str(
            r#"{"FirstName":"Ada","LastName":"Lovelace","Email":"ada@example.com","Phone":" ","Company":"AE"}"#,
        )
        .unwrap();
        let info = contact_info("Lead", "00Q000000000001AAA", &fields, "https://acme.my.salesforce.com");
        assert_eq!(info.name, "Ada Lovelace");
        assert_eq!(info.email.as_deref(), Some("ada@example.com"));
        assert_eq!(info.phone, None, "blank values are left out");
        assert_eq!(info.link, "https://acme.lightning.force.com/lightning/r/Lead/00Q000000000001AAA/view");
    }
}
