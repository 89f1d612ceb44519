//! `sync_api!`: typed Rust models, a push client and resource handles from an OpenAPI spec,
//! generated at compile time by `sync-build`'s Rust emitter.
//!
//! ```ignore
//! sync_macros::sync_api!("openapi.yaml");
//! sync_macros::sync_api!(spec = "openapi.yaml", module = api, derives = [Eq, Hash]);
//! // Only part of a large API, and enums that reject unlisted values:
//! sync_macros::sync_api!(spec = "github.json", tags = ["repos", "issues"], strict_enums = true);
//! ```
//!
//! `tags`, `paths` (path prefixes) and `operations` (`operationId`s) each select operations; an
//! operation matching any of them is generated, with the resources and types it needs.
//!
//! The spec path is relative to the calling crate's `CARGO_MANIFEST_DIR`. The expansion
//! `include_str!`s the spec and every file it `$ref`s, so cargo recompiles when one changes.
//! A spec that does not load becomes a `compile_error!` pointing at the macro's argument, with
//! the spec's `file:line:column` and the offending line.

use std::path::{Component, Path, PathBuf};

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token, bracketed};

use sync_build::Style;
use sync_build::emit::rust::{RustOptions, tokens};

/// Expands to the Rust for an OpenAPI spec; see the [crate docs](crate).
#[proc_macro]
pub fn sync_api(input: TokenStream) -> TokenStream {
    match syn::parse::<Settings>(input).and_then(expand) {
        Ok(tokens) => tokens.into(),
        Err(err) => err.to_compile_error().into(),
    }
}

/// The macro's arguments.
struct Settings {
    spec: LitStr,
    module: Option<Ident>,
    derives: Vec<syn::Path>,
    model: sync_build::ModelOptions,
}

/// `["a", "b"]`.
fn string_list(input: ParseStream) -> syn::Result<Vec<String>> {
    let content;
    bracketed!(content in input);
    let items = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
    Ok(items.into_iter().map(|lit| lit.value()).collect())
}

impl Parse for Settings {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut spec = None;
        let mut module = None;
        let mut derives = None;
        let mut strict_enums = None;
        let mut subset = sync_build::Subset::default();
        let mut seen_lists: Vec<String> = Vec::new();
        if input.peek(LitStr) {
            spec = Some(input.parse::<LitStr>()?);
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        while !input.is_empty() {
            let key: Ident = input.parse().map_err(|err| not_a_setting(err.span()))?;
            if !input.peek(Token![=]) {
                return Err(not_a_setting(key.span()));
            }
            input.parse::<Token![=]>()?;
            let duplicate = || syn::Error::new(key.span(), format!("`{key}` is set twice"));
            match key.to_string().as_str() {
                "spec" => {
                    if spec.is_some() {
                        return Err(duplicate());
                    }
                    spec = Some(input.parse()?);
                }
                "module" => {
                    if module.is_some() {
                        return Err(duplicate());
                    }
                    module = Some(input.parse()?);
                }
                "derives" => {
                    if derives.is_some() {
                        return Err(duplicate());
                    }
                    let content;
                    bracketed!(content in input);
                    let paths = Punctuated::<syn::Path, Token![,]>::parse_terminated(&content)?;
                    derives = Some(paths.into_iter().collect());
                }
                "strict_enums" => {
                    if strict_enums.is_some() {
                        return Err(duplicate());
                    }
                    strict_enums = Some(input.parse::<syn::LitBool>()?.value);
                }
                list @ ("tags" | "paths" | "operations") => {
                    if seen_lists.iter().any(|seen| seen == list) {
                        return Err(duplicate());
                    }
                    seen_lists.push(list.to_owned());
                    let values = string_list(input)?;
                    match list {
                        "tags" => subset.tags = values,
                        "paths" => subset.paths = values,
                        _ => subset.operations = values,
                    }
                }
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown setting `{other}`: expected `spec`, `module`, `derives`, `tags`, `paths`, `operations` or `strict_enums`"
                        ),
                    ));
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        let spec = spec.ok_or_else(|| {
            syn::Error::new(
                Span::call_site(),
                "missing the spec: write `sync_api!(\"openapi.yaml\")` or `sync_api!(spec = \"openapi.yaml\", ...)`",
            )
        })?;
        let model = sync_build::ModelOptions {
            strict_enums: strict_enums.unwrap_or(false),
            subset: (!subset.is_empty()).then_some(subset),
        };
        Ok(Settings { spec, module, derives: derives.unwrap_or_default(), model })
    }
}

fn not_a_setting(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "expected the spec's path as a string literal (`sync_api!(\"openapi.yaml\")`) or a setting (`spec = \"...\"`, `module = name`, `derives = [...]`)",
    )
}

fn expand(settings: Settings) -> syn::Result<TokenStream2> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| syn::Error::new(settings.spec.span(), "CARGO_MANIFEST_DIR is not set: build with cargo"))?;
    // Lexically cleaned (not canonicalised: the file may not exist), so messages show
    // `crate/openapi.yaml`, not `crate/sub/../openapi.yaml`.
    let path = clean(&manifest_dir.join(settings.spec.value()));
    let loaded = sync_build::load_with(&path, &settings.model).map_err(|err| {
        syn::Error::new(settings.spec.span(), format!("the OpenAPI spec cannot be used:\n{}", err.render(Style::Plain)))
    })?;
    let options = RustOptions { derives: settings.derives };
    let generated = tokens(&loaded.api, &options);
    // Makes cargo rebuild when the spec or a file it `$ref`s changes.
    let tracked = loaded.api.source_files.iter().map(|file| {
        let absolute = absolute(&manifest_dir, file);
        let absolute = absolute.to_string_lossy();
        quote! { const _: &str = include_str!(#absolute); }
    });
    let body = quote! {
        #(#tracked)*
        #generated
    };
    Ok(match settings.module {
        Some(module) => quote! {
            pub mod #module {
                #body
            }
        },
        None => body,
    })
}

fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn absolute(base: &Path, file: &Path) -> PathBuf {
    let joined = base.join(file);
    joined.canonicalize().unwrap_or(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_tokens(tokens: TokenStream2) -> Result<String, String> {
        syn::parse2::<Settings>(tokens).and_then(expand).map(|t| t.to_string()).map_err(|e| e.to_string())
    }

    #[test]
    fn spec_errors_carry_file_line_column_and_the_line() {
        let err = expand_tokens(quote!("../tests/rust/ui/specs/x-sync-typo.yaml")).unwrap_err();
        assert!(err.contains("tests/rust/ui/specs/x-sync-typo.yaml:7:13"), "{err}");
        assert!(err.contains("x-sync: liev"), "{err}");
        assert!(!err.contains("/../"), "paths are cleaned: {err}");
    }

    #[test]
    fn expansion_tracks_every_source_file_and_honours_the_module() {
        let out = expand_tokens(quote!(spec = "../tests/rust/specs/contacts.yaml", module = api)).unwrap();
        assert!(out.starts_with("pub mod api {"), "{out}");
        assert!(out.contains("include_str !"), "{out}");
        assert!(out.contains("tests/rust/specs/contacts.yaml"), "{out}");
    }

    #[test]
    fn settings_are_checked() {
        assert!(expand_tokens(quote!(spec = "a.yaml", spec = "b.yaml")).unwrap_err().contains("set twice"));
        assert!(expand_tokens(quote!(path = "a.yaml")).unwrap_err().contains("unknown setting `path`"));
        assert!(expand_tokens(quote!(derives = [Eq])).unwrap_err().contains("missing the spec"));
        assert!(expand_tokens(quote!(openapi.yaml)).unwrap_err().contains("string literal"));
    }
}
