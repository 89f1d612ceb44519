//! [`File`]: the bytes of a `multipart/form-data` file part, with its file name and media type.

use std::cell::RefCell;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A file to upload: a property of a `multipart/form-data` body whose schema is
/// `type: string, format: binary` (OpenAPI 3.0) or has a `contentMediaType` (3.1).
///
/// In a multipart body it is sent as a file part, its bytes untouched, with
/// `filename="…"` and its `Content-Type` (`application/octet-stream` unless set). Anywhere
/// else (a JSON body, `Debug`), it is its bytes in standard base64.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct File {
    bytes: bytes::Bytes,
    file_name: Option<String>,
    content_type: Option<String>,
}

impl File {
    pub fn new(bytes: impl Into<bytes::Bytes>) -> Self {
        File { bytes: bytes.into(), file_name: None, content_type: None }
    }

    /// The name sent as the part's `filename` (the part's property name when not set).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The part's media type (`application/octet-stream` when not set, unless the spec's
    /// `encoding` names one).
    pub fn content_type(mut self, media_type: impl Into<String>) -> Self {
        self.content_type = Some(media_type.into());
        self
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    pub fn media_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("len", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

thread_local! {
    /// While a multipart body is being turned into parts (see [`capture`]): the files met so
    /// far and the marker their places in the value tree get.
    static CAPTURE: RefCell<Option<Capture>> = const { RefCell::new(None) };
}

struct Capture {
    marker: String,
    files: Vec<File>,
}

impl Serialize for File {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let placeholder = CAPTURE.with(|capture| {
            capture.borrow_mut().as_mut().map(|capture| {
                capture.files.push(self.clone());
                format!("{}{}", capture.marker, capture.files.len() - 1)
            })
        });
        match placeholder {
            Some(placeholder) => serializer.serialize_str(&placeholder),
            None => serializer.serialize_str(&STANDARD.encode(&self.bytes)),
        }
    }
}

impl<'de> Deserialize<'de> for File {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let bytes = STANDARD.decode(text.as_bytes()).map_err(serde::de::Error::custom)?;
        Ok(File::new(bytes))
    }
}

/// Serialises `body` to a JSON value in which every [`File`] is replaced by a string
/// `marker` + index into the returned files, so the multipart encoder can put the bytes back.
/// Serialisation is synchronous and the capture is per thread, so concurrent encodings never
/// see each other's files; the marker holds a NUL and a per-call number, which text from a
/// caller does not.
pub(crate) fn capture<T: Serialize + ?Sized>(
    body: &T,
) -> Result<(serde_json::Value, String, Vec<File>), serde_json::Error> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let marker = format!("\u{0}sync-runtime-file-{}-", CALLS.fetch_add(1, Ordering::Relaxed));
    let previous = CAPTURE.with(|capture| capture.replace(Some(Capture { marker: marker.clone(), files: Vec::new() })));
    let value = serde_json::to_value(body);
    let captured = CAPTURE.with(|capture| capture.replace(previous));
    let files = captured.map(|capture| capture.files).unwrap_or_default();
    Ok((value?, marker, files))
}

#[cfg(test)]
mod tests {
    use super::{File, capture};

    #[test]
    fn files_are_base64_outside_multipart_and_markers_inside() {
        let file = File::new(vec![0u8, 159, 146, 150]).file_name("a.bin");
        assert_eq!(serde_json::to_string(&file).unwrap(), r#""AJ+Slg==""#);
        let back: File = serde_json::from_str(r#""AJ+Slg==""#).unwrap();
        assert_eq!(back.bytes(), file.bytes());

        let body = serde_json::json!({"note": "x"});
        let (value, _, files) = capture(&body).unwrap();
        assert_eq!(value, body);
        assert!(files.is_empty());

        #[derive(serde::Serialize)]
        struct Upload {
            file: File,
            more: Vec<File>,
        }
        let (value, marker, files) = capture(&Upload { file: file.clone(), more: vec![file.clone()] }).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(value["file"], serde_json::Value::String(format!("{marker}0")));
        assert_eq!(value["more"][0], serde_json::Value::String(format!("{marker}1")));
        // Outside a capture again.
        assert_eq!(serde_json::to_string(&file).unwrap(), r#""AJ+Slg==""#);
    }
}
