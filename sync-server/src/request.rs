//! Parsing and validating the query parameters of a shape request, with Electric's rules and
//! error shape (`400 {"message": "Invalid request", "errors": {param: [messages]}}`).

use std::collections::BTreeMap;

use crate::offset::RequestOffset;
use crate::where_clause::Limits;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replica {
    /// Updates carry the primary key and the changed columns.
    Default,
    /// Updates carry the whole row plus `old_value` with the previous values of changed columns.
    Full,
}

#[derive(Debug)]
pub struct ShapeParams {
    pub table: String,
    pub offset: RequestOffset,
    pub handle: Option<String>,
    pub live: bool,
    pub cursor: Option<String>,
    pub where_clause: Option<String>,
    pub params: BTreeMap<usize, String>,
    /// Requested columns as (name, was quoted).
    pub columns: Option<Vec<(String, bool)>>,
    pub replica: Replica,
    /// `log=changes_only`: no initial snapshot.
    pub changes_only: bool,
}

/// Validation errors per parameter, rendered as Electric's 400 body.
#[derive(Debug, Default)]
pub struct InvalidRequest {
    pub errors: BTreeMap<String, Vec<String>>,
}

impl InvalidRequest {
    pub fn add(&mut self, parameter: &str, message: impl Into<String>) {
        self.errors.entry(parameter.to_owned()).or_default().push(message.into());
    }

    pub fn single(parameter: &str, message: impl Into<String>) -> Self {
        let mut invalid = InvalidRequest::default();
        invalid.add(parameter, message);
        invalid
    }

    pub fn body(&self) -> String {
        serde_json::json!({ "message": "Invalid request", "errors": self.errors }).to_string()
    }
}

pub fn parse(pairs: &[(String, String)], limits: &Limits) -> Result<ShapeParams, InvalidRequest> {
    let mut invalid = InvalidRequest::default();
    let mut single: BTreeMap<&str, &str> = BTreeMap::new();
    let mut params = BTreeMap::new();
    for (key, value) in pairs {
        if let Some(index) = key.strip_prefix("params[").and_then(|rest| rest.strip_suffix(']')) {
            match index.parse::<usize>() {
                Ok(n) if n >= 1 => {
                    params.insert(n, value.clone());
                }
                _ => invalid.add("params", format!("`{key}` is not a parameter: use params[1], params[2], ...")),
            }
        } else if key.starts_with("subset__") {
            invalid.add(key, "subset snapshots are not supported by this server");
        } else {
            // Later values win, like most query-string parsers; unknown keys (cache busters,
            // `expired_handle`, custom params) are ignored.
            single.insert(key, value);
        }
    }
    if let Some(json) = single.get("params") {
        parse_params_json(json, &mut params, &mut invalid);
    }
    if params.len() > limits.max_values {
        invalid.add("params", format!("more than {} params are given", limits.max_values));
    }
    if let Some(clause) = single.get("where")
        && clause.len() > limits.max_length
    {
        invalid.add("where", format!("is {} bytes long; the limit is {} bytes", clause.len(), limits.max_length));
    }

    let table = match single.get("table") {
        Some(table) if !table.is_empty() => (*table).to_owned(),
        _ => {
            invalid.add("table", "can't be blank");
            String::new()
        }
    };
    let offset = match single.get("offset") {
        None => {
            invalid.add("offset", "can't be blank");
            RequestOffset::BeforeAll
        }
        Some(text) => RequestOffset::parse(text).unwrap_or_else(|message| {
            invalid.add("offset", message);
            RequestOffset::BeforeAll
        }),
    };
    let live = parse_bool(&single, "live", &mut invalid);
    if parse_bool(&single, "live_sse", &mut invalid) || parse_bool(&single, "experimental_live_sse", &mut invalid) {
        invalid.add("live_sse", "server-sent events are not supported by this server; use long polling");
    }
    // Like Electric: a handle only makes sense with an offset into its log.
    let handle = match offset {
        RequestOffset::BeforeAll | RequestOffset::Now => None,
        RequestOffset::At { .. } | RequestOffset::Chunk { .. } => match single.get("handle") {
            Some(handle) if !handle.is_empty() => Some((*handle).to_owned()),
            _ => {
                invalid.add("handle", "can't be blank when offset != -1");
                None
            }
        },
    };
    if live {
        match offset {
            RequestOffset::BeforeAll => invalid.add("live", "can't be true when offset == -1"),
            RequestOffset::Now => invalid.add("live", "can't be true when offset is 'now'"),
            RequestOffset::Chunk { .. } => invalid.add("live", "can't be true while the initial rows are served"),
            RequestOffset::At { .. } => {}
        }
    }
    let replica = match single.get("replica").copied() {
        None | Some("default") => Replica::Default,
        Some("full") => Replica::Full,
        Some(other) => {
            invalid.add("replica", format!("`{other}` is invalid: use default or full"));
            Replica::Default
        }
    };
    let changes_only = match single.get("log").copied() {
        None | Some("full") => false,
        Some("changes_only") => true,
        Some(other) => {
            invalid.add("log", format!("`{other}` is invalid: use full or changes_only"));
            false
        }
    };
    let columns = single.get("columns").and_then(|text| match parse_columns(text) {
        Ok(columns) => Some(columns),
        Err(message) => {
            invalid.add("columns", message);
            None
        }
    });
    if !invalid.errors.is_empty() {
        return Err(invalid);
    }
    Ok(ShapeParams {
        table,
        offset,
        handle,
        live,
        cursor: single.get("cursor").map(|c| (*c).to_owned()),
        where_clause: single.get("where").map(|w| (*w).to_owned()).filter(|w| !w.trim().is_empty()),
        params,
        columns,
        replica,
        changes_only,
    })
}

fn parse_bool(single: &BTreeMap<&str, &str>, key: &str, invalid: &mut InvalidRequest) -> bool {
    match single.get(key).copied() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            invalid.add(key, format!("`{other}` is not a boolean: use true or false"));
            false
        }
    }
}

/// `params={"1":"a","2":"b"}`, the JSON form newer clients and proxies send.
fn parse_params_json(json: &str, params: &mut BTreeMap<usize, String>, invalid: &mut InvalidRequest) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str(json) else {
        invalid.add("params", "must be a JSON object like {\"1\": \"value\"} or given as params[1]=value");
        return;
    };
    for (key, value) in map {
        let text = match value {
            serde_json::Value::String(text) => text,
            serde_json::Value::Number(number) => number.to_string(),
            serde_json::Value::Bool(flag) => flag.to_string(),
            other => {
                invalid.add("params", format!("params[{key}] must be a string, not {other}"));
                continue;
            }
        };
        match key.parse::<usize>() {
            Ok(n) if n >= 1 => {
                params.insert(n, text);
            }
            _ => invalid.add("params", format!("`{key}` is not a parameter number (1, 2, ...)")),
        }
    }
}

/// `id,name` or `"id","na,me"`: commas inside double quotes do not split; `""` is a quote.
fn parse_columns(text: &str) -> Result<Vec<(String, bool)>, String> {
    let mut columns = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let (name, quoted) = if chars.next_if_eq(&'"').is_some() {
            let mut name = String::new();
            loop {
                match chars.next() {
                    None => return Err(format!("unterminated quoted column name in `{text}`")),
                    Some('"') if chars.next_if_eq(&'"').is_some() => name.push('"'),
                    Some('"') => break,
                    Some(c) => name.push(c),
                }
            }
            (name, true)
        } else {
            let mut name = String::new();
            while let Some(c) = chars.next_if(|c| *c != ',') {
                name.push(c);
            }
            (name.trim().to_owned(), false)
        };
        if name.is_empty() {
            return Err("Invalid zero-length identifier".into());
        }
        columns.push((name, quoted));
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            None => return Ok(columns),
            Some(',') => {}
            Some(other) => return Err(format!("unexpected `{other}` after column name in `{text}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_default(pairs: &[(String, String)]) -> Result<ShapeParams, InvalidRequest> {
        parse(pairs, &Limits::default())
    }

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_a_live_request() {
        let params = parse_default(&pairs(&[
            ("table", "contacts"),
            ("offset", "12_0"),
            ("handle", "h"),
            ("live", "true"),
            ("cursor", "99"),
            ("where", "owner = $1"),
            ("params[1]", "ann"),
            ("columns", "\"id\",\"na,me\""),
            ("cache-buster", "x"),
            ("log", "full"),
        ]))
        .unwrap();
        assert_eq!(params.offset, RequestOffset::At { position: 12, fingerprint: 0 });
        assert_eq!(params.handle.as_deref(), Some("h"));
        assert!(params.live);
        assert_eq!(params.params.get(&1).map(String::as_str), Some("ann"));
        assert_eq!(params.columns, Some(vec![("id".into(), true), ("na,me".into(), true)]));
    }

    #[test]
    fn reports_electric_validation_errors() {
        let error = parse_default(&pairs(&[("offset", "5_0"), ("live", "yes")])).unwrap_err();
        assert!(error.errors.contains_key("table"));
        assert!(error.errors.contains_key("handle"));
        assert!(error.errors.contains_key("live"));
        let error = parse_default(&pairs(&[("table", "t"), ("offset", "-1"), ("live", "true")])).unwrap_err();
        assert_eq!(error.errors["live"], vec!["can't be true when offset == -1"]);
        let error = parse_default(&pairs(&[("table", "t"), ("offset", "-1"), ("columns", "id,,name")])).unwrap_err();
        assert_eq!(error.errors["columns"], vec!["Invalid zero-length identifier"]);
    }

    #[test]
    fn accepts_json_params() {
        let params =
            parse_default(&pairs(&[("table", "t"), ("offset", "-1"), ("params", r#"{"1":"a","2":3}"#)])).unwrap();
        assert_eq!(params.params, BTreeMap::from([(1, "a".into()), (2, "3".into())]));
    }
}
