//! The JavaScript API, tested in a JavaScript host.
//!
//! `scripts/test.sh` runs this file twice: in node, and with `WASM_BINDGEN_USE_BROWSER=1` in
//! headless Chromium.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(addin_wasm::wasm::version(), env!("CARGO_PKG_VERSION"));
}

/// Pins down that the runner really ran us in a JavaScript host (a window or node's process),
/// and that WebAssembly exists there: the event runtime without it is covered by the wasm2js
/// build's tests in `tests/js/`.
#[wasm_bindgen_test]
fn runs_in_a_javascript_host_with_webassembly() {
    let global = js_sys::global();
    let has = |name: &str| js_sys::Reflect::has(&global, &JsValue::from_str(name)).unwrap_or(false);
    assert!(
        has("window") || has("process"),
        "neither a browser window nor node"
    );
    assert!(has("WebAssembly"));
}

mod scanner {
    use addin_wasm::wasm::JsScanner;
    use js_sys::{Array, Reflect, JSON};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn get(v: &JsValue, key: &str) -> JsValue {
        Reflect::get(v, &JsValue::from_str(key)).unwrap()
    }

    fn json(text: &str) -> JsValue {
        JSON::parse(text).unwrap()
    }

    /// The message of a thrown value, which must be a JavaScript `Error`.
    fn message(thrown: JsValue) -> String {
        let error: js_sys::Error = thrown.dyn_into().expect("a JavaScript Error");
        error.message().into()
    }

    const DICTIONARY: &str = r#"{ "version": 1,
        "categories": [ { "id": "projects", "label": { "en": "Projects", "fr": "Projets" },
                          "severity": "warn", "detectors": ["payment_card"] } ],
        "entries": [ { "id": "orion", "pattern": "projet orion", "kind": "phrase",
                       "category": "projects", "severity": "block" } ] }"#;

    #[wasm_bindgen_test]
    fn takes_the_dictionary_as_an_object_or_as_json_text() {
        for dictionary in [json(DICTIONARY), JsValue::from_str(DICTIONARY)] {
            let scanner = JsScanner::new(dictionary).unwrap();
            let report = scanner.scan(JsValue::from_str("le projet Orion")).unwrap();
            assert_eq!(get(&report, "verdict"), "block");
        }
    }

    #[wasm_bindgen_test]
    fn findings_use_utf16_offsets_after_emoji_and_accents() {
        let scanner = JsScanner::new(json(DICTIONARY)).unwrap();
        let text = "😀 Réf. élève: PROJET\u{A0}ORIÓN; carte 4970 1012 3456 7893";
        let report = scanner.scan(JsValue::from_str(text)).unwrap();
        let findings: Array = get(&report, "findings").dyn_into().unwrap();
        assert_eq!(findings.length(), 2);
        let js_text = js_sys::JsString::from(text);
        for f in findings.iter() {
            let start = get(&f, "start").as_f64().unwrap() as u32;
            let end = get(&f, "end").as_f64().unwrap() as u32;
            // What JavaScript's substring gives is the finding's text.
            assert_eq!(
                JsValue::from(js_text.substring(start, end)),
                get(&f, "text")
            );
        }
        let first = findings.get(0);
        assert_eq!(get(&first, "text"), "PROJET\u{A0}ORIÓN");
        assert_eq!(get(&first, "entryId"), "orion");
        assert!(get(&first, "detector").is_null());
        assert_eq!(get(&first, "confidence"), "high");
        let second = findings.get(1);
        assert_eq!(get(&second, "detector"), "payment_card");
        assert!(get(&second, "entryId").is_null());
        let categories: Array = get(&report, "categories").dyn_into().unwrap();
        assert_eq!(get(&get(&categories.get(0), "label"), "fr"), "Projets");
    }

    #[wasm_bindgen_test]
    fn empty_text_is_allowed() {
        let scanner = JsScanner::new(json(DICTIONARY)).unwrap();
        let report = scanner.scan(JsValue::from_str("")).unwrap();
        assert_eq!(get(&report, "verdict"), "allow");
        assert_eq!(Array::from(&get(&report, "findings")).length(), 0);
    }

    #[wasm_bindgen_test]
    fn scans_five_megabytes() {
        let scanner = JsScanner::new(JsScanner::default_dictionary().unwrap()).unwrap();
        let paragraph = "Bonjour, voici le compte rendu de la réunion de lundi. Rien à signaler. ";
        let mut text = paragraph.repeat(5 * 1024 * 1024 / paragraph.len());
        text.push_str("IBAN FR76 3000 6000 0112 3456 7890 189");
        let report = scanner.scan(JsValue::from_str(&text)).unwrap();
        assert_eq!(get(&report, "verdict"), "warn");
        let findings = Array::from(&get(&report, "findings"));
        assert_eq!(findings.length(), 1);
        let expected_start = text.encode_utf16().count() - 33;
        assert_eq!(
            get(&findings.get(0), "start").as_f64(),
            Some(expected_start as f64)
        );
    }

    #[wasm_bindgen_test]
    fn the_default_dictionary_switches_every_detector_on() {
        let d = JsScanner::default_dictionary().unwrap();
        let detectors: Vec<String> = Array::from(&get(&d, "categories"))
            .iter()
            .flat_map(|c| {
                Array::from(&get(&c, "detectors"))
                    .iter()
                    .collect::<Vec<_>>()
            })
            .map(|d| d.as_string().unwrap())
            .collect();
        assert_eq!(detectors, ["payment_card", "iban", "us_ssn", "ca_sin"]);
    }

    #[wasm_bindgen_test]
    fn invalid_dictionaries_throw_errors_listing_every_problem() {
        let bad = json(
            r#"{ "version": 1, "categories": [],
                 "entries": [ { "id": "a", "pattern": "", "kind": "word", "category": "x" },
                              { "id": "b", "pattern": "(", "kind": "regex", "category": "x" } ] }"#,
        );
        let thrown = JsScanner::new(bad).err().unwrap();
        let problems = Array::from(&get(&thrown, "problems"));
        assert_eq!(problems.length(), 4, "{}", message(thrown.clone()));
        assert_eq!(get(&problems.get(0), "path"), "entries[0]");
        assert_eq!(get(&problems.get(0), "id"), "a");
        let text = message(thrown);
        assert!(text.starts_with("invalid dictionary: 4 problems"), "{text}");
        assert!(
            text.contains("entries[1] (id \"b\"): invalid regex"),
            "{text}"
        );
    }

    #[wasm_bindgen_test]
    fn structural_errors_and_wrong_types_throw_errors_with_messages() {
        let bad_kind = json(
            r#"{ "version": 1, "entries": [ { "id": "a", "pattern": "x", "kind": "glob", "category": "c" } ] }"#,
        );
        let text = message(JsScanner::new(bad_kind).err().unwrap());
        assert!(
            text.starts_with("invalid dictionary: entries[0].kind: unknown variant `glob`"),
            "{text}"
        );

        let text = message(JsScanner::new(JsValue::from_f64(3.0)).err().unwrap());
        assert!(
            text.contains("pass the dictionary as an object or as its JSON text"),
            "{text}"
        );

        let text = message(JsScanner::new(JsValue::from_str("{ nope")).err().unwrap());
        assert!(text.starts_with("invalid dictionary: "), "{text}");

        let scanner = JsScanner::new(json(DICTIONARY)).unwrap();
        let text = message(scanner.scan(JsValue::from_f64(1.0)).err().unwrap());
        assert_eq!(text, "scanner.scan(text): text must be a string");
    }
}

mod envelope {
    use addin_wasm::wasm::envelope::{decrypt_range, encrypt_range, inspect_envelope};
    use js_sys::{Reflect, Uint8Array, JSON};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn get(v: &JsValue, key: &str) -> JsValue {
        Reflect::get(v, &JsValue::from_str(key)).unwrap()
    }

    fn key(byte: u8) -> JsValue {
        Uint8Array::from(&[byte; 32][..]).into()
    }

    fn options(key: JsValue, content: &str, format: &str) -> JsValue {
        let o = JSON::parse(r#"{ "keyId": "k1", "docId": "doc-a", "rangeId": "r1" }"#).unwrap();
        Reflect::set(&o, &"key".into(), &key).unwrap();
        Reflect::set(&o, &"content".into(), &content.into()).unwrap();
        Reflect::set(&o, &"format".into(), &format.into()).unwrap();
        o
    }

    /// The `code` and message of a thrown value, which must be a JavaScript `Error`.
    fn code(thrown: JsValue) -> (String, String) {
        let error: js_sys::Error = thrown.dyn_into().expect("a JavaScript Error");
        let code = get(&error, "code").as_string().unwrap_or_default();
        (code, error.message().into())
    }

    #[wasm_bindgen_test]
    fn encrypts_inspects_and_decrypts() {
        let content = "<w:p><w:r><w:t>Budget prévisionnel 😀</w:t></w:r></w:p>".repeat(30);
        let jwe = encrypt_range(options(key(1), &content, "ooxml")).unwrap();
        assert_eq!(jwe.split('.').count(), 5);

        let header = inspect_envelope(jwe.clone().into()).unwrap();
        assert_eq!(get(&header, "keyId"), "k1");
        assert_eq!(get(&header, "docId"), "doc-a");
        assert_eq!(get(&header, "rangeId"), "r1");
        assert_eq!(get(&header, "alg"), "dir");
        assert_eq!(get(&header, "enc"), "A256GCM");
        assert_eq!(get(&header, "compressed"), true);

        let expected = JSON::parse(r#"{ "docId": "doc-a", "rangeId": "r1" }"#).unwrap();
        let opened = decrypt_range(jwe.into(), key(1), expected).unwrap();
        assert_eq!(get(&opened, "content"), content.as_str());
        assert_eq!(get(&opened, "format"), "ooxml");
        assert_eq!(get(&opened, "keyId"), "k1");
    }

    #[wasm_bindgen_test]
    fn nonces_come_from_the_platform_random_source() {
        let a = encrypt_range(options(key(1), "same", "text")).unwrap();
        let b = encrypt_range(options(key(1), "same", "text")).unwrap();
        assert_ne!(a, b);
    }

    #[wasm_bindgen_test]
    fn failures_are_errors_with_codes() {
        let jwe = encrypt_range(options(key(1), "secret", "text")).unwrap();
        let (c, message) =
            code(decrypt_range(jwe.clone().into(), key(2), JsValue::UNDEFINED).unwrap_err());
        assert_eq!(c, "authentication");
        assert!(
            message.contains("not the one it was encrypted with"),
            "{message}"
        );

        let elsewhere = JSON::parse(r#"{ "docId": "doc-b" }"#).unwrap();
        let (c, message) = code(decrypt_range(jwe.clone().into(), key(1), elsewhere).unwrap_err());
        assert_eq!(c, "mismatch");
        assert!(message.contains("copied or moved"), "{message}");

        let short: JsValue = Uint8Array::from(&[1u8; 16][..]).into();
        let (c, message) =
            code(decrypt_range(jwe.clone().into(), short, JsValue::UNDEFINED).unwrap_err());
        assert_eq!(c, "key_length");
        assert!(message.contains("32 bytes"), "{message}");
        assert_eq!(
            code(decrypt_range(jwe.into(), "not a key".into(), JsValue::NULL).unwrap_err()).0,
            "key_length"
        );

        let (c, message) = code(inspect_envelope("a.b.c".into()).unwrap_err());
        assert_eq!(c, "malformed");
        assert!(message.contains("5 parts"), "{message}");

        let (c, message) = code(encrypt_range(options(key(1), "x", "docx")).unwrap_err());
        assert_eq!(c, "invalid_argument");
        assert!(
            message.contains("\"ooxml\", \"html\" or \"text\""),
            "{message}"
        );
        assert_eq!(
            code(encrypt_range(JsValue::from(3)).unwrap_err()).0,
            "invalid_argument"
        );
        assert_eq!(
            code(inspect_envelope(JsValue::from(3)).unwrap_err()).0,
            "invalid_argument"
        );
    }
}
