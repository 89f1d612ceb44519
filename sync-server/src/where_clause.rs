//! The `where` subset the endpoint accepts: `column = value`, `column IN (value, ...)`, joined by
//! `AND` (with optional parentheses), where a value is a `$n` parameter, a 'string', a number,
//! `true` or `false`. The clause is parsed into a [`Filter`] whose values are typed by their
//! column; SQL is generated from the filter with bound parameters, so client text never reaches
//! SQL. Anything outside the subset is rejected with a message pointing at the offending token.
//!
//! Every dimension of a clause is bounded ([`Limits`]), so no request can make the parser
//! recurse deeply, the database reject a statement (SQLite's expression depth, parameter
//! counts) or the live filter do unbounded work per log entry: the filter keeps each term's
//! values in a hash set, so matching a row costs one lookup per term.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::schema::{ColumnKind, TableSchema};

/// Bounds on a `where` clause; a clause beyond any of them is a 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of clause text.
    pub max_length: usize,
    /// Parentheses nested inside each other.
    pub max_depth: usize,
    /// Conditions joined by AND.
    pub max_conditions: usize,
    /// Values in one `IN (...)` list.
    pub max_in_values: usize,
    /// Values in the whole clause (each becomes a bound SQL parameter).
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_length: 16 * 1024, max_depth: 16, max_conditions: 64, max_in_values: 1_000, max_values: 5_000 }
    }
}

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
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub terms: Vec<FilterTerm>,
    /// One value set per term, for matching log rows in constant time per term.
    sets: Vec<ValueSet>,
}

/// A term's values, hashed for lookup by the text form rows carry.
#[derive(Debug, Clone)]
enum ValueSet {
    Integer(HashSet<i64>),
    /// f64 bit patterns, with -0 folded into 0 (values are finite by construction).
    Real(HashSet<u64>),
    Bool {
        true_: bool,
        false_: bool,
    },
    Text(HashSet<String>),
}

impl ValueSet {
    fn of(values: &[TypedValue]) -> ValueSet {
        match values.first() {
            Some(TypedValue::Integer(_)) => ValueSet::Integer(
                values.iter().filter_map(|v| if let TypedValue::Integer(i) = v { Some(*i) } else { None }).collect(),
            ),
            Some(TypedValue::Real(_)) => ValueSet::Real(
                values
                    .iter()
                    .filter_map(|v| if let TypedValue::Real(r) = v { Some(real_bits(*r)) } else { None })
                    .collect(),
            ),
            Some(TypedValue::Bool(_)) => ValueSet::Bool {
                true_: values.contains(&TypedValue::Bool(true)),
                false_: values.contains(&TypedValue::Bool(false)),
            },
            Some(TypedValue::Text(_)) | None => ValueSet::Text(
                values
                    .iter()
                    .filter_map(|v| if let TypedValue::Text(t) = v { Some(t.clone()) } else { None })
                    .collect(),
            ),
        }
    }

    fn contains_text(&self, text: &str) -> bool {
        match self {
            ValueSet::Integer(set) => text.parse::<i64>().is_ok_and(|v| set.contains(&v)),
            ValueSet::Real(set) => text.parse::<f64>().is_ok_and(|v| set.contains(&real_bits(v))),
            ValueSet::Bool { true_, false_ } => match parse_bool(text) {
                Some(true) => *true_,
                Some(false) => *false_,
                None => false,
            },
            ValueSet::Text(set) => set.contains(text),
        }
    }
}

fn real_bits(value: f64) -> u64 {
    if value == 0.0 { 0.0f64.to_bits() } else { value.to_bits() }
}

impl PartialEq for Filter {
    fn eq(&self, other: &Self) -> bool {
        self.terms == other.terms
    }
}

impl Filter {
    pub fn new(terms: Vec<FilterTerm>) -> Filter {
        let sets = terms.iter().map(|term| ValueSet::of(&term.values)).collect();
        Filter { terms, sets }
    }

    /// Both filters' terms: rows must match each.
    pub fn and(mut self, other: Filter) -> Filter {
        self.terms.extend(other.terms);
        self.sets.extend(other.sets);
        self
    }

    /// Whether a row matches, given each column's value in the text form the change log and
    /// snapshots carry (`None` is NULL, which never equals anything, as in SQL).
    pub fn matches<'a>(&self, value_of: impl Fn(usize) -> Option<&'a str>) -> bool {
        self.terms.iter().zip(&self.sets).all(|(term, set)| match value_of(term.column) {
            None => false,
            Some(text) => set.contains_text(text),
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

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "t" | "true" | "1" | "yes" | "on" => Some(true),
        "f" | "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Parses `input` against `table`, binding `params` (`params[n]` -> `$n`). Only the columns in
/// `visible` may be named (the columns the requester may see; `None` for all), and a column
/// outside them is reported exactly like one that does not exist.
pub fn compile(
    input: &str,
    table: &TableSchema,
    params: &BTreeMap<usize, String>,
    visible: Option<&[usize]>,
    limits: &Limits,
) -> Result<Filter, String> {
    if input.len() > limits.max_length {
        return Err(format!("is {} bytes long; the limit is {} bytes", input.len(), limits.max_length));
    }
    if let Some(at) = input.chars().position(|c| c == '\0') {
        return Err(format!("contains a NUL character at position {}, which no text value can hold", at + 1));
    }
    let tokens = tokenize(input)?;
    let mut parser = Parser { tokens: &tokens, position: 0, end: input.chars().count() + 1, depth: 0, limits };
    let conditions = parser.conjunction()?;
    if let Some((token, at)) = parser.peek() {
        return Err(unexpected(token, *at));
    }

    let mut used = BTreeSet::new();
    let mut terms = Vec::with_capacity(conditions.len());
    let mut value_count = 0;
    for condition in conditions {
        let column = table
            .find_column(&condition.column, condition.quoted)
            .filter(|index| visible.is_none_or(|visible| visible.contains(index)))
            .ok_or_else(|| {
                format!("unknown column `{}` at position {} in table `{}`", condition.column, condition.at, table.name)
            })?;
        value_count += condition.operands.len();
        if value_count > limits.max_values {
            return Err(format!("has more than {} values in all; use fewer values", limits.max_values));
        }
        let mut values = Vec::with_capacity(condition.operands.len());
        for operand in condition.operands {
            let raw = match operand {
                Operand::Param(n) => {
                    used.insert(n);
                    let value =
                        params.get(&n).cloned().ok_or_else(|| format!("${n} is used but params[{n}] is not given"))?;
                    if value.contains('\0') {
                        return Err(format!("params[{n}] contains a NUL character, which no text value can hold"));
                    }
                    value
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
    Ok(Filter::new(terms))
}

fn typed_value(table: &TableSchema, column: usize, raw: &str) -> Result<TypedValue, String> {
    let column = &table.columns[column];
    let invalid = || {
        let shown: String = raw.chars().take(64).collect();
        format!("`{shown}` is not a valid {} value for column `{}`", column.type_name, column.name)
    };
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
    /// Parentheses open at the current token; bounded by `limits.max_depth`, which bounds the
    /// recursion of `conjunction` -> `term`.
    depth: usize,
    limits: &'t Limits,
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
            if conditions.len() > self.limits.max_conditions {
                return Err(format!(
                    "has more than {} conditions; combine values of one column with IN",
                    self.limits.max_conditions
                ));
            }
        }
        Ok(conditions)
    }

    fn term(&mut self) -> Result<Vec<Condition>, String> {
        let (token, at) = self.next("a column name")?;
        match token {
            Token::LParen => {
                if self.depth >= self.limits.max_depth {
                    return Err(format!("nests parentheses more than {} deep at position {at}", self.limits.max_depth));
                }
                self.depth += 1;
                let inner = self.conjunction()?;
                self.expect(Token::RParen, "`)`")?;
                self.depth -= 1;
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
                            Token::Comma if operands.len() >= self.limits.max_in_values => {
                                return Err(format!(
                                    "IN list at position {op_at} has more than {} values",
                                    self.limits.max_in_values
                                ));
                            }
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

    fn parse(input: &str, table: &TableSchema, params: &BTreeMap<usize, String>) -> Result<Filter, String> {
        compile(input, table, params, None, &Limits::default())
    }

    fn params(values: &[&str]) -> BTreeMap<usize, String> {
        values.iter().enumerate().map(|(i, v)| (i + 1, v.to_string())).collect()
    }

    #[test]
    fn parses_the_subset() {
        let filter = parse(
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
        let filter = parse("rank IN ($1, $2) AND owner = 'ann'", &table(), &params(&["5", "07"])).unwrap();
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
            ("secret = $1", "unknown column `secret` at position 1 in table `items`"),
            ("owner = 'a\0'", "contains a NUL character at position 11"),
            ("owner = $2", "$2 is used but params[2] is not given"),
            ("rank = 'abc'", "`abc` is not a valid int8 value for column `rank`"),
            ("owner = 'open", "unterminated string"),
            ("owner =", "where clause ends at position 8"),
            ("lower(owner) = $1", "unexpected `(` at position 6"),
            ("NOT owner = $1", "unexpected `NOT` at position 1"),
        ];
        for (clause, expected) in cases {
            let error = parse(clause, &table(), &params(&["a"])).unwrap_err();
            assert!(error.contains(expected), "{clause}: {error}");
        }
        let error = parse("owner = $1", &table(), &params(&["a", "b"])).unwrap_err();
        assert!(error.contains("params[2] is given but $2 does not appear"), "{error}");
    }

    #[test]
    fn limits_every_dimension_without_recursing_deeply() {
        let deep = format!("{}owner = 'a'{}", "(".repeat(100_000), ")".repeat(100_000));
        let limits = Limits { max_length: usize::MAX, ..Limits::default() };
        let error = compile(&deep, &table(), &params(&[]), None, &limits).unwrap_err();
        assert!(error.contains("nests parentheses more than 16 deep at position 17"), "{error}");
        let nested = format!("{}owner = 'a'{}", "(".repeat(16), ")".repeat(16));
        assert!(parse(&nested, &table(), &params(&[])).is_ok());

        let error = parse(&"x".repeat(20_000), &table(), &params(&[])).unwrap_err();
        assert!(error.contains("is 20000 bytes long; the limit is 16384 bytes"), "{error}");

        let many = vec!["owner = 'a'"; 65].join(" AND ");
        let error = parse(&many, &table(), &params(&[])).unwrap_err();
        assert!(error.contains("more than 64 conditions"), "{error}");

        let list: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
        let error = parse(&format!("rank IN ({})", list.join(",")), &table(), &params(&[])).unwrap_err();
        assert!(error.contains("IN list at position 6 has more than 1000 values"), "{error}");

        let error = parse("owner = $1", &table(), &params(&["a\0b"])).unwrap_err();
        assert!(error.contains("params[1] contains a NUL character"), "{error}");
    }

    #[test]
    fn hidden_columns_look_like_missing_ones() {
        let visible = [0, 2];
        let error = compile("owner = 'a'", &table(), &params(&[]), Some(&visible), &Limits::default()).unwrap_err();
        assert_eq!(error, "unknown column `owner` at position 1 in table `items`");
        assert!(compile("rank = 1", &table(), &params(&[]), Some(&visible), &Limits::default()).is_ok());
    }

    #[test]
    fn matches_large_in_lists_by_hash() {
        let values: Vec<String> = (0..1000).map(|i| format!("'u{i}'")).collect();
        let filter = parse(&format!("owner IN ({})", values.join(",")), &table(), &params(&[])).unwrap();
        assert!(filter.matches(|c| (c == 1).then_some("u999")));
        assert!(!filter.matches(|c| (c == 1).then_some("u1000")));
        let reals = Filter::new(vec![FilterTerm { column: 2, values: vec![TypedValue::Real(0.0)] }]);
        assert!(reals.matches(|_| Some("-0")));
    }
}
