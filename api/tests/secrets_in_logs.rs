//! Passwords and token secrets never reach the logs, even at debug level.

use std::{
    io::Read,
    net::TcpListener as StdListener,
    process::{Command, Stdio},
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::sleep,
};

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

async fn post(port: u16, body: &str, token: Option<&str>) -> String {
    let mut stream = None;
    for _ in 0..300 {
        if let Ok(connected) = TcpStream::connect(("127.0.0.1", port)).await {
            stream = Some(connected);
            break;
        }
        sleep(Duration::from_millis(100)).await;
    }
    let mut stream = stream.expect("the server listens");
    let authorization =
        token.map_or_else(String::new, |t| format!("authorization: Bearer {t}\r\n"));
    let request = format!(
        "POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n{authorization}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    response
}

fn field<'a>(response: &'a str, name: &str) -> &'a str {
    let start = response.find(&format!("\"{name}\":\"")).expect(name) + name.len() + 4;
    let end = response[start..].find('"').expect("end of value") + start;
    &response[start..end]
}

#[tokio::test]
async fn no_password_or_token_is_logged() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_quorum"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/quorum.db", dir.path().display()),
        )
        .env("QUORUM_ADDR", format!("127.0.0.1:{port}"))
        .env("QUORUM_MAIL_DIR", dir.path().join("mail"))
        .env("RUST_LOG", "debug")
        .env("QUORUM_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start quorum");

    let password = "a very secret passphrase 42";
    let signed_up = post(
        port,
        &format!(r#"{{"query":"mutation {{ signUp(input: {{ email: \"ada@example.org\", password: \"{password}\", displayName: \"Ada\" }}) {{ accessToken refreshToken }} }}"}}"#),
        None,
    )
    .await;
    let access = field(&signed_up, "accessToken").to_owned();
    let refresh = field(&signed_up, "refreshToken").to_owned();
    let created = post(
        port,
        r#"{"query":"mutation { createApiToken(input: { name: \"ci\", scopes: [SPONSORS_READ] }) { token } }"}"#,
        Some(&access),
    )
    .await;
    let api_token = field(&created, "token").to_owned();
    post(port, "{\"query\":\"{ viewer { id } }\"}", Some(&api_token)).await;
    post(
        port,
        &format!(r#"{{"query":"mutation {{ logIn(input: {{ email: \"ada@example.org\", password: \"wrong {password}\" }}) {{ accessToken }} }}"}}"#),
        None,
    )
    .await;
    post(
        port,
        &format!(r#"{{"query":"mutation {{ refreshSession(input: {{ refreshToken: \"{refresh}\" }}) {{ accessToken }} }}"}}"#),
        None,
    )
    .await;

    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("stop quorum");
    let _ = server.wait();
    let mut logs = String::new();
    if let Some(mut out) = server.stdout.take() {
        out.read_to_string(&mut logs).expect("stdout");
    }
    if let Some(mut err) = server.stderr.take() {
        err.read_to_string(&mut logs).expect("stderr");
    }
    assert!(
        logs.contains("request finished"),
        "the server logged nothing: {logs}"
    );
    for secret in [
        password,
        access.as_str(),
        refresh.as_str(),
        api_token.as_str(),
    ] {
        assert!(
            !logs.contains(secret),
            "a secret reached the logs: {secret}"
        );
    }
}
