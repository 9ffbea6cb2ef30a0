//! The election committee recuses itself: a member on the ballot, or sharing an organization
//! with someone on it, decides nothing in that election; another member or an ADMIN does.

use api::auth::Role;
use serde_json::json;
use tests::factories::{Person, add_representative, an_organization, grant};

use super::{Foundation, foundation, voting_time_runs_out};

/// `decider` runs `step` (openElectionVoting, closeElection, certifyElection) on the election.
async fn decide(f: &Foundation, decider: &Person, step: &str, election: &str) -> tests::Gql {
    f.app
        .gql_as(
            &decider.access_token,
            &format!(
                "mutation($id: ID!) {{ {step}(input: {{ electionId: $id }}) {{ election {{ state }} }} }}"
            ),
            json!({ "id": election }),
        )
        .await
}

async fn disqualify(f: &Foundation, decider: &Person, nomination: &str) -> tests::Gql {
    f.app
        .gql_as(
            &decider.access_token,
            "mutation($input: DisqualifyNomineeInput!) { disqualifyNominee(input: $input) { nomination { disqualified } } }",
            json!({ "input": { "nominationId": nomination, "reason": "Not a member in good standing." } }),
        )
        .await
}

async fn cancel(f: &Foundation, decider: &Person, election: &str) -> tests::Gql {
    f.app
        .gql_as(
            &decider.access_token,
            "mutation($input: CancelElectionInput!) { cancelElection(input: $input) { election { state } } }",
            json!({ "input": { "electionId": election, "reason": "A do-over." } }),
        )
        .await
}

const NOMINEE: &str = "You are a nominee in this election, so you take no decision in it; another member of the election committee or an administrator must.";

#[tokio::test]
async fn a_committee_member_on_the_ballot_decides_nothing_in_that_election() {
    let f = foundation().await;
    let ada = f.member("Ada").await;
    let rob = f.member("Rob").await;
    // Cleo sits on the election committee and stands in this election.
    let cleo = f.member("Cleo").await;
    grant(&f.app, &cleo, Role::ElectionCommittee).await;
    let election = f.election("GENERAL", 1).await;
    let cleo_n = f.candidate(&ada, &election, &cleo).await;
    let rob_n = f.candidate(&ada, &election, &rob).await;
    f.app
        .sql("UPDATE elections SET nominations_close_at = '2020-01-01 00:00:00+00:00', voting_opens_at = '2020-01-01 00:00:00+00:00'")
        .await;

    // She cannot open voting; Elena, the other member, does.
    let refused = decide(&f, &cleo, "openElectionVoting", &election).await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(refused.error_message(), NOMINEE);
    decide(&f, &f.committee, "openElectionVoting", &election)
        .await
        .data();

    // Mid-vote she can disqualify neither her rival nor anyone else.
    assert_eq!(
        disqualify(&f, &cleo, &rob_n).await.error_code(),
        "FORBIDDEN"
    );
    f.cast(&ada, &election, &[&cleo_n, &rob_n]).await.data();
    f.cast(&cleo, &election, &[&cleo_n]).await.data();

    // She cannot close or cancel it.
    voting_time_runs_out(&f.app).await;
    assert_eq!(
        decide(&f, &cleo, "closeElection", &election)
            .await
            .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(cancel(&f, &cleo, &election).await.error_code(), "FORBIDDEN");
    let closed = decide(&f, &f.committee, "closeElection", &election).await;
    assert_eq!(
        closed.data()["closeElection"]["election"]["state"],
        "CLOSED"
    );

    // She won, and cannot certify her own win; an administrator can.
    assert_eq!(
        decide(&f, &cleo, "certifyElection", &election)
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let certified = decide(&f, &f.admin, "certifyElection", &election).await;
    assert_eq!(
        certified.data()["certifyElection"]["election"]["state"],
        "CERTIFIED"
    );
}

#[tokio::test]
async fn a_committee_member_sharing_an_organization_with_a_nominee_steps_aside_too() {
    let f = foundation().await;
    let ada = f.member("Ada").await;
    let nina = f.member("Nina").await;
    let oscar = f.member("Oscar").await;
    grant(&f.app, &oscar, Role::ElectionCommittee).await;
    // Nina and Oscar both represent Acme.
    let acme = an_organization(&f.app, &nina, "Acme").await;
    add_representative(&f.app, &nina, &acme, &oscar).await;
    let election = f.election("GENERAL", 1).await;
    let nina_n = f.candidate(&ada, &election, &nina).await;
    let refused = disqualify(&f, &oscar, &nina_n).await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(
        refused.error_message(),
        "You represent an organization that a nominee in this election represents, so you take no decision in it; another member of the election committee or an administrator must."
    );
    assert_eq!(
        cancel(&f, &oscar, &election).await.error_code(),
        "FORBIDDEN"
    );
    // In another election, without Nina, Oscar decides as usual.
    let other = f.election("GENERAL", 1).await;
    cancel(&f, &oscar, &other).await.data();
    // A nominee who declined is no longer on the ballot: Ada's own declined nomination does
    // not stop her deciding (she holds the role for this part of the story).
    grant(&f.app, &ada, Role::ElectionCommittee).await;
    let third = f.election("GENERAL", 1).await;
    let ada_n = f.nominated(&nina, &third, &ada).await;
    f.respond(&ada, &ada_n, json!({ "accept": false }))
        .await
        .data();
    cancel(&f, &ada, &third).await.data();
}
