//! Request-body validation: every problem is reported per field (422), never as a 500.
//!
//! Bodies are checked field by field on the JSON rather than decoded with serde, because
//! serde stops at the first problem and knows nothing of the spec's lengths and formats; what
//! passes is built into the generated types.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::models::{ContactPatch, FieldError, NewContact};

const NAME_MAX: usize = 200;
const EMAIL_MAX: usize = 320;
const PHONE_MAX: usize = 50;

pub fn new_contact(body: &[u8]) -> Result<NewContact, Vec<FieldError>> {
    let mut fields = object(body, &["id", "name", "email", "phone"])?;
    let mut errors = Vec::new();
    let id = match fields.remove("id") {
        None | Some(Value::Null) => None,
        Some(value) => record(&mut errors, "id", uuid(value)),
    };
    let name = required(&mut fields, &mut errors, "name", name);
    let email = required(&mut fields, &mut errors, "email", email);
    let phone = fields.remove("phone").and_then(|value| record(&mut errors, "phone", phone(value)));
    match (name, email) {
        (Some(name), Some(email)) if errors.is_empty() => Ok(NewContact { id, name, email, phone }),
        _ => Err(errors),
    }
}

/// A patch for the contact `id`.
pub fn patch(body: &[u8], id: Uuid) -> Result<ContactPatch, Vec<FieldError>> {
    let mut fields = object(body, &["id", "name", "email", "phone"])?;
    let mut errors = Vec::new();
    // Clients often send the whole row back; an id is fine as long as it is not a change.
    if let Some(value) = fields.remove("id") {
        let same =
            |sent| if sent == id { Ok(()) } else { Err(format!("cannot change the id (`{sent}` is not `{id}`)")) };
        record(&mut errors, "id", uuid(value).and_then(same));
    }
    let patch = ContactPatch {
        name: fields.remove("name").and_then(|value| record(&mut errors, "name", name(value))),
        email: fields.remove("email").and_then(|value| record(&mut errors, "email", email(value))),
        phone: fields.remove("phone").and_then(|value| record(&mut errors, "phone", phone(value))),
    };
    if errors.is_empty() { Ok(patch) } else { Err(errors) }
}

fn error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: field.to_owned(), message: message.into() }
}

/// The body as a JSON object with only `allowed` fields.
fn object(body: &[u8], allowed: &[&str]) -> Result<Map<String, Value>, Vec<FieldError>> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| vec![error("", format!("body is not valid JSON: {e}"))])?;
    let Value::Object(fields) = value else {
        return Err(vec![error("", "body must be a JSON object")]);
    };
    let unknown: Vec<FieldError> = fields
        .keys()
        .filter(|key| !allowed.contains(&key.as_str()))
        .map(|key| error(key, format!("unknown field; expected one of: {}", allowed.join(", "))))
        .collect();
    if unknown.is_empty() { Ok(fields) } else { Err(unknown) }
}

fn record<T>(errors: &mut Vec<FieldError>, field: &str, result: Result<T, String>) -> Option<T> {
    result.map_err(|message| errors.push(error(field, message))).ok()
}

fn required<T>(
    fields: &mut Map<String, Value>,
    errors: &mut Vec<FieldError>,
    field: &str,
    check: fn(Value) -> Result<T, String>,
) -> Option<T> {
    match fields.remove(field) {
        None | Some(Value::Null) => {
            errors.push(error(field, "is required"));
            None
        }
        Some(value) => record(errors, field, check(value)),
    }
}

fn string(value: Value) -> Result<String, String> {
    match value {
        // Postgres text cannot hold NUL, and no name, email or phone has one.
        Value::String(text) if text.contains('\0') => Err("must not contain NUL characters".into()),
        Value::String(text) => Ok(text),
        other => Err(format!("must be a string, not {}", json_type(&other))),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn uuid(value: Value) -> Result<Uuid, String> {
    let text = string(value)?;
    Uuid::parse_str(&text).map_err(|_| format!("`{text}` is not a UUID"))
}

fn name(value: Value) -> Result<String, String> {
    let text = string(value)?.trim().to_owned();
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > NAME_MAX {
        return Err(format!("must be at most {NAME_MAX} characters"));
    }
    Ok(text)
}

fn email(value: Value) -> Result<String, String> {
    let text = string(value)?.trim().to_owned();
    if text.chars().count() > EMAIL_MAX {
        return Err(format!("must be at most {EMAIL_MAX} characters"));
    }
    let valid = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid { Ok(text) } else { Err(format!("`{text}` is not an email address")) }
}

/// `null` (and a blank number) clears the phone.
fn phone(value: Value) -> Result<Option<String>, String> {
    if value.is_null() {
        return Ok(None);
    }
    let text = string(value)?.trim().to_owned();
    if text.chars().count() > PHONE_MAX {
        return Err(format!("must be at most {PHONE_MAX} characters"));
    }
    Ok(Some(text).filter(|t| !t.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_minimal_contact() {
        let contact = new_contact(br#"{"name":" Ann ","email":"ann@example.com"}"#).unwrap();
        assert_eq!((contact.name.as_str(), contact.id), ("Ann", None));
    }

    #[test]
    fn reports_every_bad_field() {
        let errors = new_contact(br#"{"id":"nope","name":"","email":"x","phone":5,"age":3}"#).unwrap_err();
        assert_eq!(errors.len(), 1, "unknown fields are reported first: {errors:?}");
        let errors = new_contact(br#"{"id":"nope","name":"","email":"x","phone":5}"#).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["id", "name", "email", "phone"]);
        assert_eq!(new_contact(b"[1]").unwrap_err()[0].message, "body must be a JSON object");
        assert_eq!(new_contact(br#"{"email":"a@b.co"}"#).unwrap_err()[0].field, "name");
        let nul = new_contact(br#"{"name":"A\u0000","email":"a@b.co"}"#).unwrap_err();
        assert_eq!((nul[0].field.as_str(), nul[0].message.as_str()), ("name", "must not contain NUL characters"));
    }

    #[test]
    fn tells_a_missing_phone_from_a_cleared_one() {
        let id = Uuid::new_v4();
        assert_eq!(patch(br#"{"phone":null}"#, id).unwrap().phone, Some(None));
        assert_eq!(patch(br#"{"phone":" "}"#, id).unwrap().phone, Some(None));
        assert_eq!(patch(br#"{"phone":"+1 2"}"#, id).unwrap().phone, Some(Some("+1 2".into())));
        assert_eq!(patch(br#"{"name":"Bo"}"#, id).unwrap().phone, None);
        assert_eq!(new_contact(br#"{"name":"A","email":"a@b.co"}"#).unwrap().phone, None);
    }

    #[test]
    fn a_patch_may_repeat_the_id_but_not_change_it() {
        let id = Uuid::new_v4();
        let same = format!(r#"{{"id":"{}","name":"Bo"}}"#, id.hyphenated().to_string().to_uppercase());
        assert_eq!(patch(same.as_bytes(), id).unwrap().name.as_deref(), Some("Bo"));
        let other = format!(r#"{{"id":"{}"}}"#, Uuid::new_v4());
        let errors = patch(other.as_bytes(), id).unwrap_err();
        assert_eq!(errors[0].field, "id");
        assert!(errors[0].message.starts_with("cannot change the id"), "{errors:?}");
    }

    #[test]
    fn a_client_chosen_id_is_kept() {
        let id = Uuid::new_v4();
        let body = format!(r#"{{"id":"{id}","name":"A","email":"a@b.co"}}"#);
        assert_eq!(new_contact(body.as_bytes()).unwrap().id, Some(id));
    }
}
