//! SOQL as Salesforce clients send it: `SELECT fields FROM Object [WHERE condition]
//! [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n]`, with
//! `COUNT()`, relationship fields (`Account.Name`), conditions joined by `AND`, `OR`,
//! `NOT` and parentheses, the operators `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`, `LIKE`,
//! `IN (…)`, `NOT IN (…)`, and string, number, boolean, `null`, date and datetime
//! literals. Anything else is a `MALFORMED_QUERY`, as Salesforce would say for what it
//! cannot parse.

mod parse;
pub use parse::parse;
use std::cmp::Ordering;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// As written: `Id`, `Account.Name`, or `COUNT()`.
    pub fields: Vec<String>,
    pub object: String,
    pub filter: Option<Expr>,
    /// `(field, datetime)` of a top-level `SystemModstamp > datetime` condition: the
    /// store narrows to these changes before the filter runs (and Bulk needs nothing else).
    pub after: Option<(String, String)>,
    pub order_by: Vec<OrderBy>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// One `ORDER BY` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    pub field: String,
    pub descending: bool,
    pub nulls_last: bool,
}

/// A `WHERE` condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Compare { field: String, op: Op, value: Literal },
    In { field: String, values: Vec<Literal>, negated: bool },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
    /// A date (`2025-01-02`) or datetime (`2025-01-02T03:04:05.000Z`), normalised.
    Date(String),
}

impl Query {
    /// Every field the query names (selected, filtered or sorted), for the schema check.
    pub fn named_fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.fields.iter().map(String::as_str).filter(|f| !is_count(f)).collect();
        if let Some(filter) = &self.filter {
            filter.fields(&mut out);
        }
        out.extend(self.order_by.iter().map(|o| o.field.as_str()));
        out
    }

    /// `SELECT COUNT() FROM …`.
    pub fn count_only(&self) -> bool {
        self.fields.len() == 1 && is_count(&self.fields[0])
    }

    /// Whether the query is no more than Bulk API 2.0 needs here: plain fields and at most
    /// the `SystemModstamp >` condition.
    pub fn plain_export(&self) -> bool {
        let filter_is_after = match (&self.filter, &self.after) {
            (None, _) => true,
            (Some(Expr::Compare { field, op: Op::Gt, .. }), Some((after, _))) => field == after,
            _ => false,
        };
        filter_is_after
            && self.order_by.is_empty()
            && self.limit.is_none()
            && self.offset.is_none()
            && !self.count_only()
            && self.fields.iter().all(|f| !f.contains('.'))
    }

    /// Whether a record passes the `WHERE` condition; `value_of` answers a field's stored
    /// text (relationship fields too), `None` for null.
    pub fn keeps(&self, value_of: &impl Fn(&str) -> Option<String>) -> bool {
        self.filter.as_ref().is_none_or(|f| f.holds(value_of))
    }

    /// Sorts records by the `ORDER BY` keys, then applies `OFFSET` and `LIMIT`.
    pub fn arrange<T>(&self, mut records: Vec<T>, value_of: impl Fn(&T, &str) -> Option<String>) -> Vec<T> {
        if !self.order_by.is_empty() {
            records.sort_by(|a, b| {
                for key in &self.order_by {
                    let ordering = match (value_of(a, &key.field), value_of(b, &key.field)) {
                        (None, None) => Ordering::Equal,
                        (None, Some(_)) => {
                            if key.nulls_last {
                                Ordering::Greater
                            } else {
                                Ordering::Less
                            }
                        }
                        (Some(_), None) => {
                            if key.nulls_last {
                                Ordering::Less
                            } else {
                                Ordering::Greater
                            }
                        }
                        (Some(x), Some(y)) => {
                            let o = compare_text(&x, &y);
                            if key.descending {
                                o.reverse()
                            } else {
                                o
                            }
                        }
                    };
                    if ordering != Ordering::Equal {
                        return ordering;
                    }
                }
                Ordering::Equal
            });
        }
        let skip = self.offset.unwrap_or(0);
        records.into_iter().skip(skip).take(self.limit.unwrap_or(usize::MAX)).collect()
    }
}

fn is_count(field: &str) -> bool {
    field.eq_ignore_ascii_case("count()")
}

/// Numbers compare as numbers, everything else as case-insensitive text (ISO dates sort
/// as text).
fn compare_text(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.to_lowercase().cmp(&b.to_lowercase()),
    }
}

impl Expr {
    fn fields<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.fields(out)),
            Expr::Not(inner) => inner.fields(out),
            Expr::Compare { field, .. } | Expr::In { field, .. } => out.push(field),
        }
    }

    fn holds(&self, value_of: &impl Fn(&str) -> Option<String>) -> bool {
        match self {
            Expr::And(items) => items.iter().all(|e| e.holds(value_of)),
            Expr::Or(items) => items.iter().any(|e| e.holds(value_of)),
            Expr::Not(inner) => !inner.holds(value_of),
            Expr::Compare { field, op, value } => compare(value_of(field).as_deref(), *op, value),
            Expr::In { field, values, negated } => {
                let v = value_of(field);
                values.iter().any(|l| compare(v.as_deref(), Op::Eq, l)) != *negated
            }
        }
    }
}

/// `stored op literal` as Salesforce decides it: null is only `=`/`!=` to `null`; text
/// compares without case; `LIKE` takes `%` and `_`.
fn compare(stored: Option<&str>, op: Op, literal: &Literal) -> bool {
    let Some(stored) = stored else {
        return match (op, literal) {
            (Op::Eq, Literal::Null) => true,
            (Op::Ne, Literal::Null) => false,
            (Op::Ne, _) => true,
            _ => false,
        };
    };
    let ordering = match literal {
        Literal::Null => return op == Op::Ne,
        Literal::Bool(b) => {
            let same = stored.eq_ignore_ascii_case(if *b { "true" } else { "false" });
            return match op {
                Op::Eq => same,
                Op::Ne => !same,
                _ => false,
            };
        }
        Literal::Number(n) => match stored.parse::<f64>() {
            Ok(v) => v.total_cmp(n),
            Err(_) => return op == Op::Ne,
        },
        Literal::Date(d) => {
            let stored = normalise_datetime(stored);
            // A date literal against a datetime compares the day.
            let stored = if d.len() == 10 { stored.get(..10).unwrap_or(&stored).to_string() } else { stored };
            stored.as_str().cmp(d.as_str())
        }
        Literal::Text(t) => {
            if op == Op::Like {
                return like(&stored.to_lowercase(), &t.to_lowercase());
            }
            stored.to_lowercase().cmp(&t.to_lowercase())
        }
    };
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Like => false,
    }
}

/// SQL `LIKE` with `%` (any run) and `_` (one character).
fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // Dynamic programming over (text position, pattern position).
    let mut row = vec![false; t.len() + 1];
    row[0] = true;
    for &pc in &p {
        let mut next = vec![false; t.len() + 1];
        if pc == '%' {
            let mut seen = false;
            for i in 0..=t.len() {
                seen |= row[i];
                next[i] = seen;
            }
        } else {
            for i in 0..t.len() {
                next[i + 1] = row[i] && (pc == '_' || pc == t[i]);
            }
        }
        row = next;
    }
    row[t.len()]
}

/// `…T03:04:05Z` and `…T03:04:05+00:00` as `…T03:04:05.000Z`, how the store writes them.
fn normalise_datetime(text: &str) -> String {
    if text.len() <= 10 || !text.is_ascii() {
        return text.to_string();
    }
    let text = text
        .strip_suffix("+00:00")
        .or_else(|| text.strip_suffix("+0000"))
        .map_or(text.to_string(), |t| format!("{t}Z"));
    match text.strip_suffix('Z') {
        Some(body) if !body.contains('.') => format!("{body}.000Z"),
        _ => text,
    }
}

/// The `SystemModstamp > datetime` condition that every match must meet, if any.
fn top_level_after(filter: Option<&Expr>) -> Option<(String, String)> {
    let conditions: Vec<&Expr> = match filter? {
        Expr::And(items) => items.iter().collect(),
        one => vec![one],
    };
    conditions.into_iter().find_map(|c| match c {
        Expr::Compare { field, op: Op::Gt, value: Literal::Date(d) } if field == "SystemModstamp" => {
            Some((field.clone(), d.clone()))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |f| pairs.iter().find(|(k, _)| *k == f).map(|(_, v)| v.to_string())
    }

    #[test]
    fn parse_select_and_where() {
        let q = parse("SELECT Id, Name FROM Account WHERE SystemModstamp > 2025-01-01T00:00:00.000Z").unwrap();
        assert_eq!(q.fields, ["Id", "Name"]);
        assert_eq!(q.object, "Account");
        assert_eq!(q.after, Some(("SystemModstamp".into(), "2025-01-01T00:00:00.000Z".into())));
        assert!(q.plain_export());
        assert_eq!(parse("select Id from Lead").unwrap().after, None);
        let z = parse("SELECT Id FROM Lead WHERE SystemModstamp > 2025-01-01T00:00:00Z").unwrap();
        assert_eq!(z.after.unwrap().1, "2025-01-01T00:00:00.000Z");
    }

    #[test]
    fn equality_with_quoted_spaces_and_escapes() {
        let q =
            parse("SELECT Id FROM Note WHERE ParentId = '00Q000000000001AAA' AND Title = 'a \\'deal\\' now'").unwrap();
        assert!(q.keeps(&record(&[("ParentId", "00Q000000000001AAA"), ("Title", "a 'deal' now")])));
        assert!(!q.keeps(&record(&[("ParentId", "00Q000000000001AAA")])));
        assert!(!q.plain_export());
        assert!(parse("SELECT Id FROM Task WHERE Ext__c = 'open").is_err());
    }

    #[test]
    fn operators_literals_and_precedence() {
        let r = record(&[
            ("IsActive", "true"),
            ("Amount", "1500.5"),
            ("Name", "Acme Widgets"),
            ("CloseDate", "2025-03-01"),
        ]);
        let keeps = |soql: &str| parse(&format!("SELECT Id FROM Opportunity WHERE {soql}")).unwrap().keeps(&r);
        assert!(keeps("IsActive = true"));
        assert!(!keeps("IsActive = false"));
        assert!(keeps("Amount > 1000 AND Amount <= 1500.5"));
        assert!(keeps("Amount != 3"));
        assert!(keeps("Name LIKE 'acme%'"));
        assert!(!keeps("Name LIKE 'widgets'"));
        assert!(keeps("Name IN ('x', 'Acme Widgets')"));
        assert!(keeps("Name NOT IN ('x')"));
        assert!(keeps("CloseDate < 2025-04-01"));
        assert!(keeps("Missing = null AND Name != null"));
        assert!(keeps("Amount < 0 OR (IsActive = true AND NOT Name = 'x')"));
        assert!(!keeps("(Amount < 0 OR IsActive = false) AND Name != null"));
        assert!(keeps("Amount < 0 OR IsActive = false OR Name = 'ACME WIDGETS'"), "text compares without case");
    }

    #[test]
    fn order_limit_offset_count_and_relationships() {
        let q = parse("SELECT Id, Account.Name FROM Contact WHERE Account.Name != null ORDER BY LastName DESC NULLS LAST, Id LIMIT 2 OFFSET 1").unwrap();
        assert_eq!(q.fields, ["Id", "Account.Name"]);
        assert_eq!(q.limit, Some(2));
        assert_eq!(q.offset, Some(1));
        assert_eq!(q.named_fields(), ["Id", "Account.Name", "Account.Name", "LastName", "Id"]);
        let rows = vec![("a", Some("Zed")), ("b", None), ("c", Some("Ann")), ("d", Some("Mo"))];
        let arranged =
            q.arrange(rows, |r, f| if f == "LastName" { r.1.map(str::to_string) } else { Some(r.0.to_string()) });
        assert_eq!(arranged.iter().map(|r| r.0).collect::<Vec<_>>(), ["d", "c"]);
        let count = parse("SELECT COUNT() FROM Lead WHERE IsConverted = false").unwrap();
        assert!(count.count_only() && count.named_fields() == ["IsConverted"]);
    }

    #[test]
    fn parse_rejects_the_rest() {
        for bad in [
            "DELETE FROM x",
            "SELECT FROM Account",
            "SELECT Id FROM Account GROUP BY Id",
            "SELECT Id FROM Account WHERE",
            "SELECT Id FROM Account WHERE Name = ",
            "SELECT Id FROM Account WHERE (Name = 'x'",
            "SELECT Id FROM Account LIMIT x",
            "SELECT Id FROM Account WHERE Name ~ 'x'",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn like_patterns() {
        assert!(like("acme widgets", "acme%"));
        assert!(like("acme", "a_me"));
        assert!(like("", "%"));
        assert!(!like("acme", "a_e"));
        assert!(like("x%y", "x%y"));
    }
}
