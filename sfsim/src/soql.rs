//! The SOQL subset the relay needs: `SELECT f1, f2 FROM Object [WHERE Field > datetime]`.
//! Anything else is a `MALFORMED_QUERY`, as Salesforce would say for what it cannot parse.

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub fields: Vec<String>,
    pub object: String,
    /// `(field, datetime)` of `WHERE field > datetime`.
    pub after: Option<(String, String)>,
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
    let rest = &tokens[from + 2..];
    let after = match rest {
        [] => None,
        [w, field, op, value] if w.eq_ignore_ascii_case("WHERE") && *op == ">" => {
            Some((field.to_string(), value.to_string()))
        }
        _ => return Err(format!("unexpected token: '{}'", rest[0])),
    };
    Ok(Query { fields, object, after })
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
    fn parse_rejects_the_rest() {
        assert!(parse("DELETE FROM x").is_err());
        assert!(parse("SELECT FROM Account").is_err());
        assert!(parse("SELECT Id FROM Account GROUP BY Id").is_err());
    }
}
