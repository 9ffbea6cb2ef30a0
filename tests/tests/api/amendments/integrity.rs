//! Governance integrity (issue 10): the influence cap on the votes cast, rights sections, rules
//! fixed at submission, undisclosed authors, standing checked in the commands, the frozen roll
//! and the race between a vote and the close.

use api::auth::Role;
use serde_json::json;
use tests::factories::{
    a_contributor, a_draft_amendment, a_gold_sponsor, a_person, a_person_with,
    a_proposed_amendment, apply, close_after_time_runs_out, contributors_on_file, no_waiting,
    open_vote, review, submit_amendment, vote,
};

use super::foundation;

/// The date `days` ago, as SQL on either database reads it.
fn days_ago(days: u64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Days::new(days)).to_string()
}

/// Lets the membership `id` (a global ID) end `days` ago, as if time had passed.
async fn ends(app: &tests::TestApp, id: &str, days: u64) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let key = api::ids::decode(id).expect("a membership id").1;
    let ended = chrono::Utc::now().date_naive() - chrono::Days::new(days);
    let moved = entity::prelude::Membership::update_many()
        .col_expr(entity::membership::Column::EndsOn, Expr::value(ended))
        .filter(entity::membership::Column::Id.eq(key))
        .exec(app.db())
        .await
        .expect("end the membership");
    assert_eq!(moved.rows_affected, 1);
}

#[tokio::test]
async fn twelve_gold_sponsors_voting_alone_decide_nothing() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let treasurer = a_person_with(app, "Tess", Role::Treasurer).await;
    // 100 Contributors, none of whom votes.
    let (proposer, _) = a_contributor(app, "Ada", &f.committee).await;
    contributors_on_file(app, 99).await;
    let mut sponsors = Vec::new();
    for i in 0..12 {
        sponsors.push(a_gold_sponsor(app, &treasurer, &format!("Gold {i}")).await);
    }
    let id = a_proposed_amendment(app, &proposer, &f.sections[1], "For the sponsors.").await;
    open_vote(app, &f.secretary, &id, "MEMBERS").await.data();
    for sponsor in &sponsors {
        vote(app, sponsor, &id, "YES", None).await.data();
    }
    let result = close_after_time_runs_out(app, &f.secretary, &id).await;
    assert_eq!(result["status"], json!("REJECTED"), "{result:#}");
    let tally = &result["tally"];
    // Quorum is measured on the roll: 12 of 112 members, 49% of the capped weight.
    assert_eq!(tally["quorumReached"], json!(true));
    assert_eq!(tally["eligibleVoters"], json!(112));
    let scale = tally["sponsorScale"].as_f64().expect("scale");
    assert!(
        (180.0 * scale / tally["eligibleWeight"].as_f64().expect("weight") - 0.49).abs() < 1e-9
    );
    // With no non-paying YES or NO, the sponsors' votes count nothing.
    assert_eq!(tally["castSponsorScale"], json!(0.0));
    assert_eq!((&tally["yes"], &tally["no"]), (&json!(0.0), &json!(0.0)));
    assert_eq!(tally["passed"], json!(false));
}

#[tokio::test]
async fn two_gold_sponsors_do_not_outweigh_five_contributors() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let treasurer = a_person_with(app, "Tess", Role::Treasurer).await;
    let mut contributors = Vec::new();
    for i in 0..5 {
        contributors.push(
            a_contributor(app, &format!("Voter {i}"), &f.committee)
                .await
                .0,
        );
    }
    contributors_on_file(app, 5).await;
    let sponsors = [
        a_gold_sponsor(app, &treasurer, "GoldOne").await,
        a_gold_sponsor(app, &treasurer, "GoldTwo").await,
    ];
    let id = a_proposed_amendment(app, &contributors[0], &f.sections[1], "Sponsored.").await;
    open_vote(app, &f.secretary, &id, "MEMBERS").await.data();
    for sponsor in &sponsors {
        vote(app, sponsor, &id, "YES", None).await.data();
    }
    for contributor in &contributors {
        vote(app, contributor, &id, "NO", None).await.data();
    }
    let result = close_after_time_runs_out(app, &f.secretary, &id).await;
    assert_eq!(result["status"], json!("REJECTED"), "{result:#}");
    let tally = &result["tally"];
    let (yes, no) = (
        tally["yes"].as_f64().expect("yes"),
        tally["no"].as_f64().expect("no"),
    );
    // Without the second cap the sponsors' 9.6 would beat 5; with it they hold 49% of the cast.
    assert_eq!(no, 5.0);
    assert!((yes / (yes + no) - 0.49).abs() < 1e-9, "{tally:#}");
    let cast_scale = tally["castSponsorScale"].as_f64().expect("cast scale");
    assert!(cast_scale > 0.0 && cast_scale < 1.0);
}

#[tokio::test]
async fn a_tally_of_no_votes_shows_no_negative_zero() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let (ada, _) = a_contributor(app, "Ada", &f.committee).await;
    let id = a_proposed_amendment(app, &ada, &f.sections[1], "Nobody votes.").await;
    open_vote(app, &f.secretary, &id, "MEMBERS").await.data();
    let result = close_after_time_runs_out(app, &f.secretary, &id).await;
    assert_eq!(
        result,
        json!({ "status": "REJECTED", "tally": { "yes": 0.0, "no": 0.0, "abstain": 0.0, "eligibleWeight": 1.0, "eligibleVoters": 1, "voters": 0, "sponsorScale": 1.0, "castSponsorScale": 1.0, "quorumReached": false, "passed": false } })
    );
    let read = app
        .gql(
            "query($id: ID!) { amendment(id: $id) { tally { yes no abstain } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(!read.body.to_string().contains("-0"), "{}", read.body);
}

const IMPORT: &str = "mutation($input: ImportBylawsInput!) { importBylaws(input: $input) { version { articles { sections { id heading definesMembershipRights } } } } }";
const RIGHTS: &str = "query($id: ID!) { amendment(id: $id) { affectsMembershipRights requiresMembersVote membersVoteReason } }";
const FLAG: &str = "mutation($id: ID!, $flag: Boolean!) { setAmendmentAffectsMembershipRights(input: { amendmentId: $id, affectsMembershipRights: $flag }) { amendment { affectsMembershipRights requiresMembersVote } } }";

#[tokio::test]
async fn an_amendment_touching_a_rights_section_goes_to_the_members_whatever_the_flag() {
    let app = tests::TestApp::new().await;
    let secretary = a_person_with(&app, "Sami", Role::Secretary).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    a_person_with(&app, "Director", Role::Board).await;
    no_waiting(&app, &admin).await;
    let imported = app
        .gql_as(&secretary.access_token, IMPORT, json!({ "input": { "articles": [
            { "number": 1, "title": "Name", "sections": [{ "number": 1, "heading": "Name", "text": "Example OS Foundation." }] },
            { "number": 2, "title": "Membership", "sections": [
                { "number": 1, "heading": "Classes", "text": "Contributor, Mirror and Sponsor.", "definesMembershipRights": true },
            ] },
        ] } }))
        .await;
    let articles = imported.data()["importBylaws"]["version"]["articles"].clone();
    assert_eq!(
        articles[1]["sections"][0]["definesMembershipRights"],
        json!(true)
    );
    assert_eq!(
        articles[0]["sections"][0]["definesMembershipRights"],
        json!(false)
    );
    let (name, classes) = (
        articles[0]["sections"][0]["id"].clone(),
        articles[1]["sections"][0]["id"].clone(),
    );
    let (ada, _) = a_contributor(&app, "Ada", &committee).await;

    // Replacing the marked section, even to unmark it, goes to the members.
    let unmark = a_draft_amendment(&app, &ada, json!([{ "operation": "REPLACE", "sectionId": classes, "text": "Only Sponsors.", "definesMembershipRights": false }])).await;
    submit_amendment(&app, &ada, &unmark).await;
    assert_eq!(
        app.gql(RIGHTS, json!({ "id": unmark })).await.data()["amendment"],
        json!({ "affectsMembershipRights": false, "requiresMembersVote": true, "membersVoteReason": "TOUCHES_MEMBERSHIP_RIGHTS" })
    );
    assert_eq!(
        open_vote(&app, &secretary, &unmark, "BOARD")
            .await
            .error_code(),
        "CONFLICT"
    );
    // The secretary may add the flag, but switching it off changes nothing the sections decide.
    app.gql_as(
        &secretary.access_token,
        FLAG,
        json!({ "id": unmark, "flag": true }),
    )
    .await
    .data();
    assert_eq!(
        app.gql_as(
            &secretary.access_token,
            FLAG,
            json!({ "id": unmark, "flag": false })
        )
        .await
        .error_code(),
        "CONFLICT"
    );
    assert_eq!(
        open_vote(&app, &secretary, &unmark, "BOARD")
            .await
            .error_code(),
        "CONFLICT"
    );

    // Inserting a section marked as defining rights counts too; a plain one does not.
    let insert = a_draft_amendment(&app, &ada, json!([{ "operation": "INSERT", "articleNumber": 2, "heading": "Voting", "text": "Every member votes.", "definesMembershipRights": true }])).await;
    submit_amendment(&app, &ada, &insert).await;
    assert_eq!(
        app.gql(RIGHTS, json!({ "id": insert })).await.data()["amendment"]["membersVoteReason"],
        json!("TOUCHES_MEMBERSHIP_RIGHTS")
    );
    let plain = a_draft_amendment(
        &app,
        &ada,
        json!([{ "operation": "REPLACE", "sectionId": name, "text": "Example Foundation." }]),
    )
    .await;
    submit_amendment(&app, &ada, &plain).await;
    assert_eq!(
        app.gql(RIGHTS, json!({ "id": plain })).await.data()["amendment"],
        json!({ "affectsMembershipRights": false, "requiresMembersVote": false, "membersVoteReason": null })
    );
    // There the flag decides, and the secretary may switch it back off.
    app.gql_as(
        &secretary.access_token,
        FLAG,
        json!({ "id": plain, "flag": true }),
    )
    .await
    .data();
    assert_eq!(
        app.gql(RIGHTS, json!({ "id": plain })).await.data()["amendment"]["membersVoteReason"],
        json!("MARKED_BY_SECRETARY")
    );
    let unflagged = app
        .gql_as(
            &secretary.access_token,
            FLAG,
            json!({ "id": plain, "flag": false }),
        )
        .await;
    assert_eq!(
        unflagged.data()["setAmendmentAffectsMembershipRights"]["amendment"],
        json!({ "affectsMembershipRights": false, "requiresMembersVote": false })
    );

    // Adopted by the members, the inserted section keeps its mark in the new version.
    open_vote(&app, &secretary, &insert, "MEMBERS").await.data();
    vote(&app, &ada, &insert, "YES", None).await.data();
    let result = close_after_time_runs_out(&app, &secretary, &insert).await;
    assert_eq!(result["status"], json!("ADOPTED"));
    let version = app
        .gql(
            "{ bylawsVersion(number: 2) { articles { sections { heading definesMembershipRights } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        version.data()["bylawsVersion"]["articles"][1]["sections"],
        json!([
            { "heading": "Classes", "definesMembershipRights": true },
            { "heading": "Voting", "definesMembershipRights": true },
        ])
    );
    let refused = app
        .gql_as(
            &ada.access_token,
            "mutation($input: ProposeAmendmentInput!) { proposeAmendment(input: $input) { amendment { id } } }",
            json!({ "input": { "title": "T", "rationale": "R", "changes": [{ "operation": "DELETE", "sectionId": name, "definesMembershipRights": true }] } }),
        )
        .await;
    assert_eq!(
        refused.error_field(),
        "input.changes[0].definesMembershipRights"
    );
}

const RULES: &str = "query($id: ID!) { amendment(id: $id) { votingOpensNoEarlierThan submittedAt rules { noticeDays minimumVotingDays memberQuorumShare memberQuorumWeightShare sponsorInfluenceCap boardSuperMajority } } }";

#[tokio::test]
async fn the_rules_of_a_vote_are_fixed_when_it_is_submitted() {
    let f = foundation().await;
    let app = &f.app;
    let (ada, _) = a_contributor(app, "Ada", &f.committee).await;
    let draft = a_draft_amendment(
        app,
        &ada,
        json!([{ "operation": "REPLACE", "sectionId": f.sections[1], "text": "Faster." }]),
    )
    .await;
    let before = app
        .gql_as(&ada.access_token, RULES, json!({ "id": draft }))
        .await;
    assert_eq!(
        before.data()["amendment"]["rules"],
        json!(null),
        "a draft has no rules yet"
    );
    submit_amendment(app, &ada, &draft).await;

    // An admin cuts the notice and the minimum period to zero and lowers the cap afterwards.
    no_waiting(app, &f.admin).await;
    app.gql_as(&f.admin.access_token, "mutation { updateGovernancePolicy(input: { sponsorInfluenceCap: 0.33 }) { policy { sponsorInfluenceCap } } }", json!({}))
        .await
        .data();
    let read = app.gql(RULES, json!({ "id": draft })).await;
    let amendment = &read.data()["amendment"];
    assert_eq!(
        amendment["rules"],
        json!({ "noticeDays": 10, "minimumVotingDays": 10, "memberQuorumShare": 0.1, "memberQuorumWeightShare": 0.1, "sponsorInfluenceCap": 0.49, "boardSuperMajority": 2.0 / 3.0 })
    );
    let submitted: chrono::DateTime<chrono::Utc> = amendment["submittedAt"]
        .as_str()
        .and_then(|at| at.parse().ok())
        .expect("submittedAt");
    let opens: chrono::DateTime<chrono::Utc> = amendment["votingOpensNoEarlierThan"]
        .as_str()
        .and_then(|at| at.parse().ok())
        .expect("votingOpensNoEarlierThan");
    assert_eq!(opens - submitted, chrono::Duration::days(10));
    // The original notice still holds.
    let refused = open_vote(app, &f.secretary, &draft, "MEMBERS").await;
    assert_eq!(refused.error_code(), "CONFLICT");
    assert!(
        refused.error_message().contains("notice period"),
        "{}",
        refused.error_message()
    );

    // An amendment submitted now gets the new rules.
    let later = a_proposed_amendment(app, &ada, &f.sections[0], "Sooner.").await;
    assert_eq!(
        app.gql(RULES, json!({ "id": later })).await.data()["amendment"]["rules"]["noticeDays"],
        json!(0)
    );
    open_vote(app, &f.secretary, &later, "MEMBERS").await.data();
}

const NAMES: &str = "query($id: ID!) { amendment(id: $id) { proposer { id displayName } proposerName comments { nodes { author { id displayName } authorName body } } } }";

#[tokio::test]
async fn an_undisclosed_member_is_not_named_by_what_it_writes() {
    let f = foundation().await;
    let app = &f.app;
    let (other, _) = a_contributor(app, "Grace", &f.committee).await;
    // Ada asked that her membership not be disclosed.
    let ada = a_person(app, "Ada Quiet").await;
    let application = apply(
        app,
        &ada,
        json!({ "class": "CONTRIBUTOR", "statement": "I test releases.", "disclose": false }),
    )
    .await;
    review(app, &f.committee, &application, "APPROVE", None)
        .await
        .data();
    let id = a_proposed_amendment(app, &ada, &f.sections[1], "Quietly.").await;
    for (person, body) in [(&ada, "I wrote this."), (&other, "I agree.")] {
        app.gql_as(
            &person.access_token,
            "mutation($id: ID!, $body: String!) { commentOnAmendment(input: { amendmentId: $id, body: $body }) { comment { authorName } } }",
            json!({ "id": id, "body": body }),
        )
        .await
        .data();
    }
    let hidden = json!({
        "proposer": null,
        "proposerName": "a member who asked not to be listed",
        "comments": { "nodes": [
            { "author": null, "authorName": "a member who asked not to be listed", "body": "I wrote this." },
            { "author": { "id": other.id, "displayName": "Grace" }, "authorName": "Grace", "body": "I agree." },
        ] },
    });
    let named = json!({
        "proposer": { "id": ada.id, "displayName": "Ada Quiet" },
        "proposerName": "Ada Quiet",
        "comments": { "nodes": [
            { "author": { "id": ada.id, "displayName": "Ada Quiet" }, "authorName": "Ada Quiet", "body": "I wrote this." },
            { "author": { "id": other.id, "displayName": "Grace" }, "authorName": "Grace", "body": "I agree." },
        ] },
    });
    assert_eq!(
        app.gql(NAMES, json!({ "id": id })).await.data()["amendment"],
        hidden,
        "anonymous"
    );
    assert_eq!(
        app.gql_as(&other.access_token, NAMES, json!({ "id": id }))
            .await
            .data()["amendment"],
        hidden,
        "another member"
    );
    assert_eq!(
        app.gql_as(&ada.access_token, NAMES, json!({ "id": id }))
            .await
            .data()["amendment"],
        named,
        "the author"
    );
    assert_eq!(
        app.gql_as(&f.committee.access_token, NAMES, json!({ "id": id }))
            .await
            .data()["amendment"],
        named,
        "a committee member"
    );
}

const COMMENT: &str = "mutation($id: ID!) { commentOnAmendment(input: { amendmentId: $id, body: \"Hm.\" }) { comment { body } } }";

#[tokio::test]
async fn standing_is_checked_where_the_amendment_is_read() {
    let f = foundation().await;
    let app = &f.app;
    let outsider = a_person(app, "Otto").await;
    let (ada, _) = a_contributor(app, "Ada", &f.committee).await;
    let draft = a_draft_amendment(
        app,
        &ada,
        json!([{ "operation": "DELETE", "sectionId": f.sections[0] }]),
    )
    .await;
    // A draft the outsider cannot see does not exist for them.
    assert_eq!(
        app.gql_as(&outsider.access_token, COMMENT, json!({ "id": draft }))
            .await
            .error_code(),
        "NOT_FOUND"
    );
    submit_amendment(app, &ada, &draft).await;
    assert_eq!(
        app.gql_as(&outsider.access_token, COMMENT, json!({ "id": draft }))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    // A member in grace still comments, but no longer proposes.
    app.sql(&format!(
        "UPDATE memberships SET ends_on = '{}'",
        days_ago(1)
    ))
    .await;
    app.gql_as(&ada.access_token, COMMENT, json!({ "id": draft }))
        .await
        .data();
    let propose = app
        .gql_as(
            &ada.access_token,
            "mutation($input: ProposeAmendmentInput!) { proposeAmendment(input: $input) { amendment { id } } }",
            json!({ "input": { "title": "T", "rationale": "R", "changes": [{ "operation": "DELETE", "sectionId": f.sections[0] }] } }),
        )
        .await;
    assert_eq!(propose.error_code(), "FORBIDDEN");
}

#[tokio::test]
async fn the_roll_is_frozen_when_voting_opens() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let (ada, _) = a_contributor(app, "Ada", &f.committee).await;
    let (lapsing, lapsing_membership) = a_contributor(app, "Lapsing", &f.committee).await;
    let (in_grace, grace_membership) = a_contributor(app, "Grace Period", &f.committee).await;
    // In grace when voting opens: keeps access, but is left off the roll.
    ends(app, &grace_membership, 1).await;
    let id = a_proposed_amendment(app, &ada, &f.sections[1], "Frozen.").await;
    open_vote(app, &f.secretary, &id, "MEMBERS").await.data();
    assert_eq!(
        vote(app, &in_grace, &id, "YES", None).await.error_code(),
        "FORBIDDEN"
    );
    // Lapsing mid-vote changes nothing: the frozen roll still holds the membership.
    ends(app, &lapsing_membership, 60).await;
    vote(app, &lapsing, &id, "YES", None).await.data();
    // Joining mid-vote changes nothing either.
    let (late, _) = a_contributor(app, "Late", &f.committee).await;
    assert_eq!(
        vote(app, &late, &id, "NO", None).await.error_code(),
        "FORBIDDEN"
    );
    let result = close_after_time_runs_out(app, &f.secretary, &id).await;
    assert_eq!(result["status"], json!("ADOPTED"));
    assert_eq!(result["tally"]["eligibleVoters"], json!(2));
    assert_eq!(result["tally"]["voters"], json!(1));
    assert_eq!(result["tally"]["yes"], json!(1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vote_racing_the_close_is_counted_or_refused_never_half() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let mut members = Vec::new();
    for i in 0..8 {
        members.push(
            a_contributor(app, &format!("Racer {i}"), &f.committee)
                .await
                .0,
        );
    }
    let id = a_proposed_amendment(app, &members[0], &f.sections[1], "Race.").await;
    let closes_at = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    app.gql_as(
        &f.secretary.access_token,
        "mutation($input: OpenVoteInput!) { openAmendmentVote(input: $input) { amendment { status } } }",
        json!({ "input": { "amendmentId": id, "body": "MEMBERS", "closesAt": closes_at.to_rfc3339() } }),
    )
    .await
    .data();
    let close = async {
        loop {
            let closed = app
                .gql_as(
                    &f.secretary.access_token,
                    "mutation($id: ID!) { closeAmendmentVote(input: { amendmentId: $id }) { amendment { tally { voters } } } }",
                    json!({ "id": id }),
                )
                .await;
            if closed.errors().is_empty() {
                return closed.data()["closeAmendmentVote"]["amendment"]["tally"]["voters"].clone();
            }
            assert_eq!(closed.error_code(), "CONFLICT", "{:#}", closed.body);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    // Each member votes again and again around the close, until refused.
    let casts = members.iter().enumerate().map(|(i, member)| {
        let id = id.clone();
        async move {
            let start = closes_at - chrono::Duration::milliseconds(300)
                + chrono::Duration::milliseconds(60 * i as i64);
            if let Ok(wait) = (start - chrono::Utc::now()).to_std() {
                tokio::time::sleep(wait).await;
            }
            let mut counted = false;
            loop {
                let cast = vote(app, member, &id, "YES", None).await;
                if cast.errors().is_empty() {
                    assert_eq!(
                        cast.data()["castAmendmentVote"]["vote"]["choice"],
                        json!("YES")
                    );
                    counted = true;
                } else {
                    assert_eq!(cast.error_code(), "CONFLICT", "{:#}", cast.body);
                    return counted;
                }
            }
        }
    });
    let (voters, counted) = tokio::join!(close, futures_util::future::join_all(casts));
    let accepted = counted.iter().filter(|c| **c).count();
    assert_eq!(
        voters,
        json!(accepted),
        "every accepted vote is in the tally, and only those"
    );
}
