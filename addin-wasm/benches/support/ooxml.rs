//! The envelope benchmark's input: twenty paragraphs of the OOXML Word's `getOoxml()` returns
//! for a selection (a package with its relationships and styles parts, then the paragraphs),
//! with varied French and English text, runs in bold and italics, and a table cell.

#![allow(dead_code)]

use addin_wasm::envelope::{Format, Range};

/// `content` as the OOXML range the benchmarks encrypt.
pub(crate) fn range(content: &str) -> Range<'_> {
    Range {
        key_id: "k1",
        doc_id: "doc",
        range_id: "r1",
        content,
        format: Format::Ooxml,
    }
}

/// Twenty paragraphs of typical Word OOXML.
pub(crate) fn twenty_paragraphs() -> String {
    const SENTENCES: [&str; 5] = [
        "Le budget prévisionnel 2027 du projet Orion s'élève à 4 500 000 €, hors frais de déplacement.",
        "The board approved the acquisition of Vexmir Ltd subject to the due diligence report.",
        "Les salaires de l'équipe de direction seront revus au premier trimestre, à l'exception du comité.",
        "Customer churn rose to 7.4% in Q3; the mitigation plan is attached for legal review.",
        "Merci de ne pas transférer ce document en dehors de la direction financière.",
    ];
    let mut body = String::new();
    for i in 0..20 {
        let text = SENTENCES[i % SENTENCES.len()];
        let (first, rest) = text.split_at(text.find(' ').unwrap_or(0));
        body.push_str(&format!(
            r#"<w:p w14:paraId="{i:08X}" w14:textId="77777777" w:rsidR="00A1{i:04}" w:rsidRDefault="00A1{i:04}"><w:pPr><w:pStyle w:val="Normal"/><w:spacing w:after="160" w:line="259" w:lineRule="auto"/><w:jc w:val="both"/><w:rPr><w:lang w:val="fr-FR"/></w:rPr></w:pPr><w:r w:rsidRPr="00B2{i:04}"><w:rPr><w:b/><w:bCs/><w:lang w:val="fr-FR"/></w:rPr><w:t>{first}</w:t></w:r><w:r><w:rPr><w:i/><w:lang w:val="fr-FR"/></w:rPr><w:t xml:space="preserve">{rest} ({i})</w:t></w:r></w:p>"#
        ));
    }
    format!(
        r#"<pkg:package xmlns:pkg="http://schemas.microsoft.com/office/2006/xmlPackage"><pkg:part pkg:name="/_rels/.rels" pkg:contentType="application/vnd.openxmlformats-package.relationships+xml"><pkg:xmlData><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships></pkg:xmlData></pkg:part><pkg:part pkg:name="/word/document.xml" pkg:contentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"><pkg:xmlData><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417"/></w:sectPr></w:body></w:document></pkg:xmlData></pkg:part></pkg:package>"#
    )
}
