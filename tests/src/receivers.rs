//! Real receivers on loopback ports for the notification tests: an HTTP endpoint that records
//! webhooks (and can fail or hang on purpose), and a minimal SMTP server that records mail.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use poem::{
    EndpointExt, Request, Response, Route,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
    post,
    web::{Data, Path},
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener as TokioListener,
};

/// One webhook request as the receiver saw it.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Received {
    pub fn webhook_id(&self) -> String {
        self.header("webhook-id")
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    /// Whether the Standard Webhooks verifier accepts it with `secret`.
    pub fn verifies_with(&self, secret: &str) -> bool {
        standardwebhooks::Webhook::new(secret)
            .expect("a whsec_ secret")
            .verify(self.body.as_bytes(), &self.headers)
            .is_ok()
    }
}

#[derive(Default)]
struct Behaviour {
    got: Mutex<Vec<Received>>,
    fail_first: AtomicUsize,
    hang_first: AtomicUsize,
}

/// An HTTP receiver of webhooks at `http://127.0.0.1:<port>/hook`.
#[derive(Clone)]
pub struct WebhookReceiver {
    pub addr: SocketAddr,
    state: Arc<Behaviour>,
}

#[poem::handler]
async fn hook(req: &Request, body: String, state: Data<&Arc<Behaviour>>) -> Response {
    let received = Received {
        headers: req.headers().clone(),
        body,
    };
    state.got.lock().expect("the receiver's log").push(received);
    let take = |counter: &AtomicUsize| {
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    };
    if take(&state.hang_first) {
        std::future::pending::<()>().await;
    }
    if take(&state.fail_first) {
        return StatusCode::SERVICE_UNAVAILABLE.into();
    }
    StatusCode::NO_CONTENT.into()
}

#[poem::handler]
fn other(_path: Path<String>) -> StatusCode {
    StatusCode::NOT_FOUND
}

impl WebhookReceiver {
    /// Starts a receiver that answers 204 to everything.
    pub async fn start() -> Self {
        let state = Arc::new(Behaviour::default());
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind a port");
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|addr| addr.as_socket_addr().copied())
            .expect("a socket address");
        let app = Route::new()
            .at("/hook", post(hook))
            .at("/:other", other)
            .data(state.clone());
        tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
        Self { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Answers 503 to the next `n` requests.
    pub fn fail_next(&self, n: usize) {
        self.state.fail_first.store(n, Ordering::SeqCst);
    }

    /// Never answers the next `n` requests.
    pub fn hang_next(&self, n: usize) {
        self.state.hang_first.store(n, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.got.lock().expect("the receiver's log").clone()
    }

    /// Waits until at least `n` requests came, or fails the test after `within`.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {n} webhook requests within {within:?}, got {}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// One message as the SMTP server received it.
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent, headers unfolded.
    pub data: String,
}

impl Mail {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.data.split_once("\r\n\r\n")?;
        head.split("\r\n").find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    pub fn body(&self) -> String {
        self.data
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.replace("=\r\n", "").replace("\r\n", "\n"))
            .unwrap_or_default()
    }
}

/// A minimal SMTP server on a loopback port: enough of RFC 5321 for a client to send.
#[derive(Clone)]
pub struct SmtpReceiver {
    pub addr: SocketAddr,
    got: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpReceiver {
    pub async fn start() -> Self {
        let listener = TokioListener::bind("127.0.0.1:0").await.expect("bind SMTP");
        let addr = listener.local_addr().expect("an address");
        let got = Arc::new(Mutex::new(Vec::new()));
        let log = got.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, log.clone()));
            }
        });
        Self { addr, got }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn received(&self) -> Vec<Mail> {
        self.got.lock().expect("the mail log").clone()
    }

    /// Waits until a message for which `wanted` holds arrived; returns every such message.
    pub async fn wait_for(&self, within: Duration, wanted: impl Fn(&Mail) -> bool) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let found: Vec<Mail> = self.received().into_iter().filter(&wanted).collect();
            if !found.is_empty() {
                return found;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the expected mail did not arrive within {within:?}; got {:#?}",
                self.received()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn session(socket: tokio::net::TcpStream, log: Arc<Mutex<Vec<Mail>>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let reply = |text: &str| format!("{text}\r\n");
    if write
        .write_all(reply("220 localhost ESMTP test").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") {
            "250-localhost\r\n250 8BITMIME".to_owned()
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            "250 OK".to_owned()
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            "250 OK".to_owned()
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().to_owned();
            "250 OK".to_owned()
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().trim_matches(['<', '>']).to_owned());
            "250 OK".to_owned()
        } else if upper == "DATA" {
            if write
                .write_all(reply("354 go ahead").as_bytes())
                .await
                .is_err()
            {
                return;
            }
            let mut data = String::new();
            loop {
                line.clear();
                match lines.read_line(&mut line).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let data = data.replace("\r\n ", " ").replace("\r\n\t", " ");
            log.lock().expect("the mail log").push(Mail {
                from: std::mem::take(&mut from),
                to: std::mem::take(&mut to),
                data,
            });
            "250 OK queued".to_owned()
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(reply("221 bye").as_bytes()).await;
            return;
        } else {
            "502 not implemented".to_owned()
        };
        if write.write_all(reply(&answer).as_bytes()).await.is_err() {
            return;
        }
    }
}
