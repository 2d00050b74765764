//! What a client can hold: a connection that sends nothing or dribbles its header is closed after
//! `--header-timeout`, a silent keep-alive connection after `--idle-timeout`, a body that does not
//! come gets 408 after `--body-timeout`; at `--max-connections` the server stops accepting until
//! one closes. Meanwhile it keeps serving everyone else.

mod common;
use common::Server;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const DEMO: &str = r#"{"PassengerId":892,"Name":"Kelly, Mr. James","Pclass":3,"Age":34.5,"SibSp":0,"Parch":0,"Fare":7.8292,"Sex":"male","Embarked":"Q"}"#;

fn connect(s: &Server) -> TcpStream {
    let c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    c
}

/// Reads until the server closes the connection: what it sent, and when it closed.
fn until_closed(mut c: TcpStream) -> (Vec<u8>, Instant) {
    let mut got = Vec::new();
    match c.read_to_end(&mut got) {
        Ok(_) => {}
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    (got, Instant::now())
}

/// One response on a keep-alive connection: its status (the body is read by its length).
fn response(c: &mut TcpStream) -> u16 {
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(c.read(&mut byte).unwrap(), 1, "closed mid-head");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |n| n.trim().parse().unwrap());
    let mut body = vec![0u8; length];
    c.read_exact(&mut body).unwrap();
    head.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn predict(keep_alive: bool) -> String {
    let connection = if keep_alive { "keep-alive" } else { "close" };
    format!(
        "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: {connection}\r\n\r\n{DEMO}",
        DEMO.len()
    )
}

fn metric(s: &Server, name: &str) -> f64 {
    let text = s.get_text("/metrics").1;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .map_or(0.0, |n| n.parse().unwrap())
}

/// `closed - since` is at least `timeout` (less a little: the server's clock started a bit
/// earlier) and not much more.
fn after(since: Instant, closed: Instant, timeout: Duration, what: &str) {
    let waited = closed - since;
    assert!(
        waited + Duration::from_millis(200) >= timeout
            && waited < timeout + Duration::from_secs(15),
        "{what}: closed after {waited:?}, timeout {timeout:?}"
    );
}

#[test]
fn silent_and_slow_clients_are_timed_out_while_others_are_served() {
    let (header, idle, body) = (
        Duration::from_secs(1),
        Duration::from_secs(3),
        Duration::from_secs(1),
    );
    let mut s = Server::start(&[
        "--header-timeout",
        "1",
        "--idle-timeout",
        "3",
        "--body-timeout",
        "1",
    ]);
    let opened = Instant::now();
    let silent = connect(&s);
    let mut dribbling = connect(&s);
    dribbling
        .write_all(b"POST /predict HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut slow_body = connect(&s);
    let cut = predict(false);
    slow_body
        .write_all(&cut.as_bytes()[..cut.len() - 20])
        .unwrap();
    let mut kept = connect(&s);
    kept.write_all(predict(true).as_bytes()).unwrap();
    assert_eq!(response(&mut kept), 200);
    let answered = Instant::now();

    let threads: Vec<_> = [silent, dribbling]
        .into_iter()
        .map(|c| std::thread::spawn(move || until_closed(c)))
        .collect();
    // Everyone else is served meanwhile, on new connections.
    while opened.elapsed() < header + Duration::from_millis(500) {
        assert_eq!(s.post("/predict", DEMO.as_bytes()).0, 200);
        std::thread::sleep(Duration::from_millis(50));
    }
    for (t, what) in threads.into_iter().zip(["silent", "dribbling header"]) {
        let (got, closed) = t.join().unwrap();
        assert!(got.is_empty(), "{what}: {}", String::from_utf8_lossy(&got));
        after(opened, closed, header, what);
    }
    // The body that never came: 408 with the envelope, then the connection is closed.
    let (got, closed) = until_closed(slow_body);
    let got = String::from_utf8_lossy(&got);
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains("--body-timeout"), "{got}");
    after(opened, closed, body, "slow body");
    // The keep-alive connection outlived the header timeout: idle, it serves another request.
    assert!(answered.elapsed() < idle);
    kept.write_all(predict(true).as_bytes()).unwrap();
    assert_eq!(response(&mut kept), 200);
    let answered = Instant::now();
    let (got, closed) = until_closed(kept);
    assert!(got.is_empty());
    after(answered, closed, idle, "idle keep-alive");

    // Counted once the server has dropped the connection (just after the client saw it close).
    let counted = Instant::now();
    while metric(&s, "titanic_http_connection_timeouts_total") < 3.0 {
        assert!(
            counted.elapsed() < Duration::from_secs(5),
            "silent, dribbling, idle"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(metric(&s, "titanic_http_connection_timeouts_total"), 3.0);
    let lines = s.beacon_lines();
    let timed_out: Vec<_> = lines.iter().filter(|l| l["status"] == 408).collect();
    assert_eq!(timed_out.len(), 1, "the slow body is in the beacon");
    let out = s.stop();
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("WARN") && !log.contains("ERROR"), "{log}");
}

#[test]
fn at_the_connection_cap_new_clients_wait_for_a_free_slot() {
    let mut s = Server::start(&["--max-connections", "2", "--header-timeout", "2"]);
    // Two silent clients take both slots (the health check that waited for the start-up is
    // closed by now).
    std::thread::sleep(Duration::from_millis(200));
    let held = Instant::now();
    let silent: Vec<_> = (0..2).map(|_| connect(&s)).collect();
    std::thread::sleep(Duration::from_millis(200));
    // The third client's request is queued by the kernel, served once a silent one is timed out.
    let mut third = connect(&s);
    third.write_all(predict(false).as_bytes()).unwrap();
    assert_eq!(response(&mut third), 200);
    let served = Instant::now();
    after(held, served, Duration::from_secs(2), "the third client");
    drop(silent);
    let out = s.stop();
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("2 connections open (--max-connections)"),
        "{log}"
    );
}

#[test]
fn a_silent_connection_does_not_hold_up_a_graceful_shutdown() {
    let mut s = Server::start(&[]);
    let silent = connect(&s);
    let mut kept = connect(&s);
    kept.write_all(predict(true).as_bytes()).unwrap();
    assert_eq!(response(&mut kept), 200);
    let stopping = Instant::now();
    let out = s.stop();
    assert!(out.status.success());
    // Far below the 10 s header timeout and the 30 s grace.
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "{:?}",
        stopping.elapsed()
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("WARN") && !log.contains("ERROR"), "{log}");
    drop((silent, kept));
}
