//! The operators' endpoints: health, readiness and metrics; and the SVG sponsor wall.

use api::auth::Role;
use poem::http::StatusCode;
use serde_json::json;
use tests::{
    TestApp,
    factories::{a_person, a_person_with, a_sponsorship, an_organization},
};

#[tokio::test]
async fn health_answers_while_the_process_lives() {
    let app = TestApp::new().await;
    let response = app.client.get("/health").send().await;
    response.assert_status_is_ok();
}

#[tokio::test]
async fn ready_turns_503_when_the_database_is_unreachable() {
    let app = TestApp::new().await;
    app.client.get("/ready").send().await.assert_status_is_ok();
    app.db().close_by_ref().await.expect("close the pool");
    let response = app.client.get("/ready").send().await;
    assert_eq!(response.0.status(), StatusCode::SERVICE_UNAVAILABLE);
    // The process itself is still alive.
    app.client.get("/health").send().await.assert_status_is_ok();
}

#[tokio::test]
async fn metrics_count_operations_by_name_and_outcome() {
    let app = TestApp::new().await;
    app.gql("query Typename { __typename }", json!({}))
        .await
        .data();
    app.gql("query Broken { nope }", json!({})).await;
    let response = app.client.get("/metrics").send().await;
    response.assert_status_is_ok();
    let text = response.0.into_body().into_string().await.expect("text");
    assert!(
        text.contains(r#"quorum_graphql_operations_total{operation="Typename",outcome="ok"} 1"#)
    );
    assert!(text.contains(
        r#"quorum_graphql_operations_total{operation="Broken",outcome="GRAPHQL_VALIDATION_FAILED"} 1"#
    ));
    assert!(text.contains("quorum_http_request_duration_seconds_bucket"));
    assert!(text.contains("quorum_db_pool_connections_in_use"));
    assert!(text.contains("quorum_db_pool_connections_idle"));
}

#[tokio::test]
async fn the_svg_sponsor_wall_lists_disclosed_sponsors_by_tier_with_an_etag() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let gold = an_organization(&app, &rep, "Gold & <Co>").await;
    a_sponsorship(&gold, "Gold").record(&app, &treasurer).await;
    let silver = an_organization(&app, &rep, "Silver Shop").await;
    a_sponsorship(&silver, "Silver")
        .record(&app, &treasurer)
        .await;
    let hidden = an_organization(&app, &rep, "Quiet Corp").await;
    a_sponsorship(&hidden, "Silver")
        .undisclosed()
        .record(&app, &treasurer)
        .await;

    let response = app.client.get("/feeds/sponsors.svg").send().await;
    response.assert_status_is_ok();
    response.assert_content_type("image/svg+xml; charset=utf-8");
    let etag = response
        .0
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned();
    let svg = response.0.into_body().into_string().await.expect("svg");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(">Gold &amp; &lt;Co&gt;<"), "{svg}");
    assert!(svg.contains(">Silver Shop<"));
    assert!(!svg.contains("Quiet Corp"), "an opted-out sponsor is shown");
    assert!(!svg.contains("<image") && !svg.contains("href"));
    // Tiers in rank order, each heading above its sponsors.
    let position = |text: &str| svg.find(text).unwrap_or_else(|| panic!("{text}"));
    assert!(position(">Gold<") < position(">Gold &amp;"));
    assert!(position(">Gold &amp;") < position(">Silver<"));
    assert!(position(">Silver<") < position(">Silver Shop<"));

    let again = app
        .client
        .get("/feeds/sponsors.svg")
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(again.0.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn metrics_are_for_the_scraper_holding_the_token() {
    let token = "scrape-me-please-0123456789";
    let app = TestApp::production(|config| {
        config.metrics_token = Some(api::config::SecretText(token.to_owned()));
    })
    .await;
    app.client
        .get("/metrics")
        .send()
        .await
        .assert_status(poem::http::StatusCode::UNAUTHORIZED);
    app.client
        .get("/metrics")
        .header("authorization", "Bearer not-the-token")
        .send()
        .await
        .assert_status(poem::http::StatusCode::UNAUTHORIZED);
    let scraped = app
        .client
        .get("/metrics")
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await;
    scraped.assert_status_is_ok();
    assert!(
        scraped
            .0
            .into_body()
            .into_string()
            .await
            .expect("text")
            .contains("quorum_")
    );

    // Production with no token configured serves metrics to no one.
    let closed = TestApp::production(|_| {}).await;
    closed
        .client
        .get("/metrics")
        .send()
        .await
        .assert_status(poem::http::StatusCode::NOT_FOUND);
}
