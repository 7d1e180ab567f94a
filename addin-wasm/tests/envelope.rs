//! The range envelope through its public API: round trips, binding, tampering, limits, and
//! inputs that must be refused without a panic.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use addin_wasm::envelope::{
    decrypt_range, encrypt_range, inspect_envelope, limits, Error, Expected, Field, Format, Key,
    Part, Range,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use proptest::prelude::*;

fn key(byte: u8) -> Key {
    Key::from_bytes(&[byte; 32]).unwrap()
}

/// Twenty paragraphs of the OOXML Word's `getOoxml()` returns, roughly.
fn ooxml() -> String {
    let paragraph = r#"<w:p><w:pPr><w:pStyle w:val="Normal"/><w:spacing w:after="160"/></w:pPr><w:r><w:rPr><w:b/><w:lang w:val="fr-FR"/></w:rPr><w:t xml:space="preserve">Budget prévisionnel 2027 : 4 500 000 € — confidentiel. </w:t></w:r></w:p>"#;
    format!(
        r#"<pkg:package xmlns:pkg="http://schemas.microsoft.com/office/2006/xmlPackage"><w:body>{}</w:body></pkg:package>"#,
        paragraph.repeat(20)
    )
}

fn range<'a>(content: &'a str, format: Format) -> Range<'a> {
    Range {
        key_id: "key-1",
        doc_id: "doc-a",
        range_id: "range-1",
        content,
        format,
    }
}

fn header_json(jwe: &str) -> serde_json::Value {
    let part = jwe.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[test]
fn round_trips_every_format_and_compresses_only_when_smaller() {
    let ooxml = ooxml();
    for (content, format, compressed) in [
        ("Projet Orion 😀", Format::Text, false),
        ("<p>Le <b>budget</b></p>", Format::Html, false),
        (ooxml.as_str(), Format::Ooxml, true),
        ("", Format::Text, false),
    ] {
        let jwe = encrypt_range(&key(1), &range(content, format)).unwrap();
        let header = header_json(&jwe);
        assert_eq!(header["alg"], "dir");
        assert_eq!(header["enc"], "A256GCM");
        assert_eq!(header.get("zip").is_some(), compressed, "{header}");
        let opened = decrypt_range(&jwe, &key(1), &Expected::default()).unwrap();
        assert_eq!((opened.content.as_str(), opened.format), (content, format));
        assert_eq!(
            (
                opened.doc_id.as_str(),
                opened.range_id.as_str(),
                opened.key_id.as_str()
            ),
            ("doc-a", "range-1", "key-1")
        );
    }
    // Compression pays for OOXML: the envelope is smaller than the content itself.
    let jwe = encrypt_range(&key(1), &range(&ooxml, Format::Ooxml)).unwrap();
    assert!(
        jwe.len() < ooxml.len() / 2,
        "{} vs {}",
        jwe.len(),
        ooxml.len()
    );
}

#[test]
fn every_encryption_uses_a_fresh_nonce() {
    let a = encrypt_range(&key(1), &range("same", Format::Text)).unwrap();
    let b = encrypt_range(&key(1), &range("same", Format::Text)).unwrap();
    assert_ne!(a.split('.').nth(2), b.split('.').nth(2));
    assert_ne!(a, b);
}

#[test]
fn inspect_reads_the_header_without_a_key() {
    let jwe = encrypt_range(&key(1), &range("x", Format::Text)).unwrap();
    let header = inspect_envelope(&jwe).unwrap();
    assert_eq!(
        (
            header.kid.as_str(),
            header.tg_doc.as_str(),
            header.tg_range.as_str(),
            header.alg.as_str(),
            header.enc.as_str(),
            header.tg_version
        ),
        ("key-1", "doc-a", "range-1", "dir", "A256GCM", 1)
    );
}

#[test]
fn a_wrong_key_is_an_authentication_error() {
    let jwe = encrypt_range(&key(1), &range("secret", Format::Text)).unwrap();
    assert_eq!(
        decrypt_range(&jwe, &key(2), &Expected::default()),
        Err(Error::Authentication)
    );
    assert_eq!(
        Key::from_bytes(&[0; 31]).unwrap_err(),
        Error::KeyLength { bytes: 31 }
    );
}

#[test]
fn ranges_swapped_between_documents_or_positions_are_refused() {
    let a = encrypt_range(&key(1), &range("in a", Format::Text)).unwrap();
    let b = encrypt_range(
        &key(1),
        &Range {
            doc_id: "doc-b",
            range_id: "range-2",
            ..range("in b", Format::Text)
        },
    )
    .unwrap();
    // Document b's range pasted into document a.
    let in_a = Expected::document("doc-a");
    assert!(decrypt_range(&a, &key(1), &in_a).is_ok());
    let err = decrypt_range(&b, &key(1), &in_a).unwrap_err();
    assert_eq!(
        err,
        Error::Mismatch {
            field: Field::DocId,
            expected: "doc-a".into(),
            found: "doc-b".into()
        }
    );
    assert!(err.to_string().contains("copied or moved"), "{err}");
    // Moved to another position of the same document.
    let at_range_2 = Expected {
        doc_id: Some("doc-a".into()),
        range_id: Some("range-2".into()),
        key_id: None,
    };
    assert!(matches!(
        decrypt_range(&a, &key(1), &at_range_2),
        Err(Error::Mismatch {
            field: Field::RangeId,
            ..
        })
    ));
    // Header fields swapped by hand: the tag no longer matches.
    let mut parts: Vec<String> = a.split('.').map(str::to_owned).collect();
    parts[0] = b.split('.').next().unwrap().to_owned();
    assert_eq!(
        decrypt_range(&parts.join("."), &key(1), &Expected::default()),
        Err(Error::Authentication)
    );
}

/// Flips each bit of the decoded part `index` (0 header, 2 iv, 3 ciphertext, 4 tag).
fn flipped(jwe: &str, index: usize) -> Vec<(String, Vec<u8>)> {
    let parts: Vec<&str> = jwe.split('.').collect();
    let bytes = URL_SAFE_NO_PAD.decode(parts[index]).unwrap();
    let mut out = Vec::new();
    for bit in 0..bytes.len() * 8 {
        let mut changed = bytes.clone();
        changed[bit / 8] ^= 1 << (bit % 8);
        let mut p: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
        p[index] = URL_SAFE_NO_PAD.encode(&changed);
        out.push((p.join("."), changed));
    }
    out
}

#[test]
fn flipping_any_bit_of_iv_ciphertext_or_tag_fails_authentication() {
    let jwe = encrypt_range(&key(1), &range("Projet Orion, budget 2027", Format::Text)).unwrap();
    for index in [2, 3, 4] {
        for (changed, _) in flipped(&jwe, index) {
            assert_eq!(
                decrypt_range(&changed, &key(1), &Expected::default()),
                Err(Error::Authentication),
                "part {index}"
            );
        }
    }
}

#[test]
fn flipping_any_bit_of_the_header_fails_authentication_unless_it_names_another_algorithm() {
    let jwe = encrypt_range(&key(1), &range("Projet Orion", Format::Text)).unwrap();
    let mut unsupported = 0;
    for (changed, header) in flipped(&jwe, 0) {
        match decrypt_range(&changed, &key(1), &Expected::default()) {
            Err(Error::Authentication) => {}
            Err(Error::Unsupported { parameter, value }) => {
                // Only when the changed header still reads and names something else: an
                // algorithm this implementation does not know cannot be checked.
                let json: serde_json::Value = serde_json::from_slice(&header).unwrap();
                assert_eq!(
                    json[parameter]
                        .as_str()
                        .map_or_else(|| json[parameter].to_string(), str::to_owned),
                    value
                );
                unsupported += 1;
            }
            other => panic!("{other:?} for header {}", String::from_utf8_lossy(&header)),
        }
    }
    assert!(unsupported > 0 && unsupported < 80, "{unsupported}");
}

#[test]
fn malformed_envelopes_say_which_part_is_wrong() {
    let jwe = encrypt_range(&key(1), &range("x", Format::Text)).unwrap();
    let parts: Vec<&str> = jwe.split('.').collect();
    let with = |index: usize, value: &str| {
        let mut p = parts.clone();
        p[index] = value;
        p.join(".")
    };
    let part_of = |text: &str| match inspect_envelope(text) {
        Err(Error::Malformed { part, .. }) => part,
        other => panic!("{other:?}"),
    };
    assert_eq!(part_of("a.b.c"), None);
    assert_eq!(part_of(&with(0, "e30=")), Some(Part::Header), "padding");
    assert_eq!(
        part_of(&with(0, "bm90IGpzb24")),
        Some(Part::Header),
        "not JSON"
    );
    assert_eq!(part_of(&with(1, "AAAA")), Some(Part::EncryptedKey));
    assert_eq!(part_of(&with(2, "AAAA")), Some(Part::Iv));
    assert_eq!(part_of(&with(3, "!!")), Some(Part::Ciphertext));
    assert_eq!(part_of(&with(4, "AAAA")), Some(Part::Tag));
    let message = inspect_envelope(&with(2, "AAAA")).unwrap_err().to_string();
    assert!(
        message.contains("part 3 (initialization vector)"),
        "{message}"
    );
}

#[test]
fn other_algorithms_compressions_and_versions_are_unsupported() {
    let jwe = encrypt_range(&key(1), &range("x", Format::Text)).unwrap();
    let mut header = header_json(&jwe);
    for (parameter, value) in [
        ("alg", serde_json::json!("A256KW")),
        ("enc", serde_json::json!("A128GCM")),
        ("zip", serde_json::json!("GZ")),
        ("tg_version", serde_json::json!(2)),
        ("crit", serde_json::json!(["exp"])),
    ] {
        let saved = header.clone();
        header[parameter] = value;
        let encoded = URL_SAFE_NO_PAD.encode(header.to_string());
        let mut parts: Vec<&str> = jwe.split('.').collect();
        parts[0] = &encoded;
        let changed = parts.join(".");
        assert!(
            matches!(inspect_envelope(&changed), Err(Error::Unsupported { parameter: p, .. }) if p == parameter),
            "{parameter}"
        );
        assert!(matches!(
            decrypt_range(&changed, &key(1), &Expected::default()),
            Err(Error::Unsupported { .. })
        ));
        header = saved;
    }
}

#[test]
fn arguments_and_sizes_are_checked() {
    let long_id = "x".repeat(limits::MAX_ID_CHARS + 1);
    for bad in [
        Range {
            doc_id: "",
            ..range("x", Format::Text)
        },
        Range {
            range_id: &long_id,
            ..range("x", Format::Text)
        },
    ] {
        assert!(matches!(
            encrypt_range(&key(1), &bad),
            Err(Error::InvalidArgument(_))
        ));
    }
    let huge = "a".repeat(limits::MAX_CONTENT_BYTES + 1);
    assert!(matches!(
        encrypt_range(&key(1), &range(&huge, Format::Text)),
        Err(Error::TooLarge { .. })
    ));
    let envelope = ".".repeat(limits::MAX_ENVELOPE_BYTES + 1);
    assert!(matches!(
        inspect_envelope(&envelope),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn a_decompression_bomb_is_refused() {
    // An authentic envelope (the attacker has the key) whose payload inflates past the limit.
    use aes_gcm::aead::AeadInOut;
    use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
    let header = URL_SAFE_NO_PAD.encode(
        r#"{"alg":"dir","enc":"A256GCM","kid":"k","zip":"DEF","tg_version":1,"tg_doc":"d","tg_range":"r"}"#,
    );
    let bomb =
        miniz_oxide::deflate::compress_to_vec(&vec![b' '; limits::MAX_PAYLOAD_BYTES + 10], 9);
    let mut buffer = bomb.clone();
    let tag = Aes256Gcm::new(&[1u8; 32].into())
        .encrypt_inout_detached(
            &Nonce::from([0u8; 12]),
            header.as_bytes(),
            (&mut buffer[..]).into(),
        )
        .unwrap();
    let jwe = format!(
        "{header}..{}.{}.{}",
        URL_SAFE_NO_PAD.encode([0u8; 12]),
        URL_SAFE_NO_PAD.encode(&buffer),
        URL_SAFE_NO_PAD.encode(tag)
    );
    assert!(matches!(
        decrypt_range(&jwe, &key(1), &Expected::default()),
        Err(Error::TooLarge { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The parser's fuzz test: any text, and any envelope cut or spliced, is refused with an
    /// error and never a panic.
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        let _ = inspect_envelope(&text);
        let _ = decrypt_range(&text, &key(1), &Expected::default());
    }

    #[test]
    fn truncated_or_spliced_envelopes_are_errors(cut in 0usize..400, junk in "[A-Za-z0-9_.-]{0,20}") {
        let jwe = encrypt_range(&key(1), &range("Projet Orion, budget 2027", Format::Text)).unwrap();
        let cut = cut.min(jwe.len());
        let changed = format!("{}{junk}{}", &jwe[..cut], &jwe[cut..]);
        if changed != jwe {
            prop_assert!(decrypt_range(&changed, &key(1), &Expected::default()).is_err());
        }
        if cut < jwe.len() {
            prop_assert!(decrypt_range(&jwe[..cut], &key(1), &Expected::default()).is_err());
        }
    }
}
