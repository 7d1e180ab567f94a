//! The Office manifests, rendered for this deployment.
//!
//! The templates in the repository's `manifest/` folder are compiled into the binary and filled
//! in once at start with the deployment's public URL and derived add-in ids, so what an admin
//! downloads from `/manifest/...` always points at the server that served it.
//!
//! Placeholders are written `{{NAME}}`. Rendering fails on a placeholder it does not know, so a
//! template change cannot ship a manifest with a literal `{{...}}` in it.

use crate::config::PublicUrl;

/// The product name shown in Office.
pub const PRODUCT_NAME: &str = "Textguard";

const WORD_TEMPLATE: &str = include_str!("../../manifest/word.xml");
const OUTLOOK_TEMPLATE: &str = include_str!("../../manifest/outlook.xml");
const UNIFIED_TEMPLATE: &str = include_str!("../../manifest/manifest.json");

/// A manifest template that cannot be rendered (a bug in the template, caught by tests).
#[derive(Debug, thiserror::Error)]
#[error("manifest template {template}: {problem}")]
pub struct ManifestError {
    template: &'static str,
    problem: String,
}

/// Where the Outlook event handler is served for the event runtime's HTML page (Outlook on the
/// web, new Outlook, Mac): one ES2016 file that fetches its scanner.
pub const EVENT_HANDLER_PATH: &str = "/launchevent.js";

/// Where the Outlook event handler is served for classic Outlook's JavaScript-only runtime: the
/// same handler with the wasm2js scanner in the one file, so that it needs neither WebAssembly
/// nor code made from strings. The manifest's JavaScript override and the well-known list of
/// allowed scripts name it.
pub const CLASSIC_EVENT_HANDLER_PATH: &str = "/launchevent-classic.js";

/// The manifests of one deployment, rendered.
#[derive(Debug, Clone)]
pub struct Manifests {
    /// `/manifest/word.xml`: the Word task pane add-in.
    pub word_xml: String,
    /// `/manifest/outlook.xml`: the Outlook mail add-in.
    pub outlook_xml: String,
    /// `/manifest/manifest.json`: the Word add-in as a unified Microsoft 365 app manifest.
    pub unified_json: String,
}

/// The paths the manifests are served at, relative to the public URL.
pub const PATHS: &[&str] = &[
    "/manifest/word.xml",
    "/manifest/outlook.xml",
    "/manifest/manifest.json",
];

impl Manifests {
    /// Renders every manifest for the deployment at `public_url`, with single sign-on for the
    /// Entra application `client_id` when there is one.
    pub fn render(
        public_url: &PublicUrl,
        client_id: Option<&str>,
    ) -> Result<Manifests, ManifestError> {
        Ok(Manifests {
            word_xml: render_xml("word.xml", WORD_TEMPLATE, public_url, client_id)?,
            outlook_xml: render_xml("outlook.xml", OUTLOOK_TEMPLATE, public_url, client_id)?,
            unified_json: render_json("manifest.json", UNIFIED_TEMPLATE, public_url, client_id)?,
        })
    }
}

/// The add-in id of one manifest: a name-based UUID (v5) of the manifest's URL.
///
/// Office identifies an add-in by this id. Deriving it from the URL gives every deployment (a
/// test server and the production one, say) its own stable id, so both can be installed in one
/// tenant without clashing, and a restart never changes it.
pub fn addin_id(public_url: &PublicUrl, manifest: &str) -> String {
    let name = format!("{}/manifest/{manifest}", public_url.as_str());
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
}

/// The manifest `<Version>`: Office wants four numbers, the crate has three.
fn manifest_version() -> String {
    format!("{}.0", addin_wasm::VERSION)
}

/// Keeps or drops the blocks between `<!--IF name-->` and `<!--END IF name-->` (markers
/// included), by whether `keep`.
fn conditional(
    template_name: &'static str,
    template: &str,
    name: &str,
    keep: bool,
) -> Result<String, ManifestError> {
    let (open, close) = (format!("<!--IF {name}-->"), format!("<!--END IF {name}-->"));
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find(&open) {
        out.push_str(&rest[..start]);
        let inside = &rest[start + open.len()..];
        let end = inside.find(&close).ok_or_else(|| ManifestError {
            template: template_name,
            problem: format!("{open} is never closed by {close}"),
        })?;
        if keep {
            out.push_str(&inside[..end]);
        }
        rest = &inside[end + close.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

fn render_xml(
    template_name: &'static str,
    template: &str,
    public_url: &PublicUrl,
    client_id: Option<&str>,
) -> Result<String, ManifestError> {
    let template = conditional(template_name, template, "CLIENT_ID", client_id.is_some())?;
    fill(template_name, &template, public_url, client_id, xml_escape)
}

/// Renders a JSON template: the placeholders in its strings are filled in, and without a client
/// id its `webApplicationInfo` (single sign-on) is left out.
fn render_json(
    template_name: &'static str,
    template: &str,
    public_url: &PublicUrl,
    client_id: Option<&str>,
) -> Result<String, ManifestError> {
    let problem = |problem: String| ManifestError {
        template: template_name,
        problem,
    };
    let mut value: serde_json::Value =
        serde_json::from_str(template).map_err(|e| problem(format!("not JSON: {e}")))?;
    if client_id.is_none() {
        if let Some(object) = value.as_object_mut() {
            object.remove("webApplicationInfo");
        }
    }
    fill_json(template_name, &mut value, public_url, client_id)?;
    serde_json::to_string_pretty(&value).map_err(|e| problem(e.to_string()))
}

fn fill_json(
    template_name: &'static str,
    value: &mut serde_json::Value,
    public_url: &PublicUrl,
    client_id: Option<&str>,
) -> Result<(), ManifestError> {
    match value {
        serde_json::Value::String(s) => {
            *s = fill(template_name, s, public_url, client_id, str::to_owned)?;
        }
        serde_json::Value::Array(items) => {
            for item in items {
                fill_json(template_name, item, public_url, client_id)?;
            }
        }
        serde_json::Value::Object(fields) => {
            for item in fields.values_mut() {
                fill_json(template_name, item, public_url, client_id)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Replaces each `{{NAME}}` of `template` with its value, passed through `escape`.
fn fill(
    template_name: &'static str,
    template: &str,
    public_url: &PublicUrl,
    client_id: Option<&str>,
    escape: fn(&str) -> String,
) -> Result<String, ManifestError> {
    let value = |name: &str| -> Option<String> {
        Some(match name {
            "PUBLIC_URL" => public_url.as_str().to_owned(),
            "CLIENT_ID" => client_id?.to_owned(),
            "APP_ID_URI" => public_url.app_id_uri(client_id?),
            "WORD_ADDIN_ID" => addin_id(public_url, "word.xml"),
            "OUTLOOK_ADDIN_ID" => addin_id(public_url, "outlook.xml"),
            "MANIFEST_VERSION" => manifest_version(),
            "APP_VERSION" => addin_wasm::VERSION.to_owned(),
            "PRODUCT_NAME" | "PROVIDER_NAME" => PRODUCT_NAME.to_owned(),
            _ => return None,
        })
    };
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or_else(|| ManifestError {
            template: template_name,
            problem: "a {{ is never closed".into(),
        })?;
        let name = &after[..close];
        let v = value(name).ok_or_else(|| ManifestError {
            template: template_name,
            problem: format!("unknown placeholder {{{{{name}}}}}"),
        })?;
        out.push_str(&escape(&v));
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn xml_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn public_url(url: &str) -> PublicUrl {
        Config::from_vars([("ADDIN_PUBLIC_URL".to_owned(), url.to_owned())])
            .unwrap()
            .public_url
    }

    /// Every manifest is well-formed XML, and every URL in it points at the public origin.
    #[test]
    fn rendered_manifests_are_well_formed_and_point_home() {
        let url = public_url("https://addin.example.com:8443");
        let m = Manifests::render(&url, None).unwrap();
        let sso = Manifests::render(&url, Some("6c1f2a9e-5b0d-4e3f-8a7b-9c8d7e6f5a4b")).unwrap();
        for xml in [&m.word_xml, &m.outlook_xml, &sso.word_xml, &sso.outlook_xml] {
            assert!(!xml.contains("{{"), "placeholder left in {xml}");
            let mut reader = quick_xml::Reader::from_str(xml);
            let mut urls = 0;
            loop {
                match reader.read_event().unwrap() {
                    quick_xml::events::Event::Eof => break,
                    quick_xml::events::Event::Empty(e) | quick_xml::events::Event::Start(e) => {
                        for a in e.attributes() {
                            let v = a.unwrap().unescape_value().unwrap().into_owned();
                            if v.starts_with("http")
                                && !v.starts_with("http://schemas.microsoft.com")
                                && !v.starts_with("http://www.w3.org")
                            {
                                assert!(v.starts_with("https://addin.example.com:8443/"), "{v}");
                                urls += 1;
                            }
                        }
                    }
                    _ => {}
                }
            }
            assert!(
                urls >= 4,
                "expected icon, support and source URLs, found {urls}"
            );
        }
        let version = format!("<Version>{}.0</Version>", addin_wasm::VERSION);
        assert!(m.word_xml.contains(&version) && m.outlook_xml.contains(&version));
    }

    #[test]
    fn the_unified_manifest_is_json_pointing_home_with_sso_only_with_a_client_id() {
        let url = public_url("https://addin.example.com:8443");
        let id = "6c1f2a9e-5b0d-4e3f-8a7b-9c8d7e6f5a4b";
        let with: serde_json::Value =
            serde_json::from_str(&Manifests::render(&url, Some(id)).unwrap().unified_json).unwrap();
        assert_eq!(with["id"], addin_id(&url, "word.xml"));
        assert_eq!(with["version"], addin_wasm::VERSION);
        assert_eq!(with["webApplicationInfo"]["id"], id);
        assert_eq!(
            with["webApplicationInfo"]["resource"],
            format!("api://addin.example.com:8443/{id}")
        );
        assert_eq!(
            with["extensions"][0]["runtimes"][0]["code"]["page"],
            "https://addin.example.com:8443/taskpane.html"
        );
        let without: serde_json::Value =
            serde_json::from_str(&Manifests::render(&url, None).unwrap().unified_json).unwrap();
        assert!(without.get("webApplicationInfo").is_none());
        assert!(!without.to_string().contains("{{"));
    }

    #[test]
    fn ids_are_stable_per_deployment_and_distinct_per_manifest() {
        let a = public_url("https://a.example.com");
        let b = public_url("https://b.example.com");
        assert_eq!(addin_id(&a, "word.xml"), addin_id(&a, "word.xml"));
        assert_ne!(addin_id(&a, "word.xml"), addin_id(&b, "word.xml"));
        assert_ne!(addin_id(&a, "word.xml"), addin_id(&a, "outlook.xml"));
        let m = Manifests::render(&a, None).unwrap();
        assert!(m
            .word_xml
            .contains(&format!("<Id>{}</Id>", addin_id(&a, "word.xml"))));
    }

    #[test]
    fn values_are_escaped_and_unknown_placeholders_refused() {
        let url = public_url("https://a.example.com/x&y");
        let out = render_xml("t", "<A v=\"{{PUBLIC_URL}}\"/>", &url, None).unwrap();
        assert_eq!(out, "<A v=\"https://a.example.com/x&amp;y\"/>");
        let err = render_xml("t", "{{NOPE}}", &url, None)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "manifest template t: unknown placeholder {{NOPE}}");
        assert!(render_xml("t", "{{PUBLIC_URL", &url, None).is_err());
        // The client id is only available inside its conditional block.
        assert!(render_xml("t", "{{CLIENT_ID}}", &url, None).is_err());
        assert!(render_xml("t", "<!--IF CLIENT_ID-->x", &url, Some("c")).is_err());
    }

    #[test]
    fn single_sign_on_is_rendered_only_with_a_client_id() {
        let url = public_url("https://addin.example.com");
        let id = "6c1f2a9e-5b0d-4e3f-8a7b-9c8d7e6f5a4b";
        let with = Manifests::render(&url, Some(id)).unwrap();
        assert!(with.word_xml.contains(&format!(
            "<WebApplicationInfo>\n      <Id>{id}</Id>\n      <Resource>api://addin.example.com/{id}</Resource>"
        )));
        assert!(!with.word_xml.contains("<!--IF"));
        let without = Manifests::render(&url, None).unwrap();
        assert!(!without.word_xml.contains("<WebApplicationInfo>"));
        assert!(without.word_xml.contains("</VersionOverrides>"));
    }
}
