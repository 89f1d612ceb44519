//! Every identifier the generated code uses, handed out once, in model order, through
//! [`crate::naming::Scope`] so collisions resolve the same way on every run.
//!
//! Before casing, spec names that are signs or symbols are spelled out (see [`spell`]):
//! a leading `+` or `-` becomes `plus` / `minus` (`+1` -> `Plus1`, `-1` -> `Minus1`,
//! `-created` -> `MinusCreated`), a name of symbols only is spelled symbol by symbol
//! (`*` -> `Asterisk`, `>=` -> `GreaterThanEquals`), and the empty string is `Empty`. Casing
//! alone would drop the signs and leave `+1` and `-1` fighting over `N1`.
//!
//! Names made by joining (`{operation} Params`, `{resource} Resource`) join with a space so
//! every part keeps its capital: `organizations2` -> `Organizations2Resource`.

use crate::model::{Api, Enum, EnumValue, ParamLocation, TypeKind};
use crate::naming::{Case, Lang, Scope};

/// Type names the generated code refers to unqualified (prelude items and our own), which a
/// spec's schema must therefore not take.
const RESERVED_TYPES: &[&str] =
    &["Client", "Option", "Some", "None", "Result", "Ok", "Err", "Vec", "String", "Box", "Default", "Self"];

/// Methods of the generated `Client` that are not operations.
const RESERVED_METHODS: &[&str] = &["new", "from_runtime", "runtime", "clone"];

pub(super) struct Names {
    /// Per type: its Rust name.
    pub types: Vec<String>,
    /// Per type: each field's name (structs), or each variant's name (enums, unions).
    pub members: Vec<Vec<String>>,
    /// Per struct with `additionalProperties`: the name of the field that keeps them.
    pub additional: Vec<Option<String>>,
    /// Per open enum: the catch-all variant's name.
    pub other: Vec<Option<String>>,
    /// Per operation: the client method's name.
    pub methods: Vec<String>,
    /// Per operation: its argument and parameter-struct field names.
    pub operations: Vec<OperationNames>,
    /// Per resource: the client's accessor and the marker type.
    pub accessors: Vec<String>,
    pub markers: Vec<String>,
}

pub(super) struct OperationNames {
    /// Per parameter (in model order): the argument (path) or `…Params` field (others) name.
    pub params: Vec<String>,
    /// The `…Params` struct, when the operation has query, header or cookie parameters.
    pub params_struct: Option<String>,
    /// The names of the body and params arguments (made unique against path parameters).
    pub body_arg: String,
    pub params_arg: String,
    /// The `…_with_response` twin of the method.
    pub with_response: String,
    /// The `…Success` enum, when success statuses carry different bodies.
    pub outcomes: Option<String>,
}

impl Names {
    pub(super) fn new(api: &Api) -> Self {
        let mut type_scope = Scope::with_reserved(Lang::Rust, Case::Pascal, RESERVED_TYPES.iter().copied());
        let types: Vec<String> = api.types.iter().map(|def| type_scope.claim(&spell(&def.name))).collect();

        let mut members = Vec::with_capacity(api.types.len());
        let mut additional = Vec::with_capacity(api.types.len());
        let mut other = Vec::with_capacity(api.types.len());
        for def in &api.types {
            match &def.kind {
                TypeKind::Struct(s) => {
                    let mut scope = Scope::new(Lang::Rust, Case::Snake);
                    members.push(s.fields.iter().map(|field| scope.claim(&spell(&field.name))).collect());
                    additional.push(s.additional.as_ref().map(|_| scope.claim("additional_properties")));
                    other.push(None);
                }
                TypeKind::Enum(e) => {
                    let mut scope = Scope::new(Lang::Rust, Case::Pascal);
                    members.push(
                        unique_values(e)
                            .map(|value| match value {
                                EnumValue::String(text) => scope.claim(&spell(text)),
                                EnumValue::Integer(n) if *n < 0 => scope.claim(&format!("minus_{}", n.unsigned_abs())),
                                EnumValue::Integer(n) => scope.claim(&format!("value_{n}")),
                            })
                            .collect(),
                    );
                    additional.push(None);
                    other.push(e.open.then(|| scope.claim("other")));
                }
                TypeKind::Union(u) => {
                    let mut scope = Scope::new(Lang::Rust, Case::Pascal);
                    members.push(u.variants.iter().map(|variant| scope.claim(&variant.name)).collect());
                    additional.push(None);
                    other.push(None);
                }
                TypeKind::Alias(_) => {
                    members.push(Vec::new());
                    additional.push(None);
                    other.push(None);
                }
            }
        }

        let mut method_scope = Scope::with_reserved(Lang::Rust, Case::Snake, RESERVED_METHODS.iter().copied());
        let accessors: Vec<String> = api.resources.iter().map(|r| method_scope.claim(&r.name)).collect();
        let methods: Vec<String> = api.operations.iter().map(|op| method_scope.claim(&op.name)).collect();
        let twins: Vec<String> =
            methods.iter().map(|method| method_scope.claim(&format!("{}_with_response", bare(method)))).collect();

        let operations = api
            .operations
            .iter()
            .zip(twins)
            .map(|(op, with_response)| {
                let mut args = Scope::with_reserved(Lang::Rust, Case::Snake, ["self"]);
                let mut fields = Scope::new(Lang::Rust, Case::Snake);
                let params = op
                    .params
                    .iter()
                    .map(|param| match param.location {
                        ParamLocation::Path => args.claim(&spell(&param.name)),
                        _ => fields.claim(&spell(&param.name)),
                    })
                    .collect();
                let has_struct = op.params.iter().any(|p| p.location != ParamLocation::Path);
                let params_struct = has_struct.then(|| type_scope.claim(&format!("{} Params", op.name)));
                let outcomes =
                    super::client::has_outcomes(op).then(|| type_scope.claim(&format!("{} Success", op.name)));
                OperationNames {
                    params,
                    params_struct,
                    body_arg: args.claim("body"),
                    params_arg: args.claim("params"),
                    with_response,
                    outcomes,
                }
            })
            .collect();

        let markers = api.resources.iter().map(|r| type_scope.claim(&format!("{} Resource", r.name))).collect();

        Names { types, members, additional, other, methods, operations, accessors, markers }
    }
}

/// A spec name with its signs and symbols spelled out (see the module docs), ready for casing.
pub(super) fn spell(name: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if name.is_empty() {
        return Cow::Borrowed("empty");
    }
    if !name.chars().any(|c| c.is_ascii_alphanumeric()) {
        let words: Vec<&str> = name.chars().filter_map(symbol_word).collect();
        if !words.is_empty() {
            return Cow::Owned(words.join(" "));
        }
        return Cow::Borrowed(name);
    }
    match name.as_bytes()[0] {
        b'+' => Cow::Owned(format!("plus {}", &name[1..])),
        b'-' => Cow::Owned(format!("minus {}", &name[1..])),
        _ => Cow::Borrowed(name),
    }
}

fn symbol_word(c: char) -> Option<&'static str> {
    Some(match c {
        '+' => "plus",
        '-' => "minus",
        '*' => "asterisk",
        '/' => "slash",
        '\\' => "backslash",
        '=' => "equals",
        '<' => "less than",
        '>' => "greater than",
        '!' => "not",
        '.' => "dot",
        '_' => "underscore",
        '~' => "tilde",
        '%' => "percent",
        '&' => "and",
        '|' => "or",
        '@' => "at",
        '#' => "hash",
        '$' => "dollar",
        '^' => "caret",
        '?' => "question",
        ':' => "colon",
        ',' => "comma",
        ';' => "semicolon",
        '"' => "quote",
        '\'' => "apostrophe",
        '`' => "backtick",
        '(' | ')' => "parenthesis",
        '[' | ']' => "bracket",
        '{' | '}' => "brace",
        _ => return None,
    })
}

/// An identifier without its raw prefix (`r#try` -> `try`), for joining onto.
fn bare(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// An enum's values without repeats (specs do list a value twice), in spec order.
pub(super) fn unique_values(e: &Enum) -> impl Iterator<Item = &EnumValue> {
    let mut seen = Vec::new();
    e.values.iter().filter(move |value| {
        if seen.contains(value) {
            false
        } else {
            seen.push(*value);
            true
        }
    })
}

#[cfg(test)]
mod tests {
    use super::spell;
    use crate::naming::{Case, Lang, ident};

    fn variant(name: &str) -> String {
        ident(&spell(name), Case::Pascal, Lang::Rust)
    }

    #[test]
    fn signs_and_symbols_are_spelled_out() {
        assert_eq!(variant("+1"), "Plus1");
        assert_eq!(variant("-1"), "Minus1");
        assert_eq!(ident(&spell("-1"), Case::Snake, Lang::Rust), "minus_1");
        assert_eq!(variant("-created"), "MinusCreated");
        assert_eq!(variant("*"), "Asterisk");
        assert_eq!(variant(">="), "GreaterThanEquals");
        assert_eq!(variant(""), "Empty");
        assert_eq!(variant("laugh"), "Laugh");
        assert_eq!(variant("2fa_enabled"), "N2faEnabled");
    }
}
