//! Named types: structs, enums, unions and aliases, with their serde attributes.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::names::unique_values;
use super::{Context, complexity, docs};
use crate::model::{
    EnumValue, Field, FloatFormat, IntFormat, Literal, StringFormat, Struct, Ty, TypeDef, TypeId, TypeKind, Union,
};

/// Every named type, in model order, one group of items per type.
pub(super) fn emit_items(cx: &Context) -> Vec<TokenStream> {
    cx.api
        .types
        .iter()
        .enumerate()
        .map(|(index, def)| {
            let id = TypeId(index);
            match &def.kind {
                TypeKind::Struct(s) => emit_struct(cx, id, def, s),
                TypeKind::Enum(e) => emit_enum(cx, id, def, e),
                TypeKind::Union(u) => emit_union(cx, id, def, u),
                TypeKind::Alias(ty) => emit_alias(cx, id, def, ty),
            }
        })
        .collect()
}

/// An identifier from a name [`crate::naming`] produced (`r#type` becomes a raw identifier).
pub(super) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The Rust type of a value held by `owner` (boxed where it would make `owner` infinite).
pub(super) fn ty(cx: &Context, ty: &Ty, owner: Option<TypeId>) -> TokenStream {
    ty_at(cx, ty, owner, true)
}

fn ty_at(cx: &Context, ty: &Ty, owner: Option<TypeId>, by_value: bool) -> TokenStream {
    match ty {
        Ty::Any => quote! { ::sync_runtime::serde_json::Value },
        Ty::Bool => quote! { bool },
        Ty::Integer(IntFormat::Int32) => quote! { i32 },
        Ty::Integer(IntFormat::Int64) => quote! { i64 },
        Ty::Number(FloatFormat::Float) => quote! { f32 },
        Ty::Number(FloatFormat::Double) => quote! { f64 },
        // Binary inside JSON travels as a (usually base64) string; raw bodies are `Vec<u8>`,
        // chosen where bodies are emitted.
        // A binary property of a multipart body is a file part: bytes, file name, media type.
        Ty::String(StringFormat::Binary) if owner.is_some_and(|owner| cx.in_multipart[owner.0]) => {
            quote! { ::sync_runtime::File }
        }
        Ty::String(StringFormat::Plain | StringFormat::Binary) => quote! { String },
        Ty::String(StringFormat::DateTime) => {
            quote! { ::sync_runtime::chrono::DateTime<::sync_runtime::chrono::Utc> }
        }
        Ty::String(StringFormat::Date) => quote! { ::sync_runtime::chrono::NaiveDate },
        Ty::String(StringFormat::Uuid) => quote! { ::sync_runtime::uuid::Uuid },
        Ty::Literal(Literal::String(_)) => quote! { String },
        Ty::Literal(Literal::Integer(_)) => quote! { i64 },
        Ty::Literal(Literal::Bool(_)) => quote! { bool },
        Ty::Named(target) => {
            let name = ident(&cx.names.types[target.0]);
            match owner {
                Some(owner) if by_value && cx.graph.needs_box(owner, *target) => quote! { Box<#name> },
                _ => quote! { #name },
            }
        }
        Ty::Array(item) => {
            let item = ty_at(cx, item, owner, false);
            quote! { Vec<#item> }
        }
        Ty::Map(value) => {
            let value = ty_at(cx, value, owner, false);
            quote! { ::std::collections::BTreeMap<String, #value> }
        }
        Ty::Nullable(inner) => {
            let inner = ty_at(cx, inner, owner, by_value);
            quote! { Option<#inner> }
        }
    }
}

fn type_docs(def: &TypeDef) -> TokenStream {
    docs::attrs([def.doc.as_deref(), def.deprecated.then_some("**Deprecated** in the API spec.")])
}

/// The user's extra derives, less those the type derives already (`Eq` on an enum).
fn extra_derives(cx: &Context, builtin: &[&str]) -> TokenStream {
    let derives = cx.options.derives.iter().filter(|path| {
        let last = path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        !builtin.contains(&last.as_str())
    });
    quote! { #(, #derives)* }
}

fn emit_struct(cx: &Context, id: TypeId, def: &TypeDef, s: &Struct) -> TokenStream {
    let name = ident(&cx.names.types[id.0]);
    let docs = type_docs(def);
    let default = cx.defaultable[id.0].then(|| quote! { , Default });
    let extra = extra_derives(cx, &["Debug", "Clone", "PartialEq", "Default"]);
    let fields = s.fields.iter().zip(&cx.names.members[id.0]).map(|(field, name)| emit_field(cx, id, field, name));
    let additional = s.additional.as_ref().map(|value| {
        let field = ident(cx.names.additional[id.0].as_deref().unwrap_or("additional_properties"));
        let value = ty_at(cx, value, Some(id), false);
        quote! {
            /// Properties beyond the ones listed above.
            #[serde(flatten)]
            pub #field: ::std::collections::BTreeMap<String, #value>,
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq #default #extra)]
        #[derive(::sync_runtime::serde::Serialize, ::sync_runtime::serde::Deserialize)]
        #[serde(crate = "::sync_runtime::serde")]
        pub struct #name {
            #(#fields)*
            #additional
        }
    }
}

fn emit_field(cx: &Context, owner: TypeId, field: &Field, name: &str) -> TokenStream {
    let (nullable, inner) = match &field.ty {
        Ty::Nullable(inner) => (true, inner.as_ref()),
        other => (false, other),
    };
    let base = ty(cx, inner, Some(owner));
    let default_note =
        field.default.as_ref().map(|value| format!("Defaults to `{}` on the server.", value.replace('`', "'")));
    let docs = docs::attrs([
        field.doc.as_deref(),
        field.deprecated.then_some("**Deprecated** in the API spec."),
        field.read_only.then_some("Read-only: set by the server; request bodies use the `…Input` type without it."),
        field.write_only.then_some("Write-only: sent by the client, never returned."),
        default_note.as_deref(),
    ]);
    let rename = (unraw(name) != field.name).then(|| {
        let wire = &field.name;
        quote! { #[serde(rename = #wire)] }
    });
    let field_name = ident(name);
    let (attrs, ty) = match (field.required, nullable) {
        (true, false) => (quote! {}, base),
        // Always present, maybe `null`: serde reads a missing `Option` as `None` as well.
        (true, true) => (quote! {}, quote! { Option<#base> }),
        (false, false) => {
            (quote! { #[serde(default, skip_serializing_if = "Option::is_none")] }, quote! { Option<#base> })
        }
        // Absent, `null` and a value are three different things (a PATCH body clears with
        // `null`): `None`, `Some(None)`, `Some(Some(v))`.
        (false, true) => (
            quote! {
                #[serde(
                    default,
                    skip_serializing_if = "Option::is_none",
                    deserialize_with = "::sync_runtime::serde_support::deserialize_nullable"
                )]
            },
            quote! { Option<Option<#base>> },
        ),
    };
    let allow = complexity::allow_if_complex([&ty]);
    quote! {
        #docs
        #rename
        #attrs
        #allow
        pub #field_name: #ty,
    }
}

fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

fn emit_enum(cx: &Context, id: TypeId, def: &TypeDef, e: &crate::model::Enum) -> TokenStream {
    let name = ident(&cx.names.types[id.0]);
    let docs = type_docs(def);
    let extra = extra_derives(cx, &["Debug", "Clone", "Copy", "PartialEq", "Eq", "Hash"]);
    let variants: Vec<Ident> = cx.names.members[id.0].iter().map(|v| ident(v)).collect();
    let other = cx.names.other[id.0].as_deref().map(ident);
    let all_strings = unique_values(e).all(|v| matches!(v, EnumValue::String(_)));
    let all_integers = unique_values(e).all(|v| matches!(v, EnumValue::Integer(_)));

    if all_strings {
        let renames = unique_values(e).zip(&variants).map(|(value, variant)| match value {
            EnumValue::String(wire) if *variant != wire.as_str() => quote! { #[serde(rename = #wire)] },
            _ => quote! {},
        });
        let copy = other.is_none().then(|| quote! { Copy, });
        let other = other.map(|other| {
            quote! {
                /// A value this version of the API spec does not list.
                #[serde(untagged)]
                #other(String),
            }
        });
        return quote! {
            #docs
            #[derive(Debug, Clone, #copy PartialEq, Eq, Hash #extra)]
            #[derive(::sync_runtime::serde::Serialize, ::sync_runtime::serde::Deserialize)]
            #[serde(crate = "::sync_runtime::serde")]
            pub enum #name {
                #( #renames #variants, )*
                #other
            }
        };
    }

    if all_integers {
        // Unsuffixed: `1`, not `1i64`; the match scrutinee fixes the type.
        let numbers: Vec<proc_macro2::Literal> = unique_values(e)
            .map(|v| match v {
                EnumValue::Integer(n) => proc_macro2::Literal::i64_unsuffixed(*n),
                EnumValue::String(_) => proc_macro2::Literal::i64_unsuffixed(0),
            })
            .collect();
        let unknown = format!("{{other}} is not a value of {name}");
        let (serde_from, other_variant, from_impl, into_other) = match &other {
            Some(other) => (
                quote! { from = "i64" },
                quote! {
                    /// A value this version of the API spec does not list.
                    #other(i64),
                },
                quote! {
                    impl From<i64> for #name {
                        fn from(value: i64) -> Self {
                            match value {
                                #( #numbers => Self::#variants, )*
                                other => Self::#other(other),
                            }
                        }
                    }
                },
                quote! { #name::#other(value) => value, },
            ),
            None => (
                quote! { try_from = "i64" },
                quote! {},
                quote! {
                    impl TryFrom<i64> for #name {
                        type Error = String;

                        fn try_from(value: i64) -> Result<Self, String> {
                            match value {
                                #( #numbers => Ok(Self::#variants), )*
                                other => Err(format!(#unknown)),
                            }
                        }
                    }
                },
                quote! {},
            ),
        };
        return quote! {
            #docs
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash #extra)]
            #[derive(::sync_runtime::serde::Serialize, ::sync_runtime::serde::Deserialize)]
            #[serde(crate = "::sync_runtime::serde", #serde_from, into = "i64")]
            pub enum #name {
                #( #variants, )*
                #other_variant
            }

            #from_impl

            impl From<#name> for i64 {
                fn from(value: #name) -> i64 {
                    match value {
                        #( #name::#variants => #numbers, )*
                        #into_other
                    }
                }
            }
        };
    }

    // Strings and integers mixed: no Rust enum fits both; keep the JSON value.
    let docs =
        docs::attrs([def.doc.as_deref(), Some("One of the values the API spec lists (strings and integers mixed).")]);
    quote! {
        #docs
        pub type #name = ::sync_runtime::serde_json::Value;
    }
}

fn emit_union(cx: &Context, id: TypeId, def: &TypeDef, u: &Union) -> TokenStream {
    let name = ident(&cx.names.types[id.0]);
    let docs = type_docs(def);
    let extra = extra_derives(cx, &["Debug", "Clone", "PartialEq"]);
    if u.variants.is_empty() {
        return quote! {
            #docs
            pub type #name = ::sync_runtime::serde_json::Value;
        };
    }
    let variant_names: Vec<Ident> = cx.names.members[id.0].iter().map(|v| ident(v)).collect();
    let variant_types: Vec<TokenStream> = u
        .variants
        .iter()
        .zip(&cx.boxed_variants[id.0])
        .map(|(v, &boxed)| {
            let ty = ty(cx, &v.ty, Some(id));
            if boxed {
                quote! { Box<#ty> }
            } else {
                ty
            }
        })
        .collect();
    let variant_docs = u.variants.iter().map(|v| match &v.ty {
        Ty::Named(target) => docs::attrs([cx.api.type_def(*target).doc.as_deref().and_then(|d| d.lines().next())]),
        _ => quote! {},
    });

    let tagged = u.discriminator.as_ref().filter(|_| {
        u.variants.iter().all(|v| {
            !v.tags.is_empty()
                && matches!(cx.resolve(&v.ty), Ty::Named(target) if matches!(cx.api.type_def(*target).kind, TypeKind::Struct(_)))
        })
    });

    let Some(tag) = tagged else {
        return quote! {
            #docs
            #[derive(Debug, Clone, PartialEq #extra)]
            #[derive(::sync_runtime::serde::Serialize, ::sync_runtime::serde::Deserialize)]
            #[serde(crate = "::sync_runtime::serde", untagged)]
            pub enum #name {
                #( #variant_docs #variant_names(#variant_types), )*
            }
        };
    };

    // Tag values, each used once (a spec may map one value twice; the first variant wins).
    let mut seen = std::collections::HashSet::new();
    let mut arms = Vec::new();
    let mut all_tags = Vec::new();
    for (variant, name) in u.variants.iter().zip(&variant_names) {
        let tags: Vec<&String> = variant.tags.iter().filter(|t| seen.insert(t.as_str())).collect();
        all_tags.extend(tags.iter().map(|t| t.as_str()));
        if !tags.is_empty() {
            arms.push(quote! {
                #( #tags )|* => ::sync_runtime::serde_support::tagged_variant(value).map(Self::#name),
            });
        }
    }
    let first_tags = u.variants.iter().map(|v| v.tags.first().cloned().unwrap_or_default());
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq #extra)]
        pub enum #name {
            #( #variant_docs #variant_names(#variant_types), )*
        }

        impl ::sync_runtime::serde::Serialize for #name {
            fn serialize<S: ::sync_runtime::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #( Self::#variant_names(value) => ::sync_runtime::serde_support::serialize_tagged(serializer, #tag, #first_tags, value), )*
                }
            }
        }

        impl<'de> ::sync_runtime::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::sync_runtime::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let (tag, value) = ::sync_runtime::serde_support::split_tagged(deserializer, #tag)?;
                match tag.as_str() {
                    #(#arms)*
                    _ => Err(::sync_runtime::serde::de::Error::unknown_variant(&tag, &[#(#all_tags),*])),
                }
            }
        }
    }
}

fn emit_alias(cx: &Context, id: TypeId, def: &TypeDef, target: &Ty) -> TokenStream {
    let name = ident(&cx.names.types[id.0]);
    let docs = type_docs(def);
    if cx.graph.is_newtype(id) {
        let inner = ty(cx, target, Some(id));
        let allow = complexity::allow_if_complex([&inner]);
        let default = cx.defaultable[id.0].then(|| quote! { , Default });
        let extra = extra_derives(cx, &["Debug", "Clone", "PartialEq", "Default"]);
        return quote! {
            #docs
            #[derive(Debug, Clone, PartialEq #default #extra)]
            #[derive(::sync_runtime::serde::Serialize, ::sync_runtime::serde::Deserialize)]
            #[serde(crate = "::sync_runtime::serde", transparent)]
            pub struct #name(#allow pub #inner);
        };
    }
    let inner = ty(cx, target, Some(id));
    quote! {
        #docs
        pub type #name = #inner;
    }
}
