//! The JSON and CSV sponsor feeds: ETags, 304s, and CSV cells a spreadsheet would run.

use api::auth::Role;
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{a_person, a_person_with, a_sponsorship, an_organization},
};

use super::{LIST, days_ago, today};

#[tokio::test]
async fn the_feeds_carry_the_list_with_an_etag_and_escape_csv() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let tricky = an_organization(&app, &rep, "Acme Rockets").await;
    a_sponsorship(&tricky, "Silver")
        .record(&app, &treasurer)
        .await;
    // The API refuses control characters in names; the feed must survive them all the same.
    let newline = match app.backend() {
        sea_orm::DbBackend::Postgres => "chr(10)",
        _ => "char(10)",
    };
    app.sql(&format!(
        "UPDATE organizations SET name = 'Acme, \"Rockets\"' || {newline} || 'and Co'"
    ))
    .await;

    let json_feed = app.client.get("/feeds/sponsors.json").send().await;
    json_feed.assert_status_is_ok();
    let etag = json_feed
        .0
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned();
    assert!(json_feed.0.headers().get("cache-control").is_some());
    let body: Value = json_feed.0.into_body().into_json().await.expect("json");
    let listed = app.gql(LIST, json!({ "first": 100 })).await;
    assert_eq!(body["sponsors"], listed.data()["sponsors"]["nodes"]);

    let again = app
        .client
        .get("/feeds/sponsors.json")
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(again.0.status(), 304);

    let csv = app.client.get("/feeds/sponsors.csv").send().await;
    csv.assert_status_is_ok();
    let text = csv.0.into_body().into_string().await.expect("csv");
    let since = today().to_string();
    let id = listed.data()["sponsors"]["nodes"][0]["id"]
        .as_str()
        .expect("an id");
    assert_eq!(
        text,
        format!(
            "displayName,websiteUrl,logoUrl,sponsorSince,tier,tierRank,id\r\n\
             \"Acme, \"\"Rockets\"\"\nand Co\",https://acmerockets.example.com,,{since},Silver,3,{id}\r\n"
        )
    );

    // For spreadsheets, the same list after a UTF-8 byte-order mark, so that Excel reads
    // "Ünïcode" as written; without `bom=1`, none, as CSV readers in code expect.
    assert!(!text.starts_with('\u{FEFF}'));
    let for_excel = app.client.get("/feeds/sponsors.csv?bom=1").send().await;
    for_excel.assert_status_is_ok();
    let marked = for_excel.0.into_body().into_bytes().await.expect("csv");
    assert_eq!(&marked[..3], b"\xEF\xBB\xBF");
    assert_eq!(&marked[3..], text.as_bytes());

    // The list changes, and so does the ETag.
    let other = an_organization(&app, &rep, "Zeta").await;
    a_sponsorship(&other, "Gold").record(&app, &treasurer).await;
    let changed = app
        .client
        .get("/feeds/sponsors.json")
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(changed.0.status(), 200);
    assert_ne!(
        changed
            .0
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok()),
        Some(etag.as_str())
    );
}

#[tokio::test]
async fn the_csv_feed_neutralises_cells_a_spreadsheet_would_run() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let names = [
        "=HYPERLINK(\"https://evil.example\",\"Click\")",
        "+1 Sponsors",
        "-Minus",
        "@Handle",
        "\tTabbed",
        "Plain Co",
    ];
    for (index, name) in names.iter().enumerate() {
        let org = an_organization(&app, &rep, &format!("Org {index}")).await;
        a_sponsorship(&org, "Silver")
            .from(days_ago(u64::try_from(index).expect("index") + 1))
            .record(&app, &treasurer)
            .await;
        app.sql(&format!(
            "UPDATE organizations SET name = '{}' WHERE name = 'Org {index}'",
            name.replace('\'', "''")
        ))
        .await;
    }
    let csv = app.client.get("/feeds/sponsors.csv").send().await;
    csv.assert_status_is_ok();
    let text = csv.0.into_body().into_string().await.expect("csv");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().expect("headers"),
        vec![
            "displayName",
            "websiteUrl",
            "logoUrl",
            "sponsorSince",
            "tier",
            "tierRank",
            "id"
        ]
    );
    let cells: Vec<String> = reader
        .records()
        .map(|record| record.expect("a record")[0].to_owned())
        .collect();
    // Oldest support first within the tier.
    assert_eq!(
        cells,
        [
            "Plain Co",
            "'\tTabbed",
            "'@Handle",
            "'-Minus",
            "'+1 Sponsors",
            "'=HYPERLINK(\"https://evil.example\",\"Click\")",
        ]
    );
    // The JSON feed is data, not a spreadsheet: it keeps the names as they are.
    let json_feed: Value = app
        .client
        .get("/feeds/sponsors.json")
        .send()
        .await
        .0
        .into_body()
        .into_json()
        .await
        .expect("json");
    assert_eq!(json_feed["sponsors"][5]["displayName"], json!(names[0]));
}
