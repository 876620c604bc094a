//! Reading a rep's write-back preference change (`PUT /api/v1/me/writeback`): the forms
//! the popup and the console send, each checked with a message naming what was wrong.

use crmsync::core::activity::ActivityKind;
use serde_json::Value;

/// Reads a `PUT /api/v1/me/writeback` body into the new opt-in list: `{"kinds": {"call":
/// true, …}}` or a flat `{"call": true, …}` change the named kinds only; `{"kinds":
/// ["call", …]}` names every kind that is on. `enabled` (the admin's switch) is ignored.
pub fn apply_prefs_body(current: &[ActivityKind], body: &Value) -> Result<Vec<ActivityKind>, String> {
    let kind = |name: &str| {
        ActivityKind::parse(name)
            .ok_or_else(|| format!("unknown kind {name:?} (expected one of {})", ActivityKind::names()))
    };
    let Some(top) = body.as_object() else {
        return Err("send an object: {\"kinds\": {\"call\": true, …}} or {\"kinds\": [\"call\", …]}".into());
    };
    if let Some(unknown) =
        top.keys().find(|k| k.as_str() != "kinds" && k.as_str() != "enabled" && ActivityKind::parse(k).is_none())
    {
        return Err(format!("unknown field {unknown:?} (expected kinds, or kind names: {})", ActivityKind::names()));
    }
    if let Some((name, _)) = top.iter().find(|(k, v)| k.as_str() != "kinds" && !v.is_boolean()) {
        return Err(format!("{name}: expected true or false"));
    }
    let enabled_ok = |map: &serde_json::Map<String, Value>| map.get("enabled").is_none_or(Value::is_boolean);
    if !body.get("kinds").and_then(Value::as_object).is_none_or(enabled_ok) {
        return Err("kinds.enabled: expected true or false (it is the admin's switch and is not changed here)".into());
    }
    let changes = match body.get("kinds").unwrap_or(body) {
        Value::Array(names) => {
            let mut on = Vec::new();
            for name in names {
                on.push(kind(name.as_str().ok_or("kinds: list kind names as strings")?)?);
            }
            return Ok(on);
        }
        Value::Object(map) => map,
        _ => return Err("send {\"kinds\": {\"call\": true, …}} or {\"kinds\": [\"call\", …]}".into()),
    };
    let mut on: Vec<ActivityKind> = current.to_vec();
    // `enabled` is the admin's (what GET shows); a body sent back as it came is fine.
    for (name, value) in changes.iter().filter(|(name, _)| *name != "enabled") {
        let k = kind(name)?;
        let wanted = value.as_bool().ok_or_else(|| format!("{name}: expected true or false"))?;
        on.retain(|existing| *existing != k);
        if wanted {
            on.push(k);
        }
    }
    Ok(on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefs_body_forms() {
        let now = [ActivityKind::Call];
        assert_eq!(
            apply_prefs_body(&now, &json!({"kinds": {"inmail": true}})),
            Ok(vec![ActivityKind::Call, ActivityKind::Inmail])
        );
        assert_eq!(apply_prefs_body(&now, &json!({"call": false})), Ok(vec![]));
        assert_eq!(apply_prefs_body(&now, &json!({"kinds": ["note"]})), Ok(vec![ActivityKind::Note]));
        assert!(apply_prefs_body(&now, &json!({"kinds": {"sms": true}})).is_err_and(|e| e.contains("sms")));
        assert!(apply_prefs_body(&now, &json!({"call": "yes"})).is_err());
        assert!(apply_prefs_body(&now, &json!(3)).is_err());
        let echoed = json!({"enabled": true, "call": true, "note": true});
        assert_eq!(apply_prefs_body(&now, &echoed), Ok(vec![ActivityKind::Call, ActivityKind::Note]));
    }
}
