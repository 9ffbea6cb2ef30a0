//! The real `quorum` binary, stopped with SIGTERM while a slow request is in flight, finishes
//! that request before it exits.
//!
//! This lives beside the binary rather than in the `tests` crate because it needs the built
//! executable (`CARGO_BIN_EXE_quorum`), which cargo gives only to the binary's own package.

use std::{
    net::TcpListener as StdListener,
    process::{Command, Stdio},
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::{sleep, timeout},
};

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

async fn connect(port: u16) -> TcpStream {
    for _ in 0..300 {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)).await {
            return stream;
        }
        sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not start listening on port {port}");
}

#[tokio::test]
async fn sigterm_lets_the_in_flight_request_finish() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_quorum"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/quorum.db", dir.path().display()),
        )
        .env("QUORUM_ADDR", format!("127.0.0.1:{port}"))
        .env("QUORUM_MAIL_DIR", dir.path().join("mail"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start quorum");

    // A client that sends its request slowly: the headers and half the body, then a pause.
    let body = br#"{"query":"{ __typename }"}"#;
    let (head, tail) = body.split_at(body.len() / 2);
    let mut stream = connect(port).await;
    let request_head = format!(
        "POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(request_head.as_bytes())
        .await
        .expect("write the head");
    stream.write_all(head).await.expect("write half the body");
    stream.flush().await.expect("flush");
    sleep(Duration::from_millis(300)).await;

    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("send SIGTERM");
    assert!(killed.success());
    sleep(Duration::from_millis(300)).await;

    // The rest of the body arrives after the stop signal; the request is still answered.
    stream
        .write_all(tail)
        .await
        .expect("write the rest of the body");
    let mut response = String::new();
    timeout(
        Duration::from_secs(10),
        stream.read_to_string(&mut response),
    )
    .await
    .expect("the response in time")
    .expect("read the response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains(r#"{"data":{"__typename":"Query"}}"#),
        "{response}"
    );

    // New connections are refused once the server is stopping, and the process exits cleanly.
    let status = timeout(Duration::from_secs(10), async {
        loop {
            if let Some(status) = server.try_wait().expect("poll the server") {
                return status;
            }
            sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the server exits after the request");
    assert!(status.success(), "exit status {status}");
}
