//! Identifiers per language: spec names (`contact-item`, `2fa_enabled`, `type`) turned into
//! legal, conventional identifiers, escaped for keywords, and made unique within a scope.
//!
//! Spec names are arbitrary strings, so after conversion two of them may collide (`fooBar` and
//! `foo_bar` both become `foo_bar`). [`Scope`] resolves that deterministically: names are handed
//! out in the order they are asked for, and a later name that collides gets a numeric suffix.

use std::collections::HashSet;

use heck::{ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// A target language's identifier rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Rust,
    TypeScript,
    Swift,
    Kotlin,
}

/// The casing convention wanted for an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// `ContactItem`: types, enum variants.
    Pascal,
    /// `contact_item`: Rust fields, functions, modules.
    Snake,
    /// `contactItem`: TypeScript, Swift and Kotlin members.
    Camel,
    /// `CONTACT_ITEM`: constants.
    ShoutySnake,
}

/// Converts `name` to `case` and makes it a legal identifier in `lang`: characters that cannot
/// appear are dropped, a leading digit gets a prefix, and keywords are escaped.
pub fn ident(name: &str, case: Case, lang: Lang) -> String {
    let cased = convert(&words(name), case);
    let cased = if cased.is_empty() {
        match case {
            Case::Pascal => "Value".to_owned(),
            Case::ShoutySnake => "VALUE".to_owned(),
            Case::Snake | Case::Camel => "value".to_owned(),
        }
    } else {
        cased
    };
    let cased = if cased.starts_with(|c: char| c.is_ascii_digit()) {
        match case {
            Case::Pascal => format!("N{cased}"),
            Case::ShoutySnake => format!("N_{cased}"),
            Case::Snake => format!("n_{cased}"),
            Case::Camel => format!("n{cased}"),
        }
    } else {
        cased
    };
    escape_keyword(cased, lang)
}

/// `name` in UpperCamelCase with nothing escaped: for joining onto a name that already is a
/// legal identifier (`Contact` + `home address` -> `ContactHomeAddress`).
pub(crate) fn upper_camel_words(name: &str) -> String {
    convert(&words(name), Case::Pascal)
}

/// Shorthand for `ident(name, Case::Pascal, lang)`.
pub fn pascal(name: &str, lang: Lang) -> String {
    ident(name, Case::Pascal, lang)
}

/// Shorthand for `ident(name, Case::Snake, lang)`.
pub fn snake(name: &str, lang: Lang) -> String {
    ident(name, Case::Snake, lang)
}

/// Shorthand for `ident(name, Case::Camel, lang)`.
pub fn camel(name: &str, lang: Lang) -> String {
    ident(name, Case::Camel, lang)
}

/// Hands out unique identifiers within one scope (a module's types, a struct's fields, ...).
#[derive(Debug, Clone)]
pub struct Scope {
    lang: Lang,
    case: Case,
    taken: HashSet<String>,
}

impl Scope {
    pub fn new(lang: Lang, case: Case) -> Self {
        Scope { lang, case, taken: HashSet::new() }
    }

    /// A scope in which `reserved` are already taken (names the generated code uses itself).
    pub fn with_reserved<'a>(lang: Lang, case: Case, reserved: impl IntoIterator<Item = &'a str>) -> Self {
        let mut scope = Scope::new(lang, case);
        scope.taken.extend(reserved.into_iter().map(str::to_owned));
        scope
    }

    /// The identifier for `name`: its conversion, or that plus the smallest number >= 2 that
    /// makes it unique in this scope.
    pub fn claim(&mut self, name: &str) -> String {
        let base = ident(name, self.case, self.lang);
        if self.taken.insert(base.clone()) {
            return base;
        }
        // Escaped keywords (`r#type`, `` `is` ``) take their suffix on the bare word.
        let bare = unescape_keyword(&base);
        let joiner = match self.case {
            Case::Snake | Case::ShoutySnake => "_",
            Case::Pascal | Case::Camel => "",
        };
        (2..)
            .map(|n| format!("{bare}{joiner}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }
}

/// Splits a spec name into words: runs of ASCII letters and digits, with everything else a
/// separator; non-ASCII letters are kept only where the language allows them, which none of our
/// targets' conventions expect, so they are transliterated to nothing.
fn words(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out
}

fn convert(words: &str, case: Case) -> String {
    match case {
        Case::Pascal => words.to_upper_camel_case(),
        Case::Snake => words.to_snake_case(),
        Case::Camel => words.to_lower_camel_case(),
        Case::ShoutySnake => words.to_shouty_snake_case(),
    }
}

fn escape_keyword(ident: String, lang: Lang) -> String {
    if !is_keyword(&ident, lang) {
        return ident;
    }
    match lang {
        // `self`, `Self`, `super`, `crate` cannot be raw identifiers.
        Lang::Rust if matches!(ident.as_str(), "self" | "Self" | "super" | "crate") => format!("{ident}_"),
        Lang::Rust => format!("r#{ident}"),
        Lang::Swift | Lang::Kotlin => format!("`{ident}`"),
        Lang::TypeScript => format!("{ident}_"),
    }
}

fn unescape_keyword(ident: &str) -> &str {
    ident.strip_prefix("r#").or_else(|| ident.strip_prefix('`').and_then(|s| s.strip_suffix('`'))).unwrap_or(ident)
}

/// Whether `ident` is reserved in `lang` (strict and reserved keywords; contextual keywords that
/// are legal identifiers are not listed).
pub fn is_keyword(ident: &str, lang: Lang) -> bool {
    let list: &[&str] = match lang {
        Lang::Rust => RUST_KEYWORDS,
        Lang::TypeScript => TYPESCRIPT_KEYWORDS,
        Lang::Swift => SWIFT_KEYWORDS,
        Lang::Kotlin => KOTLIN_KEYWORDS,
    };
    list.contains(&ident)
}

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

const TYPESCRIPT_KEYWORDS: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "as",
    "implements",
    "interface",
    "let",
    "package",
    "private",
    "protected",
    "public",
    "static",
    "yield",
    "any",
    "boolean",
    "number",
    "string",
    "symbol",
    "unknown",
    "never",
    "object",
    "undefined",
    "await",
    "type",
];

const SWIFT_KEYWORDS: &[&str] = &[
    "associatedtype",
    "class",
    "deinit",
    "enum",
    "extension",
    "fileprivate",
    "func",
    "import",
    "init",
    "inout",
    "internal",
    "let",
    "open",
    "operator",
    "private",
    "precedencegroup",
    "protocol",
    "public",
    "rethrows",
    "static",
    "struct",
    "subscript",
    "typealias",
    "var",
    "break",
    "case",
    "catch",
    "continue",
    "default",
    "defer",
    "do",
    "else",
    "fallthrough",
    "for",
    "guard",
    "if",
    "in",
    "repeat",
    "return",
    "throw",
    "switch",
    "where",
    "while",
    "Any",
    "as",
    "await",
    "false",
    "is",
    "nil",
    "self",
    "Self",
    "super",
    "throws",
    "true",
    "try",
    "Type",
    "Protocol",
];

const KOTLIN_KEYWORDS: &[&str] = &[
    "as",
    "break",
    "class",
    "continue",
    "do",
    "else",
    "false",
    "for",
    "fun",
    "if",
    "in",
    "interface",
    "is",
    "null",
    "object",
    "package",
    "return",
    "super",
    "this",
    "throw",
    "true",
    "try",
    "typealias",
    "typeof",
    "val",
    "var",
    "when",
    "while",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_cases() {
        assert_eq!(pascal("contact-item", Lang::Rust), "ContactItem");
        assert_eq!(snake("createdAt", Lang::Rust), "created_at");
        assert_eq!(camel("created_at", Lang::Kotlin), "createdAt");
        assert_eq!(ident("x-rate-limit", Case::ShoutySnake, Lang::Rust), "X_RATE_LIMIT");
    }

    #[test]
    fn escapes_keywords_per_language() {
        assert_eq!(snake("type", Lang::Rust), "r#type");
        assert_eq!(snake("self", Lang::Rust), "self_");
        assert_eq!(pascal("self", Lang::Rust), "Self_");
        assert_eq!(camel("is", Lang::Kotlin), "`is`");
        assert_eq!(camel("default", Lang::Swift), "`default`");
        assert_eq!(camel("delete", Lang::TypeScript), "delete_");
    }

    #[test]
    fn leading_digits_and_empty_names_stay_legal() {
        assert_eq!(snake("2fa_enabled", Lang::Rust), "n_2fa_enabled");
        assert_eq!(pascal("200", Lang::Rust), "N200");
        assert_eq!(snake("+1", Lang::Rust), "n_1");
        assert_eq!(snake("$", Lang::Rust), "value");
        assert_eq!(pascal("", Lang::Swift), "Value");
    }

    #[test]
    fn scope_resolves_collisions_in_order() {
        let mut scope = Scope::new(Lang::Rust, Case::Snake);
        assert_eq!(scope.claim("fooBar"), "foo_bar");
        assert_eq!(scope.claim("foo_bar"), "foo_bar_2");
        assert_eq!(scope.claim("foo-bar"), "foo_bar_3");
        assert_eq!(scope.claim("type"), "r#type");
        assert_eq!(scope.claim("Type"), "type_2");
    }

    #[test]
    fn reserved_names_are_never_handed_out() {
        let mut scope = Scope::with_reserved(Lang::Rust, Case::Pascal, ["Client"]);
        assert_eq!(scope.claim("client"), "Client2");
    }
}
