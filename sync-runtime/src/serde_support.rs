//! Helpers that generated `serde` code calls: fields that are both optional and nullable, and
//! unions told apart by a discriminator property.

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::ser::{self, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// For a field that is optional *and* nullable, typed `Option<Option<T>>`: a missing key is
/// `None`, `null` is `Some(None)`, a value is `Some(Some(value))`. Serde's own `Option`
/// handling would read `null` as `None` and so lose the difference between "leave unchanged"
/// and "clear", which a PATCH body needs.
pub fn deserialize_nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Reads a tagged union's JSON and returns the discriminator's value with the whole object.
///
/// Generated unions decode this way instead of with `#[serde(tag = "...")]`, because serde's
/// internal tagging removes the tag before decoding the variant, and a variant type that
/// declares the tag as a required property (as OpenAPI specs do) would then fail to decode.
pub fn split_tagged<'de, D: Deserializer<'de>>(deserializer: D, tag: &str) -> Result<(String, Value), D::Error> {
    let value = Value::deserialize(deserializer)?;
    let found = match value.get(tag) {
        Some(Value::String(found)) => found.clone(),
        Some(other) => return Err(de::Error::custom(format!("discriminator `{tag}` is not a string: {other}"))),
        None => return Err(de::Error::custom(format!("missing discriminator `{tag}`"))),
    };
    Ok((found, value))
}

/// Decodes one variant of a tagged union from the object [`split_tagged`] returned.
pub fn tagged_variant<T: DeserializeOwned, E: de::Error>(value: Value) -> Result<T, E> {
    T::deserialize(value).map_err(E::custom)
}

/// Encodes one variant of a tagged union, adding the discriminator when the variant's type
/// does not carry it itself.
pub fn serialize_tagged<S: Serializer, T: Serialize>(
    serializer: S,
    tag: &str,
    tag_value: &str,
    variant: &T,
) -> Result<S::Ok, S::Error> {
    let mut value = serde_json::to_value(variant).map_err(ser::Error::custom)?;
    if let Value::Object(fields) = &mut value {
        fields.entry(tag).or_insert_with(|| Value::String(tag_value.to_owned()));
    }
    value.serialize(serializer)
}
