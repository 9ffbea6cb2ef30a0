//! Every refusal of a nominee names its rule, to those who may read it.

use serde_json::{Value, json};
use tests::factories::a_person;

use super::foundation;

const NOMINEES: &str = "query($id: ID!) { election(id: $id) { nominees { id eligible eligibility { reason message } } } }";

#[tokio::test]
async fn a_non_member_who_accepts_is_ineligible_as_not_a_member() {
    let f = foundation().await;
    let ada = f.member("Ada").await;
    let nemo = a_person(&f.app, "Nemo").await;
    let election = f.election("GENERAL", 1).await;
    let nomination = f.candidate(&ada, &election, &nemo).await;
    let seen = |response: &tests::Gql| -> Value {
        response.data()["election"]["nominees"]
            .as_array()
            .and_then(|list| list.iter().find(|n| n["id"] == json!(nomination)).cloned())
            .unwrap_or(Value::Null)
    };
    for reader in [&f.committee, &f.admin, &nemo] {
        let read = f
            .app
            .gql_as(&reader.access_token, NOMINEES, json!({ "id": election }))
            .await;
        let nominee = seen(&read);
        assert_eq!(nominee["eligible"], json!(false), "{nominee}");
        assert_eq!(
            nominee["eligibility"]["reason"],
            json!("NOT_A_MEMBER"),
            "{nominee}"
        );
        assert!(nominee["eligibility"]["message"].is_string(), "{nominee}");
    }
}
