//! clippy's `type_complexity` score of a generated type, so the rare field or method whose
//! type mirrors a deeply nested schema (`array of array of ...`) carries a targeted `allow`
//! instead of failing `clippy -D warnings` in the user's crate.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{GenericArgument, PathArguments, Type};

/// clippy's default `type-complexity-threshold`.
const THRESHOLD: u32 = 250;

/// `#[allow(clippy::type_complexity)]` when any of `types` scores above clippy's threshold.
pub(super) fn allow_if_complex<'a>(types: impl IntoIterator<Item = &'a TokenStream>) -> TokenStream {
    let complex = types.into_iter().any(|ty| syn::parse2::<Type>(ty.clone()).is_ok_and(|ty| score(&ty, 1) > THRESHOLD));
    if complex {
        quote! { #[allow(clippy::type_complexity)] }
    } else {
        quote! {}
    }
}

/// The score as clippy counts it: each path or tuple type adds ten times its nesting depth.
fn score(ty: &Type, nest: u32) -> u32 {
    match ty {
        Type::Path(path) => {
            let inner: u32 = path
                .path
                .segments
                .iter()
                .filter_map(|segment| match &segment.arguments {
                    PathArguments::AngleBracketed(args) => Some(args.args.iter()),
                    _ => None,
                })
                .flatten()
                .filter_map(|arg| match arg {
                    GenericArgument::Type(ty) => Some(score(ty, nest + 1)),
                    _ => None,
                })
                .sum();
            10 * nest + inner
        }
        Type::Tuple(tuple) => 10 * nest + tuple.elems.iter().map(|ty| score(ty, nest + 1)).sum::<u32>(),
        Type::Reference(reference) => 1 + score(&reference.elem, nest),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_flagged_and_ordinary_types_are_not() {
        let ordinary = quote! { Option<::std::collections::BTreeMap<String, Vec<String>>> };
        assert!(allow_if_complex([&ordinary]).is_empty());
        let deep = quote! { Option<Vec<Vec<Vec<Vec<Vec<Vec<Vec<String>>>>>>>> };
        assert!(!allow_if_complex([&deep]).is_empty());
    }
}
