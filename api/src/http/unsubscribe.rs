//! `/unsubscribe`: one-click unsubscribe from non-essential mail (RFC 8058). A mail client POSTs
//! `List-Unsubscribe=One-Click` to the link in `List-Unsubscribe`, and the account the signed
//! token names is opted out. A person who opens the link gets a small page whose button posts;
//! `GET` itself changes nothing, so that mail scanners that follow links unsubscribe no one.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    web::{Data, Html, Query},
};
use serde::Deserialize;

use crate::{
    db,
    notifications::{preferences, unsubscribe},
    state::AppState,
};

/// The link's query string.
#[derive(Debug, Deserialize)]
pub struct Link {
    token: Option<String>,
}

fn page(status: StatusCode, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>Email preferences</title>\
         </head><body>{body}</body></html>"
    );
    Html(html).with_status(status).into_response()
}

fn invalid() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "<p>This unsubscribe link is not valid. You can change which mail you receive in your \
         account settings.</p>",
    )
}

/// `GET /unsubscribe?token=…`: a confirmation page whose button posts the opt-out.
#[handler]
pub async fn confirm(state: Data<&AppState>, Query(link): Query<Link>) -> Response {
    let Some(token) = link.token else {
        return invalid();
    };
    // Only a token this server signed is echoed back, and its characters are all URL-safe.
    let Some(checked) = unsubscribe::verify(&state.secrets, &token) else {
        return invalid();
    };
    match preferences::link_holds(&state.db, &checked).await {
        Ok(true) => {}
        Ok(false) => return outdated(),
        Err(err) => return failed(&err),
    }
    page(
        StatusCode::OK,
        &format!(
            "<p>Stop receiving reminders (renewal, grace period and expiry notices)? Security and \
             governance mail is always sent.</p>\
             <form method=\"post\" action=\"?token={token}\">\
             <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
             <button type=\"submit\">Unsubscribe</button></form>"
        ),
    )
}

/// `POST /unsubscribe?token=…` (body `List-Unsubscribe=One-Click`): opts the account out of
/// non-essential mail. Doing it twice is harmless.
#[handler]
pub async fn perform(state: Data<&AppState>, Query(link): Query<Link>) -> Response {
    let Some(checked) = link
        .token
        .as_deref()
        .and_then(|token| unsubscribe::verify(&state.secrets, token))
    else {
        return invalid();
    };
    let done = async {
        let tx = db::begin_write(&state.db).await?;
        let done = preferences::unsubscribe(&tx, &checked).await?;
        tx.commit().await?;
        Ok::<_, crate::error::ApiError>(done)
    };
    match done.await {
        Ok(true) => page(
            StatusCode::OK,
            "<p>You are unsubscribed from reminders. Security and governance mail is still sent.</p>",
        ),
        Ok(false) => outdated(),
        Err(err) => failed(&err),
    }
}

/// A link sent before the account last changed its choice: it asked for reminders since.
fn outdated() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "<p>This unsubscribe link was sent before you last changed which mail you receive, so it \
         no longer applies. Use the link in a newer message, or change your choice in your \
         account settings.</p>",
    )
}

fn failed(err: &crate::error::ApiError) -> Response {
    tracing::error!(error = %err, "one-click unsubscribe failed");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "<p>Something went wrong; please try again later.</p>",
    )
}
