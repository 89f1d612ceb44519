//! Parameter serialisation: turns typed values into path segments, query pairs, header and
//! cookie values following OpenAPI's `style`/`explode` rules.
//!
//! Values go through `serde_json::Value` first, so every generated type (enums with renamed
//! variants, dates, UUIDs, structs for `deepObject`) serialises exactly as it does in a body.

use serde::Serialize;
use serde_json::Value;

/// OpenAPI's parameter `style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

/// A parameter value reduced to what the styles distinguish.
enum Shape {
    Absent,
    Scalar(String),
    List(Vec<String>),
    Object(Vec<(String, String)>),
}

fn shape<T: Serialize + ?Sized>(value: &T) -> Result<Shape, String> {
    let value = serde_json::to_value(value).map_err(|err| err.to_string())?;
    Ok(match value {
        Value::Null => Shape::Absent,
        Value::Array(items) => Shape::List(items.iter().map(scalar_text).collect()),
        Value::Object(fields) => Shape::Object(
            fields
                .iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(key, value)| (key.clone(), scalar_text(value)))
                .collect(),
        ),
        scalar => Shape::Scalar(scalar_text(&scalar)),
    })
}

/// A scalar's text; nested arrays and objects (which no style defines) as their JSON.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The text that replaces `{name}` in a path template, percent-encoded. `None` when the value
/// is null.
pub fn path<T: Serialize + ?Sized>(
    name: &str,
    value: &T,
    style: Style,
    explode: bool,
) -> Result<Option<String>, String> {
    let enc = |text: &str| percent_encode(text);
    let (prefix, separator) = match style {
        Style::Label => (".".to_owned(), if explode { "." } else { "," }),
        Style::Matrix => (format!(";{name}="), ","),
        _ => (String::new(), ","),
    };
    Ok(Some(match shape(value)? {
        Shape::Absent => return Ok(None),
        Shape::Scalar(text) => format!("{prefix}{}", enc(&text)),
        Shape::List(items) if style == Style::Matrix && explode => {
            items.iter().map(|item| format!(";{name}={}", enc(item))).collect()
        }
        Shape::List(items) => {
            format!("{prefix}{}", items.iter().map(|item| enc(item)).collect::<Vec<_>>().join(separator))
        }
        Shape::Object(fields) if explode => {
            let (prefix, separator) = match style {
                Style::Label => (".", "."),
                Style::Matrix => (";", ";"),
                _ => ("", ","),
            };
            let pairs: Vec<String> = fields.iter().map(|(key, value)| format!("{}={}", enc(key), enc(value))).collect();
            format!("{prefix}{}", pairs.join(separator))
        }
        Shape::Object(fields) => {
            let flat: Vec<String> = fields.iter().flat_map(|(key, value)| [enc(key), enc(value)]).collect();
            format!("{prefix}{}", flat.join(","))
        }
    }))
}

/// The query pairs for one parameter (not yet URL-encoded). Empty when the value is null.
pub fn query<T: Serialize + ?Sized>(
    name: &str,
    value: &T,
    style: Style,
    explode: bool,
) -> Result<Vec<(String, String)>, String> {
    let delimiter = match style {
        Style::SpaceDelimited => " ",
        Style::PipeDelimited => "|",
        _ => ",",
    };
    Ok(match shape(value)? {
        Shape::Absent => Vec::new(),
        Shape::Scalar(text) => vec![(name.to_owned(), text)],
        Shape::List(items) if explode && style == Style::Form => {
            items.into_iter().map(|item| (name.to_owned(), item)).collect()
        }
        Shape::List(items) => vec![(name.to_owned(), items.join(delimiter))],
        Shape::Object(fields) if style == Style::DeepObject => {
            fields.into_iter().map(|(key, value)| (format!("{name}[{key}]"), value)).collect()
        }
        Shape::Object(fields) if explode => fields,
        Shape::Object(fields) => {
            let flat: Vec<String> = fields.into_iter().flat_map(|(key, value)| [key, value]).collect();
            vec![(name.to_owned(), flat.join(delimiter))]
        }
    })
}

/// A header's value (`simple` style). `None` when the value is null.
pub fn header<T: Serialize + ?Sized>(value: &T, explode: bool) -> Result<Option<String>, String> {
    Ok(match shape(value)? {
        Shape::Absent => None,
        Shape::Scalar(text) => Some(text),
        Shape::List(items) => Some(items.join(",")),
        Shape::Object(fields) if explode => {
            Some(fields.iter().map(|(key, value)| format!("{key}={value}")).collect::<Vec<_>>().join(","))
        }
        Shape::Object(fields) => {
            Some(fields.into_iter().flat_map(|(key, value)| [key, value]).collect::<Vec<_>>().join(","))
        }
    })
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so a value cannot add
/// path segments or a query.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Encodes a JSON object as `application/x-www-form-urlencoded`: one pair per property, and
/// one per item for arrays (form style, exploded).
pub(crate) fn form_body<T: Serialize + ?Sized>(body: &T) -> Result<String, String> {
    let Value::Object(fields) = serde_json::to_value(body).map_err(|err| err.to_string())? else {
        return Err("a form body must be an object".to_owned());
    };
    let mut pairs = Vec::new();
    for (name, value) in fields {
        match value {
            Value::Null => {}
            Value::Array(items) => pairs.extend(items.iter().map(|item| (name.clone(), scalar_text(item)))),
            other => pairs.push((name, scalar_text(&other))),
        }
    }
    let mut serializer = reqwest::Url::parse("http://form.invalid/").expect("a constant URL parses");
    serializer.query_pairs_mut().extend_pairs(pairs);
    Ok(serializer.query().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_values_cannot_escape_their_segment() {
        assert_eq!(path("id", "a/b?c", Style::Simple, false).unwrap().unwrap(), "a%2Fb%3Fc");
        assert_eq!(path("id", &[1, 2], Style::Simple, false).unwrap().unwrap(), "1,2");
        assert_eq!(path("id", &[1, 2], Style::Label, true).unwrap().unwrap(), ".1.2");
        assert_eq!(path("id", &[1, 2], Style::Matrix, true).unwrap().unwrap(), ";id=1;id=2");
        assert_eq!(path("id", &Option::<i32>::None, Style::Simple, false).unwrap(), None);
    }

    #[test]
    fn query_styles() {
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert_eq!(query("t", &["a", "b"], Style::Form, true).unwrap(), vec![pair("t", "a"), pair("t", "b")]);
        assert_eq!(query("t", &["a", "b"], Style::Form, false).unwrap(), vec![pair("t", "a,b")]);
        assert_eq!(query("t", &["a", "b"], Style::PipeDelimited, false).unwrap(), vec![pair("t", "a|b")]);
        let object = serde_json::json!({"x": 1, "y": "z"});
        assert_eq!(query("f", &object, Style::DeepObject, true).unwrap(), vec![pair("f[x]", "1"), pair("f[y]", "z")]);
        assert_eq!(query("f", &object, Style::Form, true).unwrap(), vec![pair("x", "1"), pair("y", "z")]);
        assert!(query("t", &Option::<String>::None, Style::Form, true).unwrap().is_empty());
    }

    #[test]
    fn form_bodies_are_url_encoded() {
        let body = serde_json::json!({"name": "a b&c", "tags": ["x", "y"]});
        assert_eq!(form_body(&body).unwrap(), "name=a+b%26c&tags=x&tags=y");
    }
}
