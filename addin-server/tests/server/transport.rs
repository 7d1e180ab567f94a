//! Slow and idle clients against the real server binary: a thousand silent sockets do not stop
//! `/healthz` and are closed after the idle time, trickled headers are cut at the head timeout,
//! the connection pool refuses the connection beyond its size, and a connection that finished
//! its TLS handshake and then stays silent is closed as well.

use crate::support;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The idle timeout the servers of this test run with (also their head timeout).
const IDLE_SECS: u64 = 2;
/// How much later than its timeout a close may be seen on a loaded machine.
const SLACK: Duration = Duration::from_secs(3);

struct Server {
    child: Child,
    addr: SocketAddr,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(tls: bool, extra: &[(&str, &str)]) -> Server {
    let data = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_addin-server"));
    cmd.args(["serve", "--assets-dir", "/nonexistent"])
        .env_clear()
        .env("RUST_LOG", "error")
        .env("ADDIN_LISTEN", "127.0.0.1:0")
        .env("ADDIN_DATA_DIR", data.path())
        .env("ADDIN_IDLE_TIMEOUT", IDLE_SECS.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if !tls {
        cmd.env("ADDIN_INSECURE_HTTP", "true");
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.trim().strip_prefix("Listening on") {
            let addr = rest.split_whitespace().next().unwrap().parse().unwrap();
            std::thread::spawn(move || lines.for_each(drop));
            return Server {
                child,
                addr,
                _data: data,
            };
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server exited before listening");
}

/// Raises this process's open-file limit (the sockets of the test are files too).
fn raise_file_limit(at_least: u64) {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    let hard = limit.maximum.unwrap_or(u64::MAX);
    assert!(
        hard >= at_least,
        "the hard open-file limit is {hard}; this test needs {at_least}"
    );
    limit.current = Some(hard);
    setrlimit(Resource::Nofile, limit).unwrap();
}

/// A plain HTTP/1.1 request on a new connection; the status line's code.
fn healthz(addr: SocketAddr) -> std::io::Result<u16> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidData, "no status line"))
}

/// Whether the server has closed `s` (end of stream or reset), without waiting.
fn closed(s: &TcpStream) -> bool {
    s.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let answer = { s }.read(&mut byte);
    s.set_nonblocking(false).unwrap();
    match answer {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != ErrorKind::WouldBlock,
    }
}

/// Waits until the server closes `s`, up to `limit`; how long that took.
fn time_to_close(s: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    s.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return None
            }
            Err(_) => return Some(start.elapsed()),
        }
    }
}

#[test]
fn a_thousand_idle_sockets_leave_healthz_answering_and_are_closed_after_the_idle_time() {
    let _alone = support::sockets_alone();
    raise_file_limit(4096);
    let server = start(false, &[]);
    let idle: Vec<TcpStream> = (0..1000)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    let asked = Instant::now();
    assert_eq!(healthz(server.addr).unwrap(), 200);
    let took = asked.elapsed();
    // Not a speed goal (the machine may be busy): before the connection guard, /healthz was
    // not answered at all beside these sockets; a bound well above any busy machine's delay
    // tells the two apart.
    assert!(
        took < Duration::from_secs(10),
        "/healthz took {took:?} beside 1,000 idle sockets"
    );
    println!("/healthz beside 1,000 idle sockets: {took:?}");

    std::thread::sleep(Duration::from_secs(IDLE_SECS) + SLACK);
    let open = idle.iter().filter(|s| !closed(s)).count();
    assert_eq!(
        open, 0,
        "{open} of 1,000 idle sockets still open after the idle time"
    );
    assert_eq!(healthz(server.addr).unwrap(), 200);
}

#[test]
fn trickled_headers_are_cut_at_the_head_timeout() {
    let _alone = support::sockets_alone();
    let server = start(false, &[]);
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .unwrap();
    // One byte every 300 ms keeps the idle timer happy; only the head timeout can end this.
    let start = Instant::now();
    let mut cut = None;
    while start.elapsed() < Duration::from_secs(IDLE_SECS) + SLACK {
        if s.write_all(b"a").is_err() || closed(&s) {
            cut = Some(start.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let cut = cut.expect("a trickled request head was kept open past the head timeout");
    println!("trickled head cut after {cut:?}");
}

#[test]
fn the_connection_beyond_the_pool_is_closed_and_a_freed_slot_is_reused() {
    let _alone = support::sockets_alone();
    let server = start(false, &[("ADDIN_MAX_CONNECTIONS", "20")]);
    let mut held: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    // The listener accepts in order: give it time to hand out all twenty slots.
    std::thread::sleep(Duration::from_millis(300));
    let mut beyond = TcpStream::connect(server.addr).unwrap();
    let refused = time_to_close(&mut beyond, Duration::from_secs(IDLE_SECS) / 2);
    assert!(
        refused.is_some(),
        "the 21st connection was kept open with a pool of 20"
    );
    held.truncate(10);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(healthz(server.addr).unwrap(), 200);
    assert!(held.iter().all(|s| !closed(s)), "held slots stay open");
}

#[test]
fn a_silent_connection_after_the_tls_handshake_is_closed() {
    let _alone = support::sockets_alone();
    let server = start(true, &[]);
    // openssl completes the handshake, then sends nothing while its input stays open.
    let mut client = Command::new("openssl")
        .args(["s_client", "-quiet", "-connect", &server.addr.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl is installed by scripts/setup.sh");
    let _input = client.stdin.take();
    let started = Instant::now();
    let exited = loop {
        if let Some(status) = client.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(IDLE_SECS) + SLACK {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    if exited.is_none() {
        let _ = client.kill();
    }
    let _ = client.wait();
    client
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        exited.is_some(),
        "a silent TLS connection stayed open past the idle time"
    );
    assert!(
        err.contains("verify") || err.contains("depth"),
        "the handshake did not complete: {err}"
    );
    println!("silent TLS connection closed after {:?}", started.elapsed());
}
