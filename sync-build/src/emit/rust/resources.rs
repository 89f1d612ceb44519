//! Resource handles: a marker type per resource implementing `sync_runtime::resource`'s
//! traits, and the client's accessor (`api.contacts()`).
//!
//! The marker and its trait impls are the same for `push` and `live`; only the accessor's
//! constructor differs (`Resource::push` or `Resource::live`), so flipping `x-sync` changes no
//! calling code. A capability is offered only when its operation fits the unified signature
//! (no required parameters beyond the key and the collection's own path parameters); the
//! operation stays available as a plain client method either way.

use proc_macro2::TokenStream;
use quote::quote;

use super::Context;
use super::client::{ArgKind, Output, arg_kind, error_ty, output, output_tokens, struct_of};
use super::types::{ident, ty};
use crate::model::{
    ListItems, MediaKind, OperationId, ParamLocation, Resource, ResourceRole, SyncMode, SyncSource, Ty,
};

pub(super) fn emit(cx: &Context) -> TokenStream {
    let mut items = Vec::new();
    let mut accessors = Vec::new();
    for (index, resource) in cx.api.resources.iter().enumerate() {
        if let Some((item, accessor)) = emit_resource(cx, index, resource) {
            items.push(item);
            accessors.push(accessor);
        }
    }
    if accessors.is_empty() {
        return quote! {};
    }
    quote! {
        #(#items)*

        impl Client {
            #(#accessors)*
        }
    }
}

/// One path parameter of the collection path, bound when the handle is made.
struct ScopeParam {
    wire: String,
    arg: String,
    ty: Ty,
}

/// What a role's operation call looks like, once it is known to fit.
struct Call {
    role: ResourceRole,
    op: OperationId,
    /// The call expression, ending in `.await`, before output/error mapping.
    call: TokenStream,
    uses_scope: bool,
}

fn emit_resource(cx: &Context, index: usize, resource: &Resource) -> Option<(TokenStream, TokenStream)> {
    let marker = ident(&cx.names.markers[index]);
    let accessor = ident(&cx.names.accessors[index]);
    let item = ty(cx, &Ty::Named(resource.item), None);
    let key_ty = ty(cx, &resource.key.ty, None);

    let list_op = cx.api.operation(resource.list);
    let list_names = &cx.names.operations[resource.list.0];
    let scope: Vec<ScopeParam> = list_op
        .params
        .iter()
        .zip(&list_names.params)
        .filter(|(p, _)| p.location == ParamLocation::Path)
        .map(|(p, name)| ScopeParam { wire: p.name.clone(), arg: name.clone(), ty: p.ty.clone() })
        .collect();

    let key_expr = key_expression(cx, resource)?;

    let calls: Vec<Call> =
        resource.operations().filter_map(|(role, op)| role_call(cx, resource, &scope, role, op)).collect();
    // A resource is a collection: without a usable list there is no handle.
    if !calls.iter().any(|c| c.role == ResourceRole::List) {
        return None;
    }

    // The error type every capability shares: the one their operations declare, if they agree.
    let mut declared: Vec<&Ty> = Vec::new();
    for ty in calls.iter().filter_map(|c| error_ty(cx.api.operation(c.op))) {
        if !declared.contains(&ty) {
            declared.push(ty);
        }
    }
    let error: Option<&Ty> = match declared.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    let error_body = match error {
        Some(error) => ty(cx, error, None),
        None => quote! { ::sync_runtime::serde_json::Value },
    };
    let error_result = super::client::error_tokens(cx, error);

    let scope_types: Vec<TokenStream> = scope.iter().map(|p| ty(cx, &p.ty, None)).collect();
    let scope_ty = quote! { (#(#scope_types,)*) };

    let impls = calls.iter().map(|call| {
        let op = cx.api.operation(call.op);
        let convert = (error_ty(op) != error).then(|| quote! { .map_err(::sync_runtime::Error::convert) });
        let deprecated = op.deprecated.then(|| quote! { #[allow(deprecated)] });
        let scope_arg = if call.uses_scope { quote! { scope } } else { quote! { _scope } };
        let invocation = &call.call;
        match call.role {
            ResourceRole::List => {
                let extract = list_extraction(cx, resource, op);
                quote! {
                    #deprecated
                    impl ::sync_runtime::resource::List for #marker {
                        async fn list(client: &Client, #scope_arg: &#scope_ty) -> Result<Vec<#item>, #error_result> {
                            #invocation #extract #convert
                        }
                    }
                }
            }
            ResourceRole::Get => quote! {
                #deprecated
                impl ::sync_runtime::resource::Get for #marker {
                    async fn get(client: &Client, #scope_arg: &#scope_ty, key: &#key_ty) -> Result<#item, #error_result> {
                        #invocation #convert
                    }
                }
            },
            ResourceRole::Create => {
                let new = body_ty(cx, op);
                let created = output_tokens(cx, call.op.0, &output(op));
                quote! {
                    #deprecated
                    impl ::sync_runtime::resource::Create for #marker {
                        type New = #new;
                        type Created = #created;

                        async fn create(client: &Client, #scope_arg: &#scope_ty, new: #new) -> Result<#created, #error_result> {
                            #invocation #convert
                        }
                    }
                }
            }
            ResourceRole::Update => {
                let patch = body_ty(cx, op);
                let updated = output_tokens(cx, call.op.0, &output(op));
                quote! {
                    #deprecated
                    impl ::sync_runtime::resource::Update for #marker {
                        type Patch = #patch;
                        type Updated = #updated;

                        async fn update(client: &Client, #scope_arg: &#scope_ty, key: &#key_ty, patch: #patch) -> Result<#updated, #error_result> {
                            #invocation #convert
                        }
                    }
                }
            }
            ResourceRole::Delete => {
                let discard = (!matches!(output(op), Output::Empty)).then(|| quote! { .map(drop) });
                quote! {
                    #deprecated
                    impl ::sync_runtime::resource::Delete for #marker {
                        async fn delete(client: &Client, #scope_arg: &#scope_ty, key: &#key_ty) -> Result<(), #error_result> {
                            #invocation #discard #convert
                        }
                    }
                }
            }
        }
    });

    let name = &resource.name;
    let roles: Vec<&str> = calls.iter().map(|c| c.role.as_str()).collect();
    let marker_doc = super::docs::visible(&format!(
        " The `{name}` resource (`x-sync: {}`), handled through [`::sync_runtime::Resource`]: {}.",
        resource.mode.as_str(),
        roles.join(", ")
    ));

    let marker_item = quote! {
        #[doc = #marker_doc]
        #[derive(Debug, Clone, Copy)]
        pub enum #marker {}

        impl ::sync_runtime::resource::Spec for #marker {
            type Client = Client;
            type Item = #item;
            type Key = #key_ty;
            type Error = #error_body;
            type Scope = #scope_ty;
            const NAME: &'static str = #name;

            fn key(item: &#item) -> Option<#key_ty> {
                #key_expr
            }
        }

        #(#impls)*
    };

    // The accessor: the only place push and live differ.
    let args: Vec<TokenStream> = scope
        .iter()
        .map(|p| {
            let arg = ident(&p.arg);
            match arg_kind(cx, &p.ty) {
                ArgKind::Str => quote! { #arg: impl Into<String> },
                ArgKind::Copy | ArgKind::Ref => {
                    let ty = ty(cx, &p.ty, None);
                    quote! { #arg: #ty }
                }
            }
        })
        .collect();
    let values: Vec<TokenStream> = scope
        .iter()
        .map(|p| {
            let arg = ident(&p.arg);
            match arg_kind(cx, &p.ty) {
                ArgKind::Str => quote! { #arg.into() },
                ArgKind::Copy | ArgKind::Ref => quote! { #arg },
            }
        })
        .collect();
    let scope_value = quote! { (#(#values,)*) };
    let constructor = match resource.mode {
        SyncMode::Push => quote! { ::sync_runtime::Resource::push(self.clone(), #scope_value) },
        SyncMode::Live => {
            let source = match &resource.source {
                SyncSource::Rest => quote! { ::sync_runtime::LiveSource::Rest },
                SyncSource::Shape(shape) => {
                    let table = &shape.table;
                    let where_clause = match &shape.where_clause {
                        Some(clause) => quote! { Some(#clause) },
                        None => quote! { None },
                    };
                    let columns = &shape.columns;
                    quote! {
                        ::sync_runtime::LiveSource::Shape(::sync_runtime::ShapeSource {
                            table: #table,
                            where_clause: #where_clause,
                            columns: &[#(#columns),*],
                        })
                    }
                }
            };
            let ops = live_ops(cx, resource, &marker, &calls);
            quote! { ::sync_runtime::Resource::live(self.clone(), #scope_value, #source, #ops) }
        }
    };
    let accessor_doc = super::docs::visible(&format!(
        " The `{name}` resource: {} (`{}`).",
        roles.join(", "),
        resource.collection_path
    ));
    let accessor_item = quote! {
        #[doc = #accessor_doc]
        pub fn #accessor(&self, #(#args),*) -> ::sync_runtime::Resource<#marker> {
            #constructor
        }
    };
    Some((marker_item, accessor_item))
}

/// What a live accessor hands the runtime: the key field, the item type's fingerprint, and
/// the write operations the handle has (`create()` when the answer is a serializable value,
/// so the confirmed row can replace the optimistic one).
fn live_ops(cx: &Context, resource: &Resource, marker: &syn::Ident, calls: &[Call]) -> TokenStream {
    let key_field = &resource.key.field;
    let schema = item_fingerprint(cx, resource);
    let writes = calls.iter().filter_map(|call| {
        let answers_row = !matches!(output(cx.api.operation(call.op)), Output::Outcomes(_));
        match (call.role, answers_row) {
            (ResourceRole::Create, true) => Some(quote! { .create() }),
            (ResourceRole::Create, false) => Some(quote! { .create_without_row() }),
            (ResourceRole::Update, true) => Some(quote! { .update() }),
            (ResourceRole::Update, false) => Some(quote! { .update_without_row() }),
            (ResourceRole::Delete, _) => Some(quote! { .delete() }),
            (ResourceRole::List | ResourceRole::Get, _) => None,
        }
    });
    quote! { ::sync_runtime::live::LiveOps::<#marker>::new(#key_field, #schema) #(#writes)* }
}

/// A stable hash (FNV-1a, hex) of the item type's fields: persisted rows of another shape are
/// dropped and refetched.
fn item_fingerprint(cx: &Context, resource: &Resource) -> String {
    let mut text = String::new();
    for field in cx.api.struct_fields(resource.item).unwrap_or_default() {
        text.push_str(&format!("{}:{}:{:?};", field.name, field.required, cx.resolve(&field.ty)));
    }
    let hash = text
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

/// The body of `Spec::key`: the item's key field as an `Option`.
fn key_expression(cx: &Context, resource: &Resource) -> Option<TokenStream> {
    let fields = cx.api.struct_fields(resource.item)?;
    let index = fields.iter().position(|f| f.name == resource.key.field)?;
    let field = &fields[index];
    let name = ident(&cx.names.members[resource.item.0][index]);
    let (nullable, base) = match &field.ty {
        Ty::Nullable(inner) => (true, inner.as_ref()),
        other => (false, other),
    };
    if cx.resolve(base) != cx.resolve(&resource.key.ty) {
        return None;
    }
    let copy = arg_kind(cx, base) == ArgKind::Copy;
    let value = if copy {
        quote! { item.#name }
    } else {
        quote! { item.#name.clone() }
    };
    Some(match (field.required, nullable) {
        (true, false) => quote! { Some(#value) },
        (true, true) | (false, false) => value,
        (false, true) => quote! { #value.flatten() },
    })
}

/// The resource's body type for create/update (`New`, `Patch`).
fn body_ty(cx: &Context, op: &crate::model::Operation) -> TokenStream {
    match &op.body {
        Some(body) => ty(cx, &body.ty, None),
        None => quote! { () },
    }
}

/// The operation call for a role, or `None` when the operation does not fit the role's
/// unified signature.
fn role_call(
    cx: &Context,
    resource: &Resource,
    scope: &[ScopeParam],
    role: ResourceRole,
    id: OperationId,
) -> Option<Call> {
    let op = cx.api.operation(id);
    let names = &cx.names.operations[id.0];
    let mut uses_scope = false;
    let mut args = Vec::new();
    for param in op.params.iter().filter(|p| p.location == ParamLocation::Path) {
        let kind = arg_kind(cx, &param.ty);
        if let Some(position) = scope.iter().position(|s| s.wire == param.name) {
            if cx.resolve(&scope[position].ty) != cx.resolve(&param.ty) {
                return None;
            }
            uses_scope = true;
            let index = syn::Index::from(position);
            args.push(match kind {
                ArgKind::Copy => quote! { scope.#index },
                ArgKind::Str | ArgKind::Ref => quote! { &scope.#index },
            });
        } else if role != ResourceRole::List
            && role != ResourceRole::Create
            && resource.key.param.as_deref() == Some(param.name.as_str())
        {
            if cx.resolve(&resource.key.ty) != cx.resolve(&param.ty) {
                return None;
            }
            args.push(match kind {
                ArgKind::Copy => quote! { *key },
                ArgKind::Str | ArgKind::Ref => quote! { key },
            });
        } else {
            return None;
        }
    }
    if names.params_struct.is_some() {
        if op.params.iter().any(|p| p.location != ParamLocation::Path && p.required) {
            return None;
        }
        args.push(quote! { Default::default() });
    }
    match role {
        ResourceRole::Create | ResourceRole::Update => {
            let body = op.body.as_ref()?;
            if !matches!(body.media, MediaKind::Json | MediaKind::Form | MediaKind::Multipart) {
                return None;
            }
            let value = if role == ResourceRole::Create {
                quote! { new }
            } else {
                quote! { patch }
            };
            args.push(if body.required {
                quote! { &#value }
            } else {
                quote! { Some(&#value) }
            });
        }
        ResourceRole::List | ResourceRole::Get | ResourceRole::Delete => {
            if op.body.as_ref().is_some_and(|b| b.required) {
                return None;
            }
            if op.body.is_some() {
                args.push(quote! { None });
            }
        }
    }
    let item = Ty::Named(resource.item);
    let fits = match role {
        ResourceRole::List => list_items_ty(cx, resource, op).is_some(),
        ResourceRole::Get => matches!(output(op), Output::Json(ty, _) if cx.resolve(ty) == cx.resolve(&item)),
        ResourceRole::Create | ResourceRole::Update | ResourceRole::Delete => true,
    };
    if !fits {
        return None;
    }
    let method = ident(&cx.names.methods[id.0]);
    Some(Call { role, op: id, call: quote! { client.#method(#(#args),*).await }, uses_scope })
}

/// How the list response holds the items: `None` when it does not hold `Vec<Item>`.
/// Returns the (required, nullable) shape of the items field for `ListItems::Field`.
fn list_items_ty(cx: &Context, resource: &Resource, op: &crate::model::Operation) -> Option<(bool, bool, usize)> {
    let Output::Json(body, _) = output(op) else {
        return None;
    };
    let is_items = |ty: &Ty| match cx.resolve(ty) {
        Ty::Array(inner) => cx.resolve(inner) == cx.resolve(&Ty::Named(resource.item)),
        _ => false,
    };
    match &resource.list_items {
        ListItems::Array => is_items(body).then_some((true, false, usize::MAX)),
        ListItems::Field(name) => {
            let page = struct_of(cx, body)?;
            let fields = cx.api.struct_fields(page)?;
            let index = fields.iter().position(|f| &f.name == name)?;
            let field = &fields[index];
            let (nullable, inner) = match &field.ty {
                Ty::Nullable(inner) => (true, inner.as_ref()),
                other => (false, other),
            };
            is_items(inner).then_some((field.required, nullable, index))
        }
    }
}

/// What turns the list operation's answer into `Vec<Item>`.
fn list_extraction(cx: &Context, resource: &Resource, op: &crate::model::Operation) -> TokenStream {
    let Some((required, nullable, index)) = list_items_ty(cx, resource, op) else {
        return quote! {};
    };
    let ListItems::Field(_) = &resource.list_items else {
        return quote! {};
    };
    let Output::Json(body, _) = output(op) else {
        return quote! {};
    };
    let Some(page) = struct_of(cx, body) else {
        return quote! {};
    };
    let field = ident(&cx.names.members[page.0][index]);
    match (required, nullable) {
        (true, false) => quote! { .map(|page| page.#field) },
        (true, true) | (false, false) => quote! { .map(|page| page.#field.unwrap_or_default()) },
        (false, true) => quote! { .map(|page| page.#field.flatten().unwrap_or_default()) },
    }
}
