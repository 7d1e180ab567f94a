//! Black-box tests of the `addin-server` binary: what an operator sees when a setting is wrong.

use std::process::Command;

/// Runs the binary with only the given ADDIN_* variables and returns (exit code, stderr).
fn run(vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let data = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_addin-server"));
    cmd.env_clear()
        .env("ADDIN_DATA_DIR", data.path())
        .env("ADDIN_LISTEN", "127.0.0.1:0")
        .args(["serve", "--assets-dir", "/nonexistent"]);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_wrong_setting_stops_the_server_with_one_line_and_exit_code_2() {
    let cases: &[(&str, &str, &str)] = &[
        ("ADDIN_LISTEN", "localhost:http", "ip:port"),
        ("ADDIN_TLS_CERT", "/nonexistent/cert.pem", "cannot be read"),
        ("ADDIN_PUBLIC_URL", "http://addin.example.com", "https://"),
        ("ADDIN_INSECURE_HTTP", "perhaps", "true or false"),
    ];
    for (name, value, hint) in cases {
        let mut vars = vec![(*name, *value)];
        if *name == "ADDIN_TLS_CERT" {
            vars.push(("ADDIN_TLS_KEY", "/nonexistent/key.pem"));
        }
        let (code, stderr) = run(&vars);
        assert_eq!(code, Some(2), "{name}={value}: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "{name}={value}: expected one line, got {stderr:?}"
        );
        assert!(
            lines[0].starts_with(&format!("addin-server: {name}=")),
            "{stderr}"
        );
        assert!(lines[0].contains(hint), "{stderr}");
    }
}

#[test]
fn a_tls_file_that_is_not_pem_is_a_setting_error() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("cert.pem");
    std::fs::write(&junk, "hello").unwrap();
    let junk = junk.to_str().unwrap();
    let (code, stderr) = run(&[("ADDIN_TLS_CERT", junk), ("ADDIN_TLS_KEY", junk)]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("addin-server: ADDIN_TLS_CERT="),
        "{stderr}"
    );
}

#[test]
fn a_port_in_use_names_the_listen_setting() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, stderr) = run(&[("ADDIN_LISTEN", &addr)]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("ADDIN_LISTEN=\"{addr}\": cannot be bound")),
        "{stderr}"
    );
}

/// Runs `addin-server scan` with `args` and returns (exit code, stdout, stderr).
fn scan(args: &[&str]) -> (Option<i32>, String, String) {
    outcome(
        Command::new(env!("CARGO_BIN_EXE_addin-server"))
            .arg("scan")
            .args(args),
    )
}

/// Runs `command`: (exit code, stdout, stderr).
fn outcome(command: &mut Command) -> (Option<i32>, String, String) {
    let out = command.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn scan_prints_what_the_clients_would_find() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail.txt");
    std::fs::write(
        &mail,
        "Bonjour,\n😀 le PROJET Orión avance.\ncarte 4970 1012 3456 7893\n",
    )
    .unwrap();
    let dictionary = dir.path().join("dictionary.json");
    std::fs::write(
        &dictionary,
        r#"{ "version": 1,
             "categories": [ { "id": "projects", "label": { "en": "Projects" }, "severity": "block" } ],
             "entries": [ { "id": "orion", "pattern": "projet orion", "kind": "phrase", "category": "projects" } ] }"#,
    )
    .unwrap();
    let (code, out, err) = scan(&[
        mail.to_str().unwrap(),
        "--dictionary",
        dictionary.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "verdict: block\n\
         category projects (Projects): 1 finding, threshold 1, reached\n\
         2:6\tblock\thigh\tprojects\tentry orion\t\"PROJET Orión\"\n"
    );

    // Without a dictionary: the starter one, whose detectors find the card. JSON keeps the
    // clients' UTF-16 offsets.
    let (code, out, _) = scan(&[mail.to_str().unwrap(), "--json"]);
    assert_eq!(code, Some(0));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["verdict"], "warn");
    assert_eq!(report["findings"][0]["detector"], "payment_card");
    assert_eq!(report["findings"][0]["start"], 42); // 9 + 27 (the emoji is two) + 6
}

#[test]
fn scan_explains_a_bad_dictionary_or_file_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail.txt");
    std::fs::write(&mail, "text").unwrap();
    let dictionary = dir.path().join("bad.json");
    std::fs::write(&dictionary, r#"{ "version": 1, "entries": [ { "id": "a", "pattern": "(", "kind": "regex", "category": "x" } ] }"#).unwrap();
    let (code, out, err) = scan(&[
        mail.to_str().unwrap(),
        "--dictionary",
        dictionary.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2));
    assert!(out.is_empty());
    assert!(err.contains("invalid dictionary: 2 problems"), "{err}");
    assert!(
        err.contains("entries[0] (id \"a\"): invalid regex"),
        "{err}"
    );

    std::fs::write(&mail, [0xff, 0xfe, b'a']).unwrap();
    let (code, _, err) = scan(&[mail.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("is not UTF-8 text; convert it first"), "{err}");
}

/// Runs an admin subcommand on the data directory `data` with `vars`: (exit code, stdout, stderr).
fn admin_command(
    data: &std::path::Path,
    vars: &[(&str, &str)],
    args: &[&str],
) -> (Option<i32>, String, String) {
    outcome(
        Command::new(env!("CARGO_BIN_EXE_addin-server"))
            .env_clear()
            .env("ADDIN_DATA_DIR", data)
            .envs(vars.iter().copied())
            .args(args),
    )
}

#[test]
fn migrate_keys_status_and_audit_verify_work_on_a_fresh_data_directory() {
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let (code, out, _) = admin_command(data.path(), &[], args);
        (code, out)
    };
    let (code, out) = run(&["migrate"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("SQLite database is up to date (8 migrations)"),
        "{out}"
    );
    assert!(out.contains("0003 key broker"), "{out}");
    assert!(out.contains("0008 passcodes"), "{out}");
    let (code, out) = run(&["keys", "status"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("v1: 0 keys (current: wraps new keys)"),
        "{out}"
    );
    let (code, out) = run(&["audit", "verify"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("intact: 0 records"), "{out}");
    let (code, _) = run(&["keys", "retire-master", "1"]);
    assert_eq!(code, Some(2));
}

#[test]
fn dictionary_import_and_export_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let tenant = "7d3a2f1c-0b4e-4c8a-9f10-2a6b5c4d3e21";
    let run =
        |args: &[&str]| admin_command(data.path(), &[("ADDIN_ALLOWED_TENANTS", tenant)], args);
    // Before any import: the starter dictionary.
    let (code, out, err) = run(&["dictionary", "export"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("\"payment_card\""), "{out}");

    let csv = data.path().join("entries.csv");
    std::fs::write(
        &csv,
        "id,pattern,kind,category\norion,projet orion,phrase,confidential\nbad,x,sometimes,confidential\n",
    )
    .unwrap();
    let (code, _, err) = run(&["dictionary", "import", csv.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("nothing was published"), "{err}");
    assert!(err.contains("line 3"), "{err}");

    std::fs::write(
        &csv,
        "id,pattern,kind,category\norion,projet orion,phrase,confidential\n",
    )
    .unwrap();
    let (code, out, err) = run(&["dictionary", "import", csv.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with("Published version 1 of the dictionary of organisation"),
        "{out}"
    );
    let (code, out, _) = run(&["dictionary", "export", "--csv"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        out,
        "id,pattern,kind,category,severity,caseSensitive\norion,projet orion,phrase,confidential,,false\n"
    );
    let (_, out, _) = run(&["audit", "verify"]);
    assert!(out.contains("intact: 1 records"), "{out}");

    // A signed checkpoint of that head, then verification against it; an edited one is refused.
    let (code, checkpoint, err) = run(&["audit", "checkpoint"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        checkpoint.contains("\"format\": \"textguard audit checkpoint v1\""),
        "{checkpoint}"
    );
    let file = data.path().join("checkpoint.json");
    std::fs::write(&file, &checkpoint).unwrap();
    let (code, out, err) = run(&["audit", "verify", "--checkpoint", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Checkpoint: record 1 taken at"), "{out}");
    std::fs::write(&file, checkpoint.replace("\"seq\": 1", "\"seq\": 0")).unwrap();
    let (code, _, err) = run(&["audit", "verify", "--checkpoint", file.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("the file was altered"), "{err}");
}
