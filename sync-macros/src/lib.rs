use proc_macro::TokenStream; #[proc_macro] pub fn sync_api(_i: TokenStream) -> TokenStream { TokenStream::new() }
