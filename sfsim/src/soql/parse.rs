//! The SOQL tokenizer and recursive-descent parser behind [`super::parse`].

use super::*;

/// A lexical token.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    Word(String),
    Text(String),
    Number(String),
    Symbol(&'static str),
}

pub(super) fn tokens(soql: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = soql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated quoted string".into()),
                    Some('\\') => {
                        let escaped = chars.get(i + 1).ok_or("unterminated quoted string")?;
                        text.push(match escaped {
                            'n' => '\n',
                            't' => '\t',
                            other => *other,
                        });
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(other) => {
                        text.push(*other);
                        i += 1;
                    }
                }
            }
            out.push(Token::Text(text));
        } else if let Some(symbol) = ["!=", "<>", "<=", ">=", "=", "<", ">", "(", ")", ","]
            .iter()
            .find(|s| chars[i..].iter().take(s.len()).copied().eq(s.chars()))
        {
            out.push(Token::Symbol(symbol));
            i += symbol.len();
        } else if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '.' | ':' | '-' | '+')) {
                i += 1;
            }
            out.push(Token::Number(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.')) {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            return Err(format!("unexpected token: '{c}'"));
        }
    }
    Ok(out)
}

/// A recursive-descent reader over the tokens.
pub(super) struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn symbol(&mut self, symbol: &str) -> bool {
        if matches!(self.peek(), Some(Token::Symbol(s)) if *s == symbol) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn unexpected(&self) -> String {
        match self.peek() {
            None => "unexpected end of query".into(),
            Some(Token::Word(w) | Token::Number(w) | Token::Text(w)) => format!("unexpected token: '{w}'"),
            Some(Token::Symbol(s)) => format!("unexpected token: '{s}'"),
        }
    }

    fn field(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Word(w)) if !is_keyword(&w) => Ok(w),
            _ => {
                self.at -= 1;
                Err(self.unexpected())
            }
        }
    }

    fn whole_number(&mut self) -> Result<usize, String> {
        match self.next() {
            Some(Token::Number(n)) => n.parse().map_err(|_| format!("unexpected token: '{n}'")),
            _ => {
                self.at -= 1;
                Err(self.unexpected())
            }
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.and()?];
        while self.keyword("OR") {
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Expr::Or(items) })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.unary()?];
        while self.keyword("AND") {
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Expr::And(items) })
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.keyword("NOT") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.symbol("(") {
            let inner = self.or()?;
            if !self.symbol(")") {
                return Err(self.unexpected());
            }
            return Ok(inner);
        }
        let field = self.field()?;
        let negated = self.keyword("NOT");
        if self.keyword("IN") {
            if !self.symbol("(") {
                return Err(self.unexpected());
            }
            let mut values = vec![self.literal()?];
            while self.symbol(",") {
                values.push(self.literal()?);
            }
            if !self.symbol(")") {
                return Err(self.unexpected());
            }
            return Ok(Expr::In { field, values, negated });
        }
        if negated {
            return Err(self.unexpected());
        }
        let op = match self.next() {
            Some(Token::Symbol("=")) => Op::Eq,
            Some(Token::Symbol("!=" | "<>")) => Op::Ne,
            Some(Token::Symbol("<")) => Op::Lt,
            Some(Token::Symbol("<=")) => Op::Le,
            Some(Token::Symbol(">")) => Op::Gt,
            Some(Token::Symbol(">=")) => Op::Ge,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("LIKE") => Op::Like,
            _ => {
                self.at -= 1;
                return Err(self.unexpected());
            }
        };
        let value = self.literal()?;
        Ok(Expr::Compare { field, op, value })
    }

    fn literal(&mut self) -> Result<Literal, String> {
        match self.next() {
            Some(Token::Text(t)) => Ok(Literal::Text(t)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Ok(Literal::Null),
            Some(Token::Number(n)) if is_date(&n) => Ok(Literal::Date(normalise_datetime(&n))),
            Some(Token::Number(n)) => n.parse().map(Literal::Number).map_err(|_| format!("unexpected token: '{n}'")),
            _ => {
                self.at -= 1;
                Err(self.unexpected())
            }
        }
    }
}

pub(super) fn is_keyword(word: &str) -> bool {
    ["SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT", "OFFSET", "GROUP"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

/// `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss…`.
pub(super) fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b[..4].iter().chain(&b[5..7]).chain(&b[8..10]).all(u8::is_ascii_digit)
}

/// Parses `soql`, or says what is wrong in Salesforce's words.
pub fn parse(soql: &str) -> Result<Query, String> {
    let mut p = Parser { tokens: tokens(soql)?, at: 0 };
    if !p.keyword("SELECT") {
        return Err(p.unexpected());
    }
    let mut fields = Vec::new();
    loop {
        let field = p.field()?;
        if field.eq_ignore_ascii_case("COUNT") && p.symbol("(") {
            if !p.symbol(")") {
                return Err(p.unexpected());
            }
            fields.push("COUNT()".to_string());
        } else {
            fields.push(field);
        }
        if !p.symbol(",") {
            break;
        }
    }
    if !p.keyword("FROM") {
        return Err(if p.peek().is_none() { "unexpected end of query: expected FROM".into() } else { p.unexpected() });
    }
    let object = p.field()?;
    let filter = if p.keyword("WHERE") { Some(p.or()?) } else { None };
    let mut order_by = Vec::new();
    if p.keyword("ORDER") {
        if !p.keyword("BY") {
            return Err(p.unexpected());
        }
        loop {
            let field = p.field()?;
            let descending = if p.keyword("DESC") {
                true
            } else {
                p.keyword("ASC");
                false
            };
            // Salesforce puts nulls first when ascending, last when descending.
            let mut nulls_last = descending;
            if p.keyword("NULLS") {
                nulls_last = if p.keyword("LAST") {
                    true
                } else if p.keyword("FIRST") {
                    false
                } else {
                    return Err(p.unexpected());
                };
            }
            order_by.push(OrderBy { field, descending, nulls_last });
            if !p.symbol(",") {
                break;
            }
        }
    }
    let limit = if p.keyword("LIMIT") { Some(p.whole_number()?) } else { None };
    let offset = if p.keyword("OFFSET") { Some(p.whole_number()?) } else { None };
    if p.peek().is_some() {
        return Err(p.unexpected());
    }
    let after = top_level_after(filter.as_ref());
    Ok(Query { fields, object, filter, after, order_by, limit, offset })
}
