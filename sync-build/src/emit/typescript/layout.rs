//! prettier's layouts for the statement shapes the emitters write: signatures whose parameters
//! break one per line, calls that hug a trailing object literal, and `key: value` properties
//! that move their value to the next line.

use std::fmt::Write as _;

use super::doc::{TypeDoc, member_line};
use super::writer::fits;

/// A parameter of a function or arrow: `lead: ty{default}` (`scope: Params = {}`).
pub struct Param {
    pub lead: String,
    pub ty: TypeDoc,
    pub default: &'static str,
}

impl Param {
    pub fn new(lead: impl Into<String>, ty: TypeDoc) -> Self {
        Param { lead: lead.into(), ty, default: "" }
    }

    fn flat(&self) -> String {
        format!("{}: {}{}", self.lead, self.ty.flat(), self.default)
    }
}

/// `{indent}{head}(params): ret{end}` as prettier prints it: on one line when it fits, else one
/// parameter per line, and the return type's generics broken if it is still too long.
pub fn signature(out: &mut String, indent: &str, head: &str, params: &[Param], ret: Option<&TypeDoc>, end: &str) {
    let flat_params: Vec<String> = params.iter().map(Param::flat).collect();
    let ret_flat = ret.map(|r| format!(": {}", r.flat())).unwrap_or_default();
    let flat = format!("{indent}{head}({}){ret_flat}{end}", flat_params.join(", "));
    if fits(&flat) {
        let _ = writeln!(out, "{flat}");
        return;
    }
    if params.is_empty() {
        let prefix = indent.len() + head.chars().count() + 4;
        let ret = ret.map(|r| format!(": {}", r.layout(indent, prefix, end.len()))).unwrap_or_default();
        let _ = writeln!(out, "{indent}{head}(){ret}{end}");
        return;
    }
    let _ = writeln!(out, "{indent}{head}(");
    let inner = format!("{indent}  ");
    for param in params {
        let end = format!("{},", param.default);
        let _ = writeln!(out, "{}", member_line(&inner, &param.lead, &param.ty, &end));
    }
    let ret = ret.map(|r| format!(": {}", r.layout(indent, indent.len() + 3, end.len()))).unwrap_or_default();
    let _ = writeln!(out, "{indent}){ret}{end}");
}

/// `{indent}{lead}{callee}(a, b){tail}` on one line, or with one argument per line.
pub fn call(out: &mut String, indent: &str, lead: &str, callee: &str, args: &[String], tail: &str) {
    let flat = format!("{indent}{lead}{callee}({}){tail}", args.join(", "));
    if fits(&flat) || args.is_empty() {
        let _ = writeln!(out, "{flat}");
        return;
    }
    let _ = writeln!(out, "{indent}{lead}{callee}(");
    for arg in args {
        let _ = writeln!(out, "{indent}  {arg},");
    }
    let _ = writeln!(out, "{indent}){tail}");
}

/// A call whose last argument is an object literal written expanded (`fn(a, {\n  x,\n})`):
/// hugged when `fn(a, {` fits, else every argument on its own line. For `const x = await`
/// leads, prettier first moves the call below the `=` when even `fn(` does not fit.
pub fn call_with_object(
    out: &mut String,
    indent: &str,
    lead: &str,
    callee: &str,
    args: &[String],
    object: &[String],
    tail: &str,
) {
    let head_args: String = args.iter().map(|a| format!("{a}, ")).collect();
    let hugged = format!("{indent}{lead}{callee}({head_args}{{");
    if fits(&hugged) {
        let _ = writeln!(out, "{hugged}");
        for member in object {
            let _ = writeln!(out, "{indent}  {member},");
        }
        let _ = writeln!(out, "{indent}}}){tail}");
        return;
    }
    if let Some(assignment) = lead.strip_suffix("await ").filter(|_| !fits(&format!("{indent}{lead}{callee}(")))
        && let Some(target) = assignment.strip_suffix(" = ")
    {
        let _ = writeln!(out, "{indent}{target} =");
        let inner = format!("{indent}  ");
        call_with_object(out, &inner, "await ", callee, args, object, tail);
        return;
    }
    let _ = writeln!(out, "{indent}{lead}{callee}(");
    for arg in args {
        let _ = writeln!(out, "{indent}  {arg},");
    }
    let _ = writeln!(out, "{indent}  {{");
    for member in object {
        let _ = writeln!(out, "{indent}    {member},");
    }
    let _ = writeln!(out, "{indent}  }},");
    let _ = writeln!(out, "{indent}){tail}");
}

/// `{indent}key: value,` or, when too long, the value on the next line. prettier keeps the
/// value beside a key shorter than five columns (moving it would gain too little), and never
/// moves a template literal.
pub fn property(out: &mut String, indent: &str, key: &str, value: &str) {
    if key == value {
        let _ = writeln!(out, "{indent}{key},");
        return;
    }
    let flat = format!("{indent}{key}: {value},");
    if fits(&flat) || value.starts_with('`') || key.chars().count() < 5 {
        let _ = writeln!(out, "{flat}");
    } else {
        let _ = writeln!(out, "{indent}{key}:\n{indent}  {value},");
    }
}
