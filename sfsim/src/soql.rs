//! The SOQL subset the relay needs: `SELECT f1, f2 FROM Object [WHERE cond [AND cond]…]`
//! where a condition is `Field > datetime` (at most one) or `Field = 'text'`. Anything
//! else is a `MALFORMED_QUERY`, as Salesforce would say for what it cannot parse.

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub fields: Vec<String>,
    pub object: String,
    /// `(field, datetime)` of `WHERE field > datetime`.
    pub after: Option<(String, String)>,
    /// `(field, text)` of each `field = 'text'`.
    pub equals: Vec<(String, String)>,
}

impl Query {
    /// Every field the query names (selected or filtered), for the schema check.
    pub fn named_fields(&self) -> impl Iterator<Item = &String> {
        self.fields.iter().chain(self.after.iter().map(|(f, _)| f)).chain(self.equals.iter().map(|(f, _)| f))
    }

    /// Whether a record's fields pass the `=` conditions.
    pub fn keeps(&self, value_of: impl Fn(&str) -> Option<String>) -> bool {
        self.equals.iter().all(|(field, text)| value_of(field).as_deref() == Some(text.as_str()))
    }
}

/// Parses `soql`, or says what is wrong in Salesforce's words.
pub fn parse(soql: &str) -> Result<Query, String> {
    let tokens: Vec<&str> = soql.split_whitespace().collect();
    let upper: Vec<String> = tokens.iter().map(|t| t.to_ascii_uppercase()).collect();
    if upper.first().map(String::as_str) != Some("SELECT") {
        return Err(format!("unexpected token: '{}'", tokens.first().unwrap_or(&"")));
    }
    let from = upper.iter().position(|t| t == "FROM").ok_or("unexpected end of query: expected FROM")?;
    let fields: Vec<String> =
        tokens[1..from].join(" ").split(',').map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect();
    if fields.is_empty() {
        return Err("unexpected token: 'FROM'".into());
    }
    let object = tokens.get(from + 1).ok_or("unexpected end of query after FROM")?.to_string();
    let mut after = None;
    let mut equals = Vec::new();
    if let Some(first) = tokens.get(from + 2) {
        if !first.eq_ignore_ascii_case("WHERE") {
            return Err(format!("unexpected token: '{first}'"));
        }
        // The conditions come from the text itself, so that quoted values may hold spaces.
        let mut starts = soql
            .char_indices()
            .filter(|&(i, c)| !c.is_whitespace() && soql[..i].chars().next_back().is_none_or(char::is_whitespace));
        let where_at = starts.nth(from + 2).map_or(soql.len(), |(i, _)| i);
        let text = &soql[where_at + first.len()..];
        for condition in split_and(text)? {
            let (field, op, value) = condition;
            match (op, value.strip_prefix('\'').and_then(|v| v.strip_suffix('\''))) {
                (">", None) if after.is_none() => after = Some((field, value)),
                ("=", Some(quoted)) => equals.push((field, quoted.replace("\\'", "'"))),
                _ => return Err(format!("unexpected token: '{value}'")),
            }
        }
    }
    Ok(Query { fields, object, after, equals })
}

/// `a = 'x' AND b > t` → `[(a, "=", "'x'"), (b, ">", "t")]`; quotes may hold spaces and
/// `\'`.
fn split_and(text: &str) -> Result<Vec<(String, &'static str, String)>, String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    loop {
        let op_at = rest.find(['=', '>']).ok_or_else(|| format!("unexpected token: '{rest}'"))?;
        let field = rest[..op_at].trim();
        if field.is_empty() || field.contains(char::is_whitespace) {
            return Err(format!("unexpected token: '{field}'"));
        }
        let op = if rest[op_at..].starts_with('=') { "=" } else { ">" };
        let after_op = rest[op_at + 1..].trim_start();
        let value_len = if after_op.starts_with('\'') {
            let bytes = after_op.as_bytes();
            let mut i = 1;
            while i < bytes.len() && !(bytes[i] == b'\'' && bytes[i - 1] != b'\\') {
                i += 1;
            }
            if i >= bytes.len() {
                return Err("unterminated quoted string".into());
            }
            i + 1
        } else {
            after_op.find(char::is_whitespace).unwrap_or(after_op.len())
        };
        out.push((field.to_string(), op, after_op[..value_len].to_string()));
        rest = after_op[value_len..].trim_start();
        if rest.is_empty() {
            return Ok(out);
        }
        let (word, tail) = rest.split_at(rest.find(char::is_whitespace).unwrap_or(rest.len()));
        if !word.eq_ignore_ascii_case("AND") {
            return Err(format!("unexpected token: '{word}'"));
        }
        rest = tail.trim_start();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_select_and_where() {
        let q = parse("SELECT Id, Name FROM Account WHERE SystemModstamp > 2025-01-01T00:00:00.000Z").unwrap();
        assert_eq!(q.fields, ["Id", "Name"]);
        assert_eq!(q.object, "Account");
        assert_eq!(q.after, Some(("SystemModstamp".into(), "2025-01-01T00:00:00.000Z".into())));
        assert_eq!(parse("select Id from Lead").unwrap().after, None);
    }

    #[test]
    fn parse_equality_conditions_with_quoted_spaces() {
        let q = parse("SELECT Id FROM Note WHERE ParentId = '00Q000000000001AAA' AND Title = 'a \\'deal\\' now'");
        let q = q.unwrap();
        assert_eq!(q.equals[0], ("ParentId".to_string(), "00Q000000000001AAA".to_string()));
        assert_eq!(q.equals[1], ("Title".to_string(), "a 'deal' now".to_string()));
        let q = parse("SELECT Id FROM Task WHERE Ext__c = 'a b' AND SystemModstamp > 2025-01-01T00:00:00Z").unwrap();
        assert_eq!(q.equals, vec![("Ext__c".to_string(), "a b".to_string())]);
        assert!(q.after.is_some());
        assert!(q.keeps(|f| (f == "Ext__c").then(|| "a b".to_string())));
        assert!(!q.keeps(|_| None));
        assert!(parse("SELECT Id FROM Task WHERE Ext__c = 'open").is_err());
        assert!(parse("SELECT Id FROM Task WHERE A = 'x' OR B = 'y'").is_err());
    }

    #[test]
    fn parse_rejects_the_rest() {
        assert!(parse("DELETE FROM x").is_err());
        assert!(parse("SELECT FROM Account").is_err());
        assert!(parse("SELECT Id FROM Account GROUP BY Id").is_err());
    }
}
