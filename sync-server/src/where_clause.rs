//! The `where` subset the endpoint accepts: `column = value`, `column IN (value, ...)`, joined by
//! `AND` (with optional parentheses), where a value is a `$n` parameter, a 'string', a number,
//! `true` or `false`. The clause is parsed into a [`Filter`] whose values are typed by their
//! column; SQL is generated from the filter with bound parameters, so client text never reaches
//! SQL. Anything outside the subset is rejected with a message pointing at the offending token.

use std::collections::{BTreeMap, BTreeSet};

use crate::schema::{ColumnKind, TableSchema};

/// A value of the right type for the column it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    Integer(i64),
    Real(f64),
    Bool(bool),
    Text(String),
}

/// `column IN (values)`; an equality is a one-value term.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterTerm {
    pub column: usize,
    pub values: Vec<TypedValue>,
}

/// A conjunction of terms. The empty filter matches every row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub terms: Vec<FilterTerm>,
}

impl Filter {
    /// Whether a row matches, given each column's value in the text form the change log and
    /// snapshots carry (`None` is NULL, which never equals anything, as in SQL).
    pub fn matches<'a>(&self, value_of: impl Fn(usize) -> Option<&'a str>) -> bool {
        self.terms.iter().all(|term| match value_of(term.column) {
            None => false,
            Some(text) => term.values.iter().any(|value| value_equals_text(value, text)),
        })
    }

    /// A stable rendering of the filter, used to derive shape handles. Typed values make `$1`
    /// with param `5` and the literal `5` the same shape.
    pub fn canonical(&self, table: &TableSchema) -> String {
        let mut out = String::new();
        for term in &self.terms {
            out.push_str(&table.columns[term.column].name);
            out.push_str(" in (");
            for value in &term.values {
                out.push_str(&format!("{value:?},"));
            }
            out.push_str(") and ");
        }
        out
    }
}

fn value_equals_text(value: &TypedValue, text: &str) -> bool {
    match value {
        TypedValue::Integer(expected) => text.parse::<i64>().is_ok_and(|v| v == *expected),
        TypedValue::Real(expected) => text.parse::<f64>().is_ok_and(|v| v == *expected),
        TypedValue::Bool(expected) => parse_bool(text) == Some(*expected),
        TypedValue::Text(expected) => text == expected,
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "t" | "true" | "1" | "yes" | "on" => Some(true),
        "f" | "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Parses `input` against `table`, binding `params` (`params[n]` -> `$n`).
pub fn compile(input: &str, table: &TableSchema, params: &BTreeMap<usize, String>) -> Result<Filter, String> {
    let tokens = tokenize(input)?;
    let mut parser = Parser { tokens: &tokens, position: 0, end: input.chars().count() + 1 };
    let conditions = parser.conjunction()?;
    if let Some((token, at)) = parser.peek() {
        return Err(unexpected(token, *at));
    }

    let mut used = BTreeSet::new();
    let mut terms = Vec::with_capacity(conditions.len());
    for condition in conditions {
        let column = table.find_column(&condition.column, condition.quoted).ok_or_else(|| {
            let known: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
            format!(
                "unknown column `{}` at position {}; table `{}` has columns: {}",
                condition.column,
                condition.at,
                table.name,
                known.join(", ")
            )
        })?;
        let mut values = Vec::with_capacity(condition.operands.len());
        for operand in condition.operands {
            let raw = match operand {
                Operand::Param(n) => {
                    used.insert(n);
                    params.get(&n).cloned().ok_or_else(|| format!("${n} is used but params[{n}] is not given"))?
                }
                Operand::Literal(text) => text,
            };
            values.push(typed_value(table, column, &raw)?);
        }
        terms.push(FilterTerm { column, values });
    }
    if let Some(unused) = params.keys().find(|n| !used.contains(n)) {
        return Err(format!("params[{unused}] is given but ${unused} does not appear in the where clause"));
    }
    Ok(Filter { terms })
}

fn typed_value(table: &TableSchema, column: usize, raw: &str) -> Result<TypedValue, String> {
    let column = &table.columns[column];
    let invalid = || format!("`{raw}` is not a valid {} value for column `{}`", column.type_name, column.name);
    Ok(match column.kind {
        ColumnKind::Integer => TypedValue::Integer(raw.trim().parse().map_err(|_| invalid())?),
        ColumnKind::Real => {
            let value: f64 = raw.trim().parse().map_err(|_| invalid())?;
            if !value.is_finite() {
                return Err(invalid());
            }
            TypedValue::Real(value)
        }
        ColumnKind::Bool => TypedValue::Bool(parse_bool(raw.trim()).ok_or_else(invalid)?),
        ColumnKind::Text | ColumnKind::Blob | ColumnKind::Other => TypedValue::Text(raw.to_owned()),
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident { name: String, quoted: bool },
    Param(usize),
    Str(String),
    Number(String),
    Equals,
    LParen,
    RParen,
    Comma,
}

impl Token {
    fn keyword(&self, keyword: &str) -> bool {
        matches!(self, Token::Ident { name, quoted: false } if name.eq_ignore_ascii_case(keyword))
    }

    fn describe(&self) -> String {
        match self {
            Token::Ident { name, quoted: false } => format!("`{name}`"),
            Token::Ident { name, quoted: true } => format!("`\"{name}\"`"),
            Token::Param(n) => format!("`${n}`"),
            Token::Str(text) => format!("string '{text}'"),
            Token::Number(text) => format!("`{text}`"),
            Token::Equals => "`=`".into(),
            Token::LParen => "`(`".into(),
            Token::RParen => "`)`".into(),
            Token::Comma => "`,`".into(),
        }
    }
}

const SUPPORTED: &str = "supported: `column = value` and `column IN (value, ...)` joined by AND, \
                         where a value is a $n parameter, a 'string', a number, true or false";

fn unexpected(token: &Token, at: usize) -> String {
    format!("unexpected {} at position {at}; {SUPPORTED}", token.describe())
}

/// Splits the clause into tokens; positions are 1-based character offsets for messages.
fn tokenize(input: &str) -> Result<Vec<(Token, usize)>, String> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i + 1;
        match c {
            c if c.is_whitespace() => i += 1,
            '=' => {
                tokens.push((Token::Equals, at));
                i += 1;
            }
            '(' => {
                tokens.push((Token::LParen, at));
                i += 1;
            }
            ')' => {
                tokens.push((Token::RParen, at));
                i += 1;
            }
            ',' => {
                tokens.push((Token::Comma, at));
                i += 1;
            }
            '$' => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && chars[end].is_ascii_digit() {
                    end += 1;
                }
                let digits: String = chars[start..end].iter().collect();
                let n: usize = digits.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    format!("`$` at position {at} must be followed by a parameter number ($1, $2, ...)")
                })?;
                tokens.push((Token::Param(n), at));
                i = end;
            }
            '\'' | '"' => {
                let (text, next) = quoted(&chars, i, c).ok_or_else(|| {
                    format!(
                        "unterminated {} starting at position {at}",
                        if c == '\'' { "string" } else { "quoted identifier" }
                    )
                })?;
                tokens.push((if c == '\'' { Token::Str(text) } else { Token::Ident { name: text, quoted: true } }, at));
                i = next;
            }
            c if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) => {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_ascii_digit() || chars[end] == '.') {
                    end += 1;
                }
                tokens.push((Token::Number(chars[i..end].iter().collect()), at));
                i = end;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                tokens.push((Token::Ident { name: chars[i..end].iter().collect(), quoted: false }, at));
                i = end;
            }
            other => return Err(format!("unexpected character `{other}` at position {at}; {SUPPORTED}")),
        }
    }
    Ok(tokens)
}

/// Reads a `'...'` string or `"..."` identifier starting at `start`, where a doubled quote
/// stands for one quote. Returns the text and the index after the closing quote.
fn quoted(chars: &[char], start: usize, quote: char) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == quote {
            if chars.get(i + 1) == Some(&quote) {
                text.push(quote);
                i += 2;
                continue;
            }
            return Some((text, i + 1));
        }
        text.push(chars[i]);
        i += 1;
    }
    None
}

enum Operand {
    Param(usize),
    Literal(String),
}

struct Condition {
    column: String,
    quoted: bool,
    at: usize,
    operands: Vec<Operand>,
}

struct Parser<'t> {
    tokens: &'t [(Token, usize)],
    position: usize,
    /// Position reported for "unexpected end of clause".
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&(Token, usize)> {
        self.tokens.get(self.position)
    }

    fn next(&mut self, expected: &str) -> Result<(Token, usize), String> {
        let token = self
            .tokens
            .get(self.position)
            .cloned()
            .ok_or_else(|| format!("where clause ends at position {} where {expected} was expected", self.end))?;
        self.position += 1;
        Ok(token)
    }

    fn expect(&mut self, wanted: Token, expected: &str) -> Result<(), String> {
        let (token, at) = self.next(expected)?;
        if token == wanted {
            Ok(())
        } else {
            Err(format!("expected {expected} at position {at}, found {}", token.describe()))
        }
    }

    fn conjunction(&mut self) -> Result<Vec<Condition>, String> {
        let mut conditions = self.term()?;
        while self.peek().is_some_and(|(token, _)| token.keyword("and")) {
            self.position += 1;
            conditions.extend(self.term()?);
        }
        Ok(conditions)
    }

    fn term(&mut self) -> Result<Vec<Condition>, String> {
        let (token, at) = self.next("a column name")?;
        match token {
            Token::LParen => {
                let inner = self.conjunction()?;
                self.expect(Token::RParen, "`)`")?;
                Ok(inner)
            }
            Token::Ident { ref name, quoted } if quoted || !is_reserved(name) => {
                let (operator, op_at) = self.next("`=` or IN")?;
                let operands = if operator == Token::Equals {
                    vec![self.operand()?]
                } else if operator.keyword("in") {
                    self.expect(Token::LParen, "`(` after IN")?;
                    let mut operands = vec![self.operand()?];
                    loop {
                        let (separator, sep_at) = self.next("`,` or `)`")?;
                        match separator {
                            Token::Comma => operands.push(self.operand()?),
                            Token::RParen => break,
                            other => return Err(unexpected(&other, sep_at)),
                        }
                    }
                    operands
                } else {
                    return Err(unexpected(&operator, op_at));
                };
                Ok(vec![Condition { column: name.clone(), quoted, at, operands }])
            }
            other => Err(unexpected(&other, at)),
        }
    }

    fn operand(&mut self) -> Result<Operand, String> {
        let (token, at) = self.next("a value")?;
        match token {
            Token::Param(n) => Ok(Operand::Param(n)),
            Token::Str(text) | Token::Number(text) => Ok(Operand::Literal(text)),
            ref ident @ Token::Ident { quoted: false, .. } if ident.keyword("true") => {
                Ok(Operand::Literal("true".into()))
            }
            ref ident @ Token::Ident { quoted: false, .. } if ident.keyword("false") => {
                Ok(Operand::Literal("false".into()))
            }
            other => Err(unexpected(&other, at)),
        }
    }
}

/// Keywords that cannot start a condition unquoted (so `OR`, `NOT`, ... get a clear error).
fn is_reserved(name: &str) -> bool {
    ["and", "or", "not", "in", "is", "null", "true", "false", "select", "like"]
        .iter()
        .any(|keyword| name.eq_ignore_ascii_case(keyword))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Column;

    fn table() -> TableSchema {
        let column = |name: &str, type_name: &str, kind| Column {
            name: name.into(),
            type_name: type_name.into(),
            dims: None,
            kind,
            not_null: false,
        };
        TableSchema {
            namespace: "main".into(),
            name: "items".into(),
            columns: vec![
                column("id", "text", ColumnKind::Text),
                column("owner", "text", ColumnKind::Text),
                column("rank", "int8", ColumnKind::Integer),
                column("done", "bool", ColumnKind::Bool),
            ],
            primary_key: vec![0],
        }
    }

    fn params(values: &[&str]) -> BTreeMap<usize, String> {
        values.iter().enumerate().map(|(i, v)| (i + 1, v.to_string())).collect()
    }

    #[test]
    fn parses_the_subset() {
        let filter = compile(
            "owner = $1 AND (rank IN ($2, 7) and done = true) and \"id\" = 'it''s'",
            &table(),
            &params(&["ann", "5"]),
        )
        .unwrap();
        assert_eq!(
            filter.terms,
            vec![
                FilterTerm { column: 1, values: vec![TypedValue::Text("ann".into())] },
                FilterTerm { column: 2, values: vec![TypedValue::Integer(5), TypedValue::Integer(7)] },
                FilterTerm { column: 3, values: vec![TypedValue::Bool(true)] },
                FilterTerm { column: 0, values: vec![TypedValue::Text("it's".into())] },
            ]
        );
    }

    #[test]
    fn matches_rows_by_typed_value() {
        let filter = compile("rank IN ($1, $2) AND owner = 'ann'", &table(), &params(&["5", "07"])).unwrap();
        let row = |rank: Option<&'static str>| {
            move |column: usize| match column {
                1 => Some("ann"),
                2 => rank,
                _ => None,
            }
        };
        assert!(filter.matches(row(Some("7"))));
        assert!(filter.matches(row(Some("5"))));
        assert!(!filter.matches(row(Some("6"))));
        assert!(!filter.matches(row(None)));
    }

    #[test]
    fn rejects_everything_else() {
        let cases = [
            ("owner = $1 OR 1 = 1", "unexpected `OR` at position 12"),
            ("owner = $1; drop table items", "unexpected character `;` at position 11"),
            ("owner = 'x' -- comment", "unexpected character `-` at position 13"),
            ("owner <> $1", "unexpected character `<`"),
            ("secret = $1", "unknown column `secret`"),
            ("owner = $2", "$2 is used but params[2] is not given"),
            ("rank = 'abc'", "`abc` is not a valid int8 value for column `rank`"),
            ("owner = 'open", "unterminated string"),
            ("owner =", "where clause ends at position 8"),
            ("lower(owner) = $1", "unexpected `(` at position 6"),
            ("NOT owner = $1", "unexpected `NOT` at position 1"),
        ];
        for (clause, expected) in cases {
            let error = compile(clause, &table(), &params(&["a"])).unwrap_err();
            assert!(error.contains(expected), "{clause}: {error}");
        }
        let error = compile("owner = $1", &table(), &params(&["a", "b"])).unwrap_err();
        assert!(error.contains("params[2] is given but $2 does not appear"), "{error}");
    }
}
