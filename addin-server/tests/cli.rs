//! Black-box tests of the `addin-server` binary: what an operator sees when a setting is wrong.
#![allow(clippy::unwrap_used)] // helpers of a test binary: a failure here is a failed test

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
