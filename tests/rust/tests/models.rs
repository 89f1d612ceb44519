//! The generated models' serde behaviour, on `specs/kitchen-sink.yaml`.

use serde_json::json;

sync_macros::sync_api!(spec = "specs/kitchen-sink.yaml", module = api);

use api::{Cat, Dog, Node, Option2, Pet, Priority, Role, Scalar, Tree};

#[test]
fn tagged_unions_keep_the_tag_their_variants_declare() {
    // `Cat` declares `petType` as required: serde's internal tagging would strip it first and
    // then fail; the generated code hands the variant the whole object.
    let wire = json!({"petType": "cat", "name": "Tom", "lives": 9});
    let pet: Pet = serde_json::from_value(wire.clone()).expect("decodes");
    assert_eq!(pet, Pet::Cat(Cat { pet_type: "cat".into(), name: "Tom".into(), lives: Some(9) }));
    assert_eq!(serde_json::to_value(&pet).unwrap(), wire, "the tag is written once");

    let dog = Pet::Dog(Dog { pet_type: "dog".into(), name: "Rex".into(), good: Some(true) });
    assert_eq!(serde_json::to_value(&dog).unwrap(), json!({"petType": "dog", "name": "Rex", "good": true}));
}

#[test]
fn tagged_unions_explain_bad_tags() {
    let unknown = serde_json::from_value::<Pet>(json!({"petType": "bird", "name": "Tweety"})).unwrap_err();
    assert!(unknown.to_string().contains("unknown variant `bird`, expected `cat` or `dog`"), "{unknown}");
    let missing = serde_json::from_value::<Pet>(json!({"name": "Tom"})).unwrap_err();
    assert!(missing.to_string().contains("missing discriminator `petType`"), "{missing}");
    let wrong_variant = serde_json::from_value::<Pet>(json!({"petType": "cat"})).unwrap_err();
    assert!(wrong_variant.to_string().contains("missing field `name`"), "{wrong_variant}");
}

#[test]
fn untagged_unions_take_the_first_variant_that_fits() {
    assert_eq!(serde_json::from_value::<Scalar>(json!("x")).unwrap(), Scalar::String("x".into()));
    assert_eq!(serde_json::from_value::<Scalar>(json!(5)).unwrap(), Scalar::Integer(5));
    let cat: Scalar = serde_json::from_value(json!({"petType": "cat", "name": "Tom"})).unwrap();
    assert!(matches!(cat, Scalar::Cat(Cat { ref name, .. }) if name == "Tom"));
}

#[test]
fn large_union_variants_are_boxed() {
    let wire = json!({"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7", "h": "8"});
    let value: api::NameOrProfile = serde_json::from_value(wire.clone()).unwrap();
    let api::NameOrProfile::Profile(profile) = &value else { panic!("a profile: {value:?}") };
    assert_eq!(profile.h, "8");
    assert_eq!(serde_json::to_value(&value).unwrap(), wire);
    assert!(std::mem::size_of::<api::NameOrProfile>() <= 32);
}

#[test]
fn open_enums_keep_unknown_values() {
    assert_eq!(serde_json::from_value::<Role>(json!("owner")).unwrap(), Role::Owner);
    let admin: Role = serde_json::from_value(json!("admin")).unwrap();
    assert_eq!(admin, Role::Other("admin".into()));
    assert_eq!(serde_json::to_value(&admin).unwrap(), json!("admin"));
}

#[test]
fn repeated_enum_values_become_one_variant() {
    assert_eq!(serde_json::from_value::<api::Species>(json!("cat")).unwrap(), api::Species::Cat);
    assert_eq!(serde_json::to_value(api::Species::Dog).unwrap(), json!("dog"));
}

#[test]
fn integer_enums_travel_as_numbers() {
    assert_eq!(serde_json::from_value::<Priority>(json!(2)).unwrap(), Priority::Value2);
    assert_eq!(serde_json::from_value::<Priority>(json!(-1)).unwrap(), Priority::Minus1);
    assert_eq!(serde_json::to_value(Priority::Value3).unwrap(), json!(3));
    // Enums are open by default: a value the spec does not list yet is kept, and sent back as it came.
    let unknown = serde_json::from_value::<Priority>(json!(7)).unwrap();
    assert_eq!(unknown, Priority::Other(7));
    assert_eq!(serde_json::to_value(unknown).unwrap(), json!(7));
}

#[test]
fn recursive_types_nest() {
    let wire = json!({"value": 1.0, "parent": {"value": 0.0}, "children": [{"value": 2.0, "children": []}]});
    let node: Node = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(node.parent.as_ref().map(|p| p.value), Some(0.0));
    assert_eq!(serde_json::to_value(&node).unwrap(), wire);
    let tree: Tree = serde_json::from_value(json!([[], [[]]])).unwrap();
    assert_eq!(tree, Tree(vec![Tree(vec![]), Tree(vec![Tree(vec![])])]));
}

#[test]
fn odd_names_keep_their_wire_names_and_extra_properties_are_kept() {
    let wire = json!({
        "message": "m", "type": "t", "self": "s", "2fa": true, "fooBar": "a", "foo_bar": "b",
        "id": "67e55044-10b1-426f-9247-bb680e5fe0c8", "extra": 5
    });
    let value: Option2 = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(value.r#type.as_deref(), Some("t"));
    assert_eq!(value.self_.as_deref(), Some("s"));
    assert_eq!(value.n_2fa, Some(true));
    assert_eq!((value.foo_bar.as_deref(), value.foo_bar_2.as_deref()), (Some("a"), Some("b")));
    assert_eq!(value.additional_properties.get("extra"), Some(&5));
    assert_eq!(serde_json::to_value(&value).unwrap(), wire);
}

#[test]
fn nested_live_resources_bind_their_parent_and_shape() {
    let client = api::Client::new("http://127.0.0.1:1").unwrap();
    let members = client.members("acme");
    assert_eq!(members.mode(), sync_runtime::SyncMode::Live);
    let Some(sync_runtime::LiveSource::Shape(shape)) = members.live_source() else {
        panic!("a shape source");
    };
    assert_eq!(
        (shape.table, shape.where_clause, shape.columns),
        ("members", Some("active = true"), &["id", "name", "role"][..])
    );
}

/// `specs/hostile.json`: names and descriptions full of comment ends, quotes, backticks,
/// `${`, `#[`, NUL, bidirectional overrides, emoji and Rust keywords. That this module compiles
/// is half the test; the other half is that the wire names survive untouched.
mod hostile {
    sync_macros::sync_api!(spec = "specs/hostile.json", module = api);

    // The schema named `*/` is `Value`: the model's type names come cased from the loader.
    use api::{Fn, FnInjectedParams, Self_, Value as AsteriskSlash};

    #[test]
    fn hostile_names_become_plain_identifiers_and_keep_their_wire_names() {
        let wire = serde_json::json!({
            "type": "t", "self": "s", "*/": "c", "\"\"\"": 3, "`x`": true, "${x}": "i", "#[derive(Evil)]": "d",
            "a\u{0}b": "nul", "\u{202e}evil\u{2066}": "rtl", "🎉": "party", "crate": "k", "r#async": "a",
            "kind": "+1",
        });
        let decoded: Fn = serde_json::from_value(wire.clone()).expect("decodes");
        assert_eq!(decoded.r#type, "t");
        assert_eq!(decoded.self_.as_deref(), Some("s"));
        assert_eq!(decoded.asterisk_slash.as_deref(), Some("c"));
        assert_eq!(decoded.derive_evil.as_deref(), Some("d"));
        assert_eq!(decoded.a_b.as_deref(), Some("nul"));
        assert_eq!(decoded.evil.as_deref(), Some("rtl"));
        assert_eq!(decoded.kind, Some(AsteriskSlash::Plus1));
        assert_eq!(serde_json::to_value(&decoded).unwrap(), wire);

        for (value, variant) in [
            ("*/", AsteriskSlash::AsteriskSlash),
            ("\"", AsteriskSlash::Quote),
            ("\\", AsteriskSlash::Backslash),
            ("", AsteriskSlash::Empty),
            ("self", AsteriskSlash::Self_),
            ("-1", AsteriskSlash::Minus1),
        ] {
            assert_eq!(serde_json::to_value(&variant).unwrap(), serde_json::json!(value));
        }
        let params = FnInjectedParams { r#type: Some("t".into()), ..Default::default() };
        assert_eq!(params.r#type.as_deref(), Some("t"));
        let _ = Self_ { super_: None, r#match: Some("m".into()) };
    }
}
