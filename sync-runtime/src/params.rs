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
    if style == Style::DeepObject {
        // Brackets at every level (`filter[created][gte]=1`), like a form body's.
        let value = serde_json::to_value(value).map_err(|err| err.to_string())?;
        if value.is_object() {
            let mut pairs = Vec::new();
            brackets(name.to_owned(), &value, &mut pairs);
            return Ok(pairs);
        }
    }
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

/// How one property of a form or multipart body is encoded: OpenAPI's `encoding` object.
/// Properties without one use the defaults described at [`form_body`] and [`Request::multipart_encoded`](crate::Request::multipart_encoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding {
    /// The property's name on the wire.
    pub name: &'static str,
    pub style: Style,
    pub explode: bool,
    /// `contentType`: the media type of a multipart part.
    pub content_type: Option<&'static str>,
}

impl Encoding {
    pub const fn new(name: &'static str, style: Style, explode: bool) -> Self {
        Encoding { name, style, explode, content_type: None }
    }

    pub const fn with_content_type(mut self, content_type: &'static str) -> Self {
        self.content_type = Some(content_type);
        self
    }
}

/// Encodes an object as `application/x-www-form-urlencoded`, one property at a time, following
/// the property's [`Encoding`] when the spec gives one:
///
/// - `form` (the default), exploded: `tag=a&tag=b`; not exploded: `tag=a,b`; an object with
///   a declared `form` style: `R=100&G=200` (exploded) or `color=R,100,G,200`.
/// - `spaceDelimited` / `pipeDelimited` arrays: `tag=a%20b`, `tag=a|b`.
/// - `deepObject`: brackets at every level, arrays by index, as Stripe, Rails and PHP read
///   them: `metadata[plan]=pro`, `items[0][price]=p_1`, `expand[0]=customer`.
///
/// An object or a nested array without a declared encoding also uses brackets: OpenAPI's
/// default (`form`, exploded) would drop the property's name and cannot express nesting, so
/// no server could read it back. `null` values and empty arrays or objects send nothing.
/// Properties go in name order (the order of `serde_json`'s maps), which form readers ignore.
pub fn form_body<T: Serialize + ?Sized>(body: &T, encodings: &[Encoding]) -> Result<String, String> {
    let Value::Object(fields) = serde_json::to_value(body).map_err(|err| err.to_string())? else {
        return Err("a form body must be an object".to_owned());
    };
    let mut pairs = Vec::new();
    for (name, value) in &fields {
        let encoding = encodings.iter().find(|e| e.name == name);
        form_property(name, value, encoding, &mut pairs);
    }
    Ok(url_encode_pairs(&pairs))
}

fn form_property(name: &str, value: &Value, encoding: Option<&Encoding>, out: &mut Vec<(String, String)>) {
    let (style, explode) = encoding.map_or((Style::Form, true), |e| (e.style, e.explode));
    match value {
        Value::Null => {}
        Value::Array(items) if style != Style::DeepObject && is_flat(items) => {
            let texts = items.iter().filter(|item| !item.is_null()).map(scalar_text);
            match style {
                Style::Form if explode => out.extend(texts.map(|text| (name.to_owned(), text))),
                Style::SpaceDelimited => out.push((name.to_owned(), texts.collect::<Vec<_>>().join(" "))),
                Style::PipeDelimited => out.push((name.to_owned(), texts.collect::<Vec<_>>().join("|"))),
                _ => out.push((name.to_owned(), texts.collect::<Vec<_>>().join(","))),
            }
        }
        Value::Object(fields) if encoding.is_some() && style == Style::Form && is_flat(fields.values()) => {
            let fields = fields.iter().filter(|(_, v)| !v.is_null());
            if explode {
                out.extend(fields.map(|(key, value)| (key.clone(), scalar_text(value))));
            } else {
                let flat: Vec<String> = fields.flat_map(|(key, value)| [key.clone(), scalar_text(value)]).collect();
                out.push((name.to_owned(), flat.join(",")));
            }
        }
        Value::Array(_) | Value::Object(_) => brackets(name.to_owned(), value, out),
        scalar => out.push((name.to_owned(), scalar_text(scalar))),
    }
}

/// Whether no value is an array or object.
fn is_flat<'a>(values: impl IntoIterator<Item = &'a Value>) -> bool {
    values.into_iter().all(|v| !v.is_array() && !v.is_object())
}

/// `deepObject` at every level: `prefix[key][0]=value`.
fn brackets(prefix: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                brackets(format!("{prefix}[{index}]"), item, out);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                brackets(format!("{prefix}[{key}]"), item, out);
            }
        }
        scalar => out.push((prefix, scalar_text(scalar))),
    }
}

/// `application/x-www-form-urlencoded` text of `pairs` (spaces as `+`).
fn url_encode_pairs(pairs: &[(String, String)]) -> String {
    let mut serializer = reqwest::Url::parse("http://form.invalid/").expect("a constant URL parses");
    serializer.query_pairs_mut().extend_pairs(pairs);
    serializer.query().unwrap_or_default().to_owned()
}

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Part {
    pub name: String,
    /// Set for file parts.
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: bytes::Bytes,
}

/// The parts of a multipart body: one per property, one per item for arrays of scalars or
/// files. [`crate::File`]s become file parts with their bytes as they are; text and numbers
/// become plain parts; objects and nested arrays become `application/json` parts. The
/// property's [`Encoding`] may name a part's media type. Parts go in property-name order.
pub(crate) fn multipart_parts<T: Serialize + ?Sized>(body: &T, encodings: &[Encoding]) -> Result<Vec<Part>, String> {
    let (value, marker, files) = crate::file::capture(body).map_err(|err| err.to_string())?;
    let Value::Object(fields) = value else {
        return Err("a multipart body must be an object".to_owned());
    };
    let file_at = |value: &Value| -> Option<&crate::File> {
        let index: usize = value.as_str()?.strip_prefix(marker.as_str())?.parse().ok()?;
        files.get(index)
    };
    let mut parts = Vec::new();
    for (name, value) in &fields {
        let declared = encodings.iter().find(|e| e.name == name).and_then(|e| e.content_type);
        // A declared list (`image/png, image/jpeg`) or range (`image/*`) names no one type.
        let declared = declared.filter(|media| !media.contains([',', '*']));
        let part = |value: &Value| -> Result<Part, String> {
            if let Some(file) = file_at(value) {
                return Ok(Part {
                    name: name.clone(),
                    file_name: Some(file.name().unwrap_or(name).to_owned()),
                    content_type: Some(file.media_type().or(declared).unwrap_or("application/octet-stream").to_owned()),
                    bytes: bytes::Bytes::copy_from_slice(file.bytes()),
                });
            }
            if contains_file(value, &marker) {
                return Err(format!("property `{name}`: a file can only be a property or an item of one"));
            }
            let (bytes, content_type) = match value {
                Value::Object(_) | Value::Array(_) => {
                    (value.to_string().into_bytes(), Some(declared.unwrap_or("application/json")))
                }
                scalar => (scalar_text(scalar).into_bytes(), declared),
            };
            Ok(Part {
                name: name.clone(),
                file_name: None,
                content_type: content_type.map(str::to_owned),
                bytes: bytes.into(),
            })
        };
        match value {
            Value::Null => {}
            Value::Array(items) if items.iter().all(|item| !item.is_array() && !item.is_object()) => {
                for item in items.iter().filter(|item| !item.is_null()) {
                    parts.push(part(item)?);
                }
            }
            other => parts.push(part(other)?),
        }
    }
    Ok(parts)
}

fn contains_file(value: &Value, marker: &str) -> bool {
    match value {
        Value::String(text) => text.starts_with(marker),
        Value::Array(items) => items.iter().any(|item| contains_file(item, marker)),
        Value::Object(fields) => fields.values().any(|item| contains_file(item, marker)),
        _ => false,
    }
}

/// The bytes and `Content-Type` of a multipart body (RFC 7578) made of `parts`.
pub(crate) fn multipart_body(parts: &[Part]) -> (Vec<u8>, String) {
    // A boundary that occurs in no part: check and lengthen until it does not.
    let mut boundary = String::from("sync-runtime-boundary-7f3a9c");
    let occurs = |boundary: &str| {
        parts.iter().any(|part| {
            part.bytes.windows(boundary.len()).any(|window| window == boundary.as_bytes())
                || part.name.contains(boundary)
                || part.file_name.as_deref().is_some_and(|name| name.contains(boundary))
        })
    };
    let mut round = 0u32;
    while occurs(&boundary) {
        round += 1;
        boundary.push_str(&format!("{:x}", round.wrapping_mul(0x9e37_79b9)));
    }
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", quote_field(&part.name));
        if let Some(file_name) = &part.file_name {
            disposition.push_str(&format!("; filename=\"{}\"", quote_field(file_name)));
        }
        out.extend_from_slice(disposition.as_bytes());
        out.extend_from_slice(b"\r\n");
        if let Some(content_type) = &part.content_type {
            out.extend_from_slice(format!("Content-Type: {}\r\n", content_type.replace(['\r', '\n'], " ")).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&part.bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (out, format!("multipart/form-data; boundary={boundary}"))
}

/// A name or file name inside a quoted `Content-Disposition` parameter, escaped as browsers
/// do (WHATWG HTML): `"` as `%22`, line breaks as `%0D` / `%0A`.
fn quote_field(text: &str) -> String {
    text.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
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
        assert_eq!(form_body(&body, &[]).unwrap(), "name=a+b%26c&tags=x&tags=y");
    }

    /// Decoded pairs, to compare with what a spec's encoding promises.
    fn pairs(text: &str) -> Vec<(String, String)> {
        let url = reqwest::Url::parse(&format!("http://x.invalid/?{text}")).unwrap();
        url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn form_bodies_follow_the_declared_encoding() {
        let body = serde_json::json!({
            "metadata": {"plan": "pro", "seats": 3},
            "items": [{"price": "p_1", "quantity": 2}, {"price": "p_2"}],
            "expand": ["customer", "invoice"],
            "tags": ["a", "b"],
            "color": {"R": 100, "G": 200},
            "ids": [1, 2],
            "skip": null,
        });
        let encodings = [
            Encoding::new("metadata", Style::DeepObject, true),
            Encoding::new("items", Style::DeepObject, true),
            Encoding::new("expand", Style::DeepObject, true),
            Encoding::new("color", Style::Form, true),
            Encoding::new("ids", Style::PipeDelimited, false),
        ];
        assert_eq!(
            pairs(&form_body(&body, &encodings).unwrap()),
            // Properties in name order (serde_json's maps are sorted), each as declared.
            owned(&[
                ("G", "200"),
                ("R", "100"),
                ("expand[0]", "customer"),
                ("expand[1]", "invoice"),
                ("ids", "1|2"),
                ("items[0][price]", "p_1"),
                ("items[0][quantity]", "2"),
                ("items[1][price]", "p_2"),
                ("metadata[plan]", "pro"),
                ("metadata[seats]", "3"),
                ("tags", "a"),
                ("tags", "b"),
            ])
        );
        // Without declared encodings, objects and nested arrays still keep their names.
        let plain = form_body(&body, &[]).unwrap();
        let plain = pairs(&plain);
        assert!(plain.contains(&("metadata[plan]".into(), "pro".into())));
        assert!(plain.contains(&("items[1][price]".into(), "p_2".into())));
        assert!(plain.contains(&("expand".into(), "invoice".into())));
        assert!(plain.contains(&("color[G]".into(), "200".into())));
    }

    #[test]
    fn multipart_parts_keep_files_as_bytes() {
        #[derive(serde::Serialize)]
        struct Upload {
            title: String,
            count: i32,
            avatar: crate::File,
            extra: Vec<crate::File>,
            meta: serde_json::Value,
            none: Option<String>,
        }
        let upload = Upload {
            title: "a \"b\"".into(),
            count: 2,
            avatar: crate::File::new(vec![0u8, 255, 13, 10]).file_name("me.png").content_type("image/png"),
            extra: vec![crate::File::new(&b"x"[..])],
            meta: serde_json::json!({"k": [1]}),
            none: None,
        };
        let parts =
            multipart_parts(&upload, &[Encoding::new("extra", Style::Form, true).with_content_type("text/csv")])
                .unwrap();
        let summary: Vec<_> = parts
            .iter()
            .map(|p| (p.name.as_str(), p.file_name.as_deref(), p.content_type.as_deref(), p.bytes.to_vec()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("avatar", Some("me.png"), Some("image/png"), vec![0, 255, 13, 10]),
                ("count", None, None, b"2".to_vec()),
                ("extra", Some("extra"), Some("text/csv"), b"x".to_vec()),
                ("meta", None, Some("application/json"), br#"{"k":[1]}"#.to_vec()),
                ("title", None, None, b"a \"b\"".to_vec()),
            ]
        );
        let (bytes, content_type) = multipart_body(&parts);
        let boundary = content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\na \"b\"\r\n"
            ))
        );
        assert!(text.starts_with(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\nContent-Type: image/png\r\n\r\n"
        )));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }
}
