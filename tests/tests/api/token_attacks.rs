//! Every credential that is not a live one is UNAUTHENTICATED, never treated as anonymous.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use poem::http::StatusCode;
use serde_json::{Value, json};
use tests::{TestApp, factories::a_person};

const VIEWER: &str = "{ viewer { id } }";

async fn refused(app: &TestApp, authorization: &str) {
    let response = tests::Gql::read(
        app.client
            .post("/graphql")
            .content_type("application/json")
            .header("authorization", authorization)
            .body_json(&json!({ "query": VIEWER }))
            .send()
            .await,
    )
    .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{authorization}");
    assert_eq!(response.error_code(), "UNAUTHENTICATED", "{authorization}");
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("json")
}

fn sign(app: &TestApp, claims: &Value, typ: &str) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some(typ.to_owned());
    encode(&header, claims, &app.state.keys.encoding).expect("sign")
}

#[tokio::test]
async fn garbage_and_malformed_bearers_are_refused() {
    let app = TestApp::new().await;
    for authorization in [
        "Bearer",
        "Bearer ",
        "Bearer garbage",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "Bearer qrm_notatoken",
    ] {
        refused(&app, authorization).await;
    }
}

#[tokio::test]
async fn alg_none_is_refused() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims_of(&ada.access_token).to_string());
    refused(&app, &format!("Bearer {header}.{payload}.")).await;
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let grace = a_person(&app, "Grace").await;
    let mut claims = claims_of(&ada.access_token);
    claims["sub"] = claims_of(&grace.access_token)["sub"].clone();
    let parts: Vec<_> = ada.access_token.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    refused(&app, &format!("Bearer {forged}")).await;
}

#[tokio::test]
async fn expired_wrong_audience_and_wrong_type_tokens_are_refused() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let claims = claims_of(&ada.access_token);
    // The genuine token works, and so does a re-signed copy: the checks below are the only change.
    app.gql_as(&sign(&app, &claims, "at+jwt"), VIEWER, json!({}))
        .await
        .data();

    let mut expired = claims.clone();
    expired["exp"] = json!(Utc::now().timestamp() - 60);
    refused(&app, &format!("Bearer {}", sign(&app, &expired, "at+jwt"))).await;

    let mut audience = claims.clone();
    audience["aud"] = json!("another-api");
    refused(&app, &format!("Bearer {}", sign(&app, &audience, "at+jwt"))).await;

    let mut no_jti = claims.clone();
    no_jti.as_object_mut().expect("object").remove("jti");
    refused(&app, &format!("Bearer {}", sign(&app, &no_jti, "at+jwt"))).await;

    refused(&app, &format!("Bearer {}", sign(&app, &claims, "JWT"))).await;
}

#[tokio::test]
async fn tokens_not_yet_valid_or_outliving_their_lifetime_are_refused() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let claims = claims_of(&ada.access_token);
    let now = Utc::now().timestamp();

    let mut not_yet = claims.clone();
    not_yet["nbf"] = json!(now + 3600);
    refused(&app, &format!("Bearer {}", sign(&app, &not_yet, "at+jwt"))).await;

    let mut issued_later = claims.clone();
    issued_later["iat"] = json!(now + 3600);
    issued_later["exp"] = json!(now + 3600 + 60);
    refused(
        &app,
        &format!("Bearer {}", sign(&app, &issued_later, "at+jwt")),
    )
    .await;

    // Valid for a year: longer than any access token lives.
    let mut long_lived = claims.clone();
    long_lived["exp"] = json!(now + 365 * 24 * 3600);
    refused(
        &app,
        &format!("Bearer {}", sign(&app, &long_lived, "at+jwt")),
    )
    .await;

    // A not-before in the past is fine.
    let mut started = claims.clone();
    started["nbf"] = json!(now - 10);
    app.gql_as(&sign(&app, &started, "at+jwt"), VIEWER, json!({}))
        .await
        .data();
}

#[tokio::test]
async fn algorithm_confusion_with_the_public_key_is_refused() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let jwks = app.client.get("/.well-known/jwks.json").send().await;
    jwks.assert_status_is_ok();
    let jwks: Value = jwks.0.into_body().into_json().await.expect("jwks");
    let public = jwks["keys"][0]["x"].as_str().expect("x").to_owned();
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("at+jwt".to_owned());
    let forged = encode(
        &header,
        &claims_of(&ada.access_token),
        &EncodingKey::from_secret(public.as_bytes()),
    )
    .expect("sign with HS256");
    refused(&app, &format!("Bearer {forged}")).await;
}
