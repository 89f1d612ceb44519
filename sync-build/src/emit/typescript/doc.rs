//! Type expressions as prettier lays them out. A type is kept as a small tree so that a long one
//! can be broken where prettier breaks it: between the arguments of a generic
//! (`Record<\n  string,\n  Value\n>`), one per line, never inside a union or a name.

use super::writer::WIDTH;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeDoc {
    /// A name, keyword or literal.
    Text(String),
    /// `Name<A, B>`.
    Generic(String, Vec<TypeDoc>),
    /// `T[]`; the element is parenthesised when it is a union.
    Array(Box<TypeDoc>),
    /// `A | B`.
    Union(Vec<TypeDoc>),
}

impl TypeDoc {
    pub fn text(text: impl Into<String>) -> Self {
        TypeDoc::Text(text.into())
    }

    /// The type on one line.
    pub fn flat(&self) -> String {
        let mut out = String::new();
        self.write_flat(&mut out);
        out
    }

    fn write_flat(&self, out: &mut String) {
        match self {
            TypeDoc::Text(text) => out.push_str(text),
            TypeDoc::Generic(name, args) => {
                out.push_str(name);
                out.push('<');
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    arg.write_flat(out);
                }
                out.push('>');
            }
            TypeDoc::Array(item) => {
                let wrap = matches!(item.as_ref(), TypeDoc::Union(_));
                if wrap {
                    out.push('(');
                }
                item.write_flat(out);
                if wrap {
                    out.push(')');
                }
                out.push_str("[]");
            }
            TypeDoc::Union(members) => {
                for (i, member) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" | ");
                    }
                    member.write_flat(out);
                }
            }
        }
    }

    /// The type starting `prefix` columns into a line indented by `indent`, with `suffix`
    /// columns after it on its last line.
    pub fn layout(&self, indent: &str, prefix: usize, suffix: usize) -> String {
        let flat = self.flat();
        if prefix + flat.chars().count() + suffix <= WIDTH {
            return flat;
        }
        match self {
            // prettier keeps a generic with one plain argument whole, but for a type query.
            TypeDoc::Generic(name, args)
                if !(args.len() == 1 && matches!(&args[0], TypeDoc::Text(text) if !text.starts_with("typeof "))) =>
            {
                let inner = format!("{indent}  ");
                let mut out = format!("{name}<\n");
                for (i, arg) in args.iter().enumerate() {
                    let last = i + 1 == args.len();
                    out.push_str(&inner);
                    out.push_str(&arg.layout(&inner, inner.len(), usize::from(!last)));
                    out.push_str(if last { "\n" } else { ",\n" });
                }
                out.push_str(indent);
                out.push('>');
                out
            }
            TypeDoc::Array(item) if matches!(item.as_ref(), TypeDoc::Generic(..)) => {
                format!("{}[]", item.layout(indent, prefix, suffix + 2))
            }
            // `Record<...> | null`: the generic breaks, `| null` follows its `>`.
            TypeDoc::Union(members) if hugs(members) => {
                let tail: String = members[1..].iter().map(|m| format!(" | {}", m.flat())).collect();
                let head = members[0].layout(indent, prefix, suffix + tail.len());
                format!("{head}{tail}")
            }
            // A union that starts its own line (a generic's argument) breaks into `| member`s.
            TypeDoc::Union(members) if prefix == indent.len() => {
                members.iter().map(|m| format!("| {}", m.flat())).collect::<Vec<_>>().join(&format!("\n{indent}"))
            }
            _ => flat,
        }
    }
}

/// Whether prettier keeps a union on the line of its property (`name?: Thing | null;`): one
/// named type, possibly generic, followed only by `null`.
pub fn hugs(members: &[TypeDoc]) -> bool {
    members.len() >= 2
        && matches!(&members[0], TypeDoc::Generic(..))
        && members[1..].iter().all(|m| m == &TypeDoc::text("null"))
        || members.len() >= 2
            && matches!(&members[0], TypeDoc::Text(text) if is_reference(text))
            && members[1..].iter().all(|m| m == &TypeDoc::text("null"))
}

/// A type reference (`Contact`), as opposed to a keyword (`string`) or literal (`"a"`).
fn is_reference(text: &str) -> bool {
    const KEYWORDS: &[&str] =
        &["string", "number", "boolean", "unknown", "null", "never", "undefined", "void", "any", "object"];
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$') && !KEYWORDS.contains(&text)
}

/// `{indent}{lead}: <type>{end}` for an object type member or a parameter; when too long,
/// a union that does not hug moves to the next line, and breaks into `| member` lines if it
/// still does not fit.
pub fn member_line(indent: &str, lead: &str, ty: &TypeDoc, end: &str) -> String {
    let flat = format!("{indent}{lead}: {}{end}", ty.flat());
    if flat.chars().count() <= WIDTH {
        return flat;
    }
    match ty {
        TypeDoc::Union(members) if !hugs(members) => {
            let inner = format!("{indent}  ");
            let next = format!("{inner}{}{end}", ty.flat());
            if next.chars().count() <= WIDTH {
                format!("{indent}{lead}:\n{next}")
            } else {
                let mut out = format!("{indent}{lead}:");
                for member in members {
                    out.push_str(&format!("\n{inner}| {}", member.flat()));
                }
                out.push_str(end);
                out
            }
        }
        _ => {
            let prefix = indent.len() + lead.chars().count() + 2;
            format!("{indent}{lead}: {}{end}", ty.layout(indent, prefix, end.chars().count()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(value: &str) -> TypeDoc {
        TypeDoc::Generic("Record".into(), vec![TypeDoc::text("string"), TypeDoc::text(value)])
    }

    #[test]
    fn generics_break_one_argument_per_line() {
        let long = record(&"V".repeat(70));
        assert_eq!(long.layout("", 10, 1), format!("Record<\n  string,\n  {}\n>", "V".repeat(70)));
        assert_eq!(record("V").layout("", 10, 1), "Record<string, V>");
    }

    #[test]
    fn unions_move_to_the_next_line_unless_they_hug() {
        let nullable_array =
            TypeDoc::Union(vec![TypeDoc::Array(Box::new(TypeDoc::text("X".repeat(66)))), TypeDoc::text("null")]);
        assert_eq!(
            member_line("  ", "field?", &nullable_array, ";"),
            format!("  field?:\n    {}[] | null;", "X".repeat(66))
        );
        let nullable_ref = TypeDoc::Union(vec![TypeDoc::text("X".repeat(80)), TypeDoc::text("null")]);
        assert_eq!(member_line("  ", "f", &nullable_ref, ";"), format!("  f: {} | null;", "X".repeat(80)));
    }
}
