//! The identifiers of one generated TypeScript module.
//!
//! Every file is a scope of its own: its declarations claim their names first, then each import
//! claims a local name, aliased (`Error as ErrorBody`) only when it would clash with something
//! the file declares or uses. So a spec's `Error` schema stays `Error` in `types.ts` and is
//! imported under another name only where the generated code also needs the global `Error`.

use std::collections::{BTreeMap, HashSet};

use crate::naming::{self, Case, Lang};

/// Globals every generated module may refer to; a declaration or import never takes these.
pub const GLOBALS: &[&str] = &[
    "Array",
    "ArrayBuffer",
    "AbortSignal",
    "BigInt",
    "Blob",
    "Boolean",
    "Date",
    "Error",
    "File",
    "FormData",
    "Function",
    "Headers",
    "JSON",
    "Map",
    "Math",
    "Number",
    "Object",
    "Omit",
    "Partial",
    "Pick",
    "Promise",
    "ReadonlyArray",
    "Record",
    "Request",
    "Response",
    "Set",
    "String",
    "Symbol",
    "URL",
    "URLSearchParams",
    "Uint8Array",
    "WeakMap",
    "crypto",
    "fetch",
    "globalThis",
    "undefined",
    "bigint",
    "console",
    "window",
];

/// The names taken in one module, and the imports it needs.
#[derive(Debug, Default)]
pub struct Module {
    taken: HashSet<String>,
    /// module specifier -> (exported name -> local name), sorted for stable output.
    imports: BTreeMap<String, BTreeMap<String, String>>,
    /// Imports that are only types (`import type`).
    type_only: HashSet<String>,
}

impl Module {
    /// A module in which `reserved` (its own helpers and framework imports) are taken.
    pub fn new<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        let mut taken: HashSet<String> = GLOBALS.iter().map(|s| (*s).to_owned()).collect();
        taken.extend(reserved.into_iter().map(str::to_owned));
        Module { taken, ..Module::default() }
    }

    /// A module that uses no globals but `reserved` (`types.ts` refers only to `Record` and
    /// `Blob`), so a spec's `Error` keeps its name there.
    pub fn with_globals<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Module { taken: reserved.into_iter().map(str::to_owned).collect(), ..Module::default() }
    }

    /// A declared name: `name` converted to `case` and made unique here.
    pub fn declare(&mut self, name: &str, case: Case) -> String {
        self.claim(naming::ident(name, case, Lang::TypeScript))
    }

    /// Takes `ident` (already a legal identifier), or `ident` plus the smallest number that frees it.
    pub fn claim(&mut self, ident: String) -> String {
        if self.taken.insert(ident.clone()) {
            return ident;
        }
        let bare = ident.trim_end_matches('_').to_owned();
        (2..)
            .map(|n| format!("{bare}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }

    /// The local name of `exported` from module `from`, importing it on first use.
    pub fn import(&mut self, from: &str, exported: &str, type_only: bool) -> String {
        if let Some(local) = self.imports.get(from).and_then(|names| names.get(exported)) {
            return local.clone();
        }
        let local = self.claim(exported.to_owned());
        self.imports.entry(from.to_owned()).or_default().insert(exported.to_owned(), local.clone());
        if type_only {
            self.type_only.insert(format!("{from}\u{0}{exported}"));
        }
        local
    }

    /// Marks a name a framework import that the module's text already uses (`useQuery`).
    pub fn uses(&mut self, from: &str, exported: &str, type_only: bool) {
        self.imports.entry(from.to_owned()).or_default().insert(exported.to_owned(), exported.to_owned());
        if type_only {
            self.type_only.insert(format!("{from}\u{0}{exported}"));
        }
    }

    /// The import declarations, formatted as prettier prints them: one line when it fits, else
    /// one specifier per line. Packages come before relative modules, each sorted.
    pub fn render_imports(&self) -> String {
        let mut out = String::new();
        let (packages, relative): (Vec<_>, Vec<_>) = self.imports.iter().partition(|(from, _)| !from.starts_with('.'));
        for group in [packages, relative] {
            for (from, names) in group {
                let all_types = names.keys().all(|name| self.type_only.contains(&format!("{from}\u{0}{name}")));
                let specifiers: Vec<String> = names
                    .iter()
                    .map(|(exported, local)| {
                        let prefix = if !all_types && self.type_only.contains(&format!("{from}\u{0}{exported}")) {
                            "type "
                        } else {
                            ""
                        };
                        if exported == local {
                            format!("{prefix}{exported}")
                        } else {
                            format!("{prefix}{exported} as {local}")
                        }
                    })
                    .collect();
                let keyword = if all_types { "import type" } else { "import" };
                let from = super::writer::string_literal(from);
                let flat = format!("{keyword} {{ {} }} from {from};", specifiers.join(", "));
                if super::writer::fits(&flat) {
                    out.push_str(&flat);
                    out.push('\n');
                } else {
                    out.push_str(keyword);
                    out.push_str(" {\n");
                    for specifier in &specifiers {
                        out.push_str("  ");
                        out.push_str(specifier);
                        out.push_str(",\n");
                    }
                    out.push_str("} from ");
                    out.push_str(&from);
                    out.push_str(";\n");
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_aliased_only_on_clashes() {
        let mut module = Module::new(["request"]);
        assert_eq!(module.import("./types", "Contact", true), "Contact");
        assert_eq!(module.import("./types", "Error", true), "Error2");
        assert_eq!(module.import("./types", "Contact", true), "Contact");
        assert_eq!(module.render_imports(), "import type { Contact, Error as Error2 } from \"./types\";\n");
    }

    #[test]
    fn declarations_take_suffixes_in_order() {
        let mut module = Module::new([]);
        assert_eq!(module.declare("contact-item", Case::Pascal), "ContactItem");
        assert_eq!(module.declare("ContactItem", Case::Pascal), "ContactItem2");
        assert_eq!(module.declare("delete", Case::Camel), "delete_");
        assert_eq!(module.declare("delete", Case::Camel), "delete2");
    }
}
