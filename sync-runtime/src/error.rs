//! The error a generated call returns.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a call failed. `E` is the error body the spec declares for the operation
/// (`serde_json::Value` when it declares none, or declares different ones per status).
#[derive(Debug, thiserror::Error)]
pub enum Error<E = serde_json::Value> {
    /// The server answered with a status the spec declares as an error; its body is decoded.
    /// Boxed so `Result<T, Error<E>>` stays small however large the spec's error type is.
    #[error("the server answered {status}: {body:?}")]
    Api { status: u16, body: Box<E> },
    /// The server answered with an error status the spec declares without a JSON body (a bare
    /// `404 Not Found`); whatever body came, usually none, is kept as text.
    #[error("the server answered {status}{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Status { status: u16, body: String },
    /// The server answered with a status the spec does not declare; the body is kept as text.
    #[error("the server answered {status}, which the API does not declare: {body}")]
    UnexpectedStatus { status: u16, body: String },
    /// The request (connecting, sending or reading the answer) took longer than the timeout.
    #[error("the request timed out")]
    Timeout,
    /// The request could not be sent or its answer not read.
    #[error("the request failed: {0}")]
    Transport(#[source] reqwest::Error),
    /// The answer's body does not match the type the spec declares.
    #[error("could not decode the answer (status {status}): {source}")]
    Decode {
        status: u16,
        #[source]
        source: serde_json::Error,
        /// The body as received, for diagnosis.
        body: String,
    },
    /// A parameter or body could not be encoded (a header value with a line break, ...).
    #[error("could not encode the request: {0}")]
    Encode(String),
}

impl<E> Error<E> {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::Status { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            Error::Timeout | Error::Transport(_) | Error::Encode(_) => None,
        }
    }

    /// The decoded error body, when the server sent a declared one.
    pub fn body(&self) -> Option<&E> {
        match self {
            Error::Api { body, .. } => Some(body.as_ref()),
            _ => None,
        }
    }

    /// Converts the error body to another type through JSON, for callers that unify the
    /// errors of several operations (a resource's handle). A body that does not fit `F` is
    /// kept as [`Error::UnexpectedStatus`] with its JSON text, so nothing is lost.
    pub fn convert<F>(self) -> Error<F>
    where
        E: Serialize,
        F: DeserializeOwned,
    {
        match self {
            Error::Api { status, body } => {
                let value = match serde_json::to_value(&body) {
                    Ok(value) => value,
                    Err(err) => return Error::Encode(err.to_string()),
                };
                match F::deserialize(&value) {
                    Ok(body) => Error::Api { status, body: Box::new(body) },
                    Err(_) => Error::UnexpectedStatus { status, body: value.to_string() },
                }
            }
            Error::Status { status, body } => Error::Status { status, body },
            Error::UnexpectedStatus { status, body } => Error::UnexpectedStatus { status, body },
            Error::Timeout => Error::Timeout,
            Error::Transport(err) => Error::Transport(err),
            Error::Decode { status, source, body } => Error::Decode { status, source, body },
            Error::Encode(message) => Error::Encode(message),
        }
    }
}

impl<E> From<reqwest::Error> for Error<E> {
    fn from(err: reqwest::Error) -> Self {
        if err.is_timeout() { Error::Timeout } else { Error::Transport(err) }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::Error;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Problem {
        message: String,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Other {
        code: i64,
    }

    #[test]
    fn converting_keeps_bodies_that_fit_and_the_text_of_those_that_do_not() {
        let api = |message: &str| Error::Api { status: 404, body: Box::new(Problem { message: message.into() }) };
        let as_value: Error<serde_json::Value> = api("gone").convert();
        assert_eq!(as_value.body(), Some(&serde_json::json!({"message": "gone"})));
        let back: Error<Problem> = as_value.convert();
        assert_eq!(back.body(), Some(&Problem { message: "gone".into() }));
        match api("gone").convert::<Other>() {
            Error::UnexpectedStatus { status: 404, body } => assert_eq!(body, r#"{"message":"gone"}"#),
            other => panic!("expected the body kept as text, got {other:?}"),
        }
    }

    #[test]
    fn messages_name_the_status_and_body() {
        let err = Error::Api { status: 422, body: Box::new(Problem { message: "no name".into() }) };
        assert_eq!(err.to_string(), r#"the server answered 422: Problem { message: "no name" }"#);
        assert_eq!(err.status(), Some(422));
        assert_eq!(Error::<Problem>::Timeout.status(), None);
        let bare = Error::<Problem>::Status { status: 404, body: String::new() };
        assert_eq!(bare.to_string(), "the server answered 404");
        assert_eq!(bare.status(), Some(404));
    }
}
