//! The Felix `.config` and `.cfg.json` readers and writers: typed values, escapes, comments,
//! errors with line numbers, and round trips of any properties.

use imsbridge_interop::osgi::{
    FileFormat, OsgiValue, Properties, RunModes, Scalar, ScalarType, ValueType, cfg_json,
    factory_subname, felix, properties,
};
use proptest::prelude::*;

fn single(s: Scalar) -> OsgiValue {
    OsgiValue::Single(s)
}

#[test]
fn felix_config_reads_typed_values_arrays_collections_escapes_and_comments() {
    let text = r#"# written by hand
name="Smart Content Service"
auth.token.provider.scope="read_pc.dma_smart_content,\ openid,\ AdobeID"
auth.token.provider.default.claims=("\"iss\"\ :\ \"0123456789ABCDEF01234567@AdobeOrg\"")
auth.token.provider.reuse.access.token=B"true"
timeout = I"30"
big=L"9007199254740993"
ratio=D"4611686018427387904"
half=F"1056964608"
letters=["a","b", \
  "c",\
  ]
ports=i["80","443"]
empty=()
unicode="caf\u00e9 \ud83d\ude00"  other="x"
"#;
    let p = felix::read(text).unwrap();
    assert_eq!(p["name"], OsgiValue::string("Smart Content Service"));
    assert_eq!(
        p["auth.token.provider.scope"],
        OsgiValue::string("read_pc.dma_smart_content, openid, AdobeID")
    );
    assert_eq!(
        p["auth.token.provider.default.claims"],
        OsgiValue::Collection {
            element: ScalarType::String,
            items: vec![Scalar::String(
                "\"iss\" : \"0123456789ABCDEF01234567@AdobeOrg\"".into()
            )],
        }
    );
    assert_eq!(
        p["auth.token.provider.reuse.access.token"],
        single(Scalar::Boolean(true))
    );
    assert_eq!(p["timeout"], single(Scalar::Integer(30)));
    assert_eq!(p["big"], single(Scalar::Long(9_007_199_254_740_993)));
    assert_eq!(p["ratio"], single(Scalar::Double(2.0)));
    assert_eq!(p["half"], single(Scalar::Float(0.5)));
    assert_eq!(p["letters"], OsgiValue::strings(["a", "b", "c"]));
    assert_eq!(
        p["ports"],
        OsgiValue::Array {
            element: ValueType {
                scalar: ScalarType::Integer,
                primitive: true
            },
            items: vec![Scalar::Integer(80), Scalar::Integer(443)],
        }
    );
    assert_eq!(
        p["empty"],
        OsgiValue::Collection {
            element: ScalarType::String,
            items: vec![]
        }
    );
    assert_eq!(p["unicode"], OsgiValue::string("café 😀"));
    assert_eq!(p["other"], OsgiValue::string("x"));
}

#[test]
fn felix_config_errors_name_the_line_and_what_to_write() {
    for (text, line, needle) in [
        (
            "a=\"1\"\nb=\"2\"\nc=unquoted\n",
            3,
            "expected a value after c=",
        ),
        (
            "a=\"1\"\n\nb \"2\"\n",
            3,
            "expected '=' after the property name b",
        ),
        ("a=\"1\"\nb=\"open\n\n", 2, "not closed"),
        ("a=I\"thirty\"\n", 1, "not a Integer"),
        ("a=B\"yes\"\n", 1, "true or false"),
        ("x=[\"1\" \"2\"]\n", 1, "expected ',' or ']'"),
        ("=\"v\"\n", 1, "expected a property name"),
    ] {
        let err = felix::read(text).unwrap_err();
        assert_eq!(err.line, line, "{text:?}: {err}");
        assert!(err.message.contains(needle), "{text:?}: {err}");
    }
}

#[test]
fn cfg_json_reads_comments_inferred_types_and_type_hints() {
    let text = r#"{
  // a comment with a "quote"
  "name": "target", /* block
  comment */
  "url": "http://example.com/a//b",
  "reuse": true,
  "count": 500,
  "ratio": 0.25,
  "size:Integer": 500,
  "ids:Long[]": [1, 2],
  "flags:boolean[]": [true],
  "claims:Collection<String>": ["x"],
  "list": ["a", "b"],
  "letter:Character": "z",
  ":configurator:ignored": 1
}"#;
    let p = cfg_json::read(text).unwrap();
    assert_eq!(p["name"], OsgiValue::string("target"));
    assert_eq!(p["url"], OsgiValue::string("http://example.com/a//b"));
    assert_eq!(p["reuse"], single(Scalar::Boolean(true)));
    assert_eq!(p["count"], single(Scalar::Long(500)));
    assert_eq!(p["ratio"], single(Scalar::Double(0.25)));
    assert_eq!(p["size"], single(Scalar::Integer(500)));
    assert_eq!(
        p["ids"],
        OsgiValue::Array {
            element: ValueType::boxed(ScalarType::Long),
            items: vec![Scalar::Long(1), Scalar::Long(2)],
        }
    );
    assert_eq!(
        p["flags"],
        OsgiValue::Array {
            element: ValueType {
                scalar: ScalarType::Boolean,
                primitive: true
            },
            items: vec![Scalar::Boolean(true)],
        }
    );
    assert_eq!(
        p["claims"],
        OsgiValue::Collection {
            element: ScalarType::String,
            items: vec![Scalar::String("x".into())]
        }
    );
    assert_eq!(p["list"], OsgiValue::strings(["a", "b"]));
    assert_eq!(p["letter"], single(Scalar::Character('z')));
    assert_eq!(p.len(), 11, "the :configurator: key is left out");
}

#[test]
fn cfg_json_errors_name_the_line() {
    let err = cfg_json::read("{\n  \"a\": 1,\n  \"b\": \n}").unwrap_err();
    assert_eq!(err.line, 4, "{err}");
    let err = cfg_json::read("{\n \"a\": 1,\n \"b:Integr\": 2\n}").unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.message.contains("unknown type hint"), "{err}");
    let err = cfg_json::read("{\n\n \"mixed\": [1, \"a\"]\n}").unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.message.contains("mixes types"), "{err}");
    assert!(cfg_json::read("[1]").is_err());
    assert!(
        cfg_json::read("{\"a\": null}")
            .unwrap_err()
            .message
            .contains("null")
    );
    assert!(
        cfg_json::read("{ /* open")
            .unwrap_err()
            .message
            .contains("*/")
    );
}

#[test]
fn file_names_give_format_factory_subname_and_run_modes() {
    let p = std::path::Path::new(
        "apps/site/osgiconfig/config.author.prod/com.acme.Factory~my-sub.cfg.json",
    );
    let (format, stem) = FileFormat::of(p).unwrap();
    assert_eq!(format, FileFormat::CfgJson);
    assert_eq!(
        factory_subname(&stem, "com.acme.Factory"),
        Some(Some("my-sub"))
    );
    assert_eq!(
        factory_subname("com.acme.Factory-1", "com.acme.Factory"),
        Some(Some("1"))
    );
    assert_eq!(
        factory_subname("com.acme.Factory", "com.acme.Factory"),
        Some(None)
    );
    assert_eq!(
        factory_subname("com.acme.FactoryX", "com.acme.Factory"),
        None
    );
    assert_eq!(RunModes::of(p), RunModes::from_modes(["author", "prod"]));
    assert!(RunModes::of(std::path::Path::new("config/x.config")).is_empty());
    assert!(RunModes::from_modes(["author"]).is_subset_of(&RunModes::of(p)));
    assert_eq!(FileFormat::of(std::path::Path::new("a/x.xml")), None);
    assert_eq!(
        FileFormat::of(std::path::Path::new("x.cfg")).map(|f| f.0),
        Some(FileFormat::Cfg)
    );
}

#[test]
fn properties_files_take_separators_continuations_and_escapes() {
    let p = properties::read(
        "# c\n! c\na=1\nb : two words\nc  three\nd=line\\\n  continued\ne=\\u0041\\t\n",
    )
    .unwrap();
    assert_eq!(p["a"], "1");
    assert_eq!(p["b"], "two words");
    assert_eq!(p["c"], "three");
    assert_eq!(p["d"], "linecontinued");
    assert_eq!(p["e"], "A\t");
}

fn scalar_of(ty: ScalarType) -> BoxedStrategy<Scalar> {
    match ty {
        ScalarType::String => "\\PC{0,20}".prop_map(Scalar::String).boxed(),
        ScalarType::Integer => any::<i32>().prop_map(Scalar::Integer).boxed(),
        ScalarType::Long => any::<i64>().prop_map(Scalar::Long).boxed(),
        ScalarType::Float => (-1.0e30f32..1.0e30).prop_map(Scalar::Float).boxed(),
        ScalarType::Double => (-1.0e300f64..1.0e300).prop_map(Scalar::Double).boxed(),
        ScalarType::Byte => any::<i8>().prop_map(Scalar::Byte).boxed(),
        ScalarType::Short => any::<i16>().prop_map(Scalar::Short).boxed(),
        ScalarType::Character => any::<char>().prop_map(Scalar::Character).boxed(),
        ScalarType::Boolean => any::<bool>().prop_map(Scalar::Boolean).boxed(),
    }
}

fn value() -> impl Strategy<Value = OsgiValue> {
    (
        proptest::sample::select(ScalarType::ALL.to_vec()),
        0..3u8,
        any::<bool>(),
    )
        .prop_flat_map(|(ty, shape, primitive)| match shape {
            0 => scalar_of(ty).prop_map(OsgiValue::Single).boxed(),
            1 => proptest::collection::vec(scalar_of(ty), 0..4)
                .prop_map(move |items| OsgiValue::Array {
                    element: ValueType {
                        scalar: ty,
                        primitive: primitive && ty != ScalarType::String,
                    },
                    items,
                })
                .boxed(),
            _ => proptest::collection::vec(scalar_of(ty), 0..4)
                .prop_map(move |items| OsgiValue::Collection { element: ty, items })
                .boxed(),
        })
}

fn props() -> impl Strategy<Value = Properties> {
    proptest::collection::btree_map("[a-zA-Z_][a-zA-Z0-9_.\\-]{0,15}", value(), 0..6)
}

proptest! {
    #[test]
    fn felix_config_round_trips_any_properties(p in props()) {
        let text = felix::write(&p).unwrap();
        prop_assert_eq!(felix::read(&text).unwrap(), p, "{}", text);
    }

    #[test]
    fn felix_keys_with_spaces_and_quotes_round_trip(key in "\\PC{1,12}", v in "\\PC{0,12}") {
        let p: Properties = [(key, OsgiValue::string(v))].into_iter().collect();
        let text = felix::write(&p).unwrap();
        prop_assert_eq!(felix::read(&text).unwrap(), p);
    }

    #[test]
    fn cfg_json_round_trips_any_properties(p in props()) {
        let text = cfg_json::write(&p).unwrap();
        prop_assert_eq!(cfg_json::read(&text).unwrap(), p, "{}", text);
    }

    #[test]
    fn readers_never_panic(text in "\\PC{0,80}") {
        let _ = felix::read(&text);
        let _ = cfg_json::read(&text);
        let _ = properties::read(&text);
    }
}
