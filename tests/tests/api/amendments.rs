//! Bylaws and amendments: the whole life of an amendment for each role, the windows, the
//! tally's rules, atomic adoption, rebasing, the audit recount and the live tally.

mod integrity;
mod recount;

use api::auth::Role;
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{
        CLOSE_VOTE, Person, a_contributor, a_person, a_person_with, a_proposed_amendment,
        a_sponsorship, an_organization, no_waiting, open_vote, sample_bylaws, time_runs_out, vote,
    },
};

/// A foundation ready to amend: bylaws, a secretary, an admin, a membership committee.
struct Foundation {
    app: TestApp,
    secretary: Person,
    admin: Person,
    committee: Person,
    sections: Vec<String>,
}

async fn foundation() -> Foundation {
    let app = TestApp::new().await;
    let secretary = a_person_with(&app, "Sami", Role::Secretary).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let sections = sample_bylaws(&app, &secretary).await;
    Foundation {
        app,
        secretary,
        admin,
        committee,
        sections,
    }
}

#[tokio::test]
async fn bylaws_are_imported_once_by_the_secretary_and_read_by_anyone() {
    let app = TestApp::new().await;
    let member = a_person(&app, "Ada").await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let import = "mutation { importBylaws(input: { articles: [{ number: 1, title: \"Name\", sections: [{ number: 1, heading: \"Name\", text: \"Example\" }] }] }) { version { number } } }";
    assert_eq!(
        app.gql_as(&member.access_token, import, json!({}))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let bad = "mutation { importBylaws(input: { articles: [{ number: 1, title: \"Name\", sections: [] }] }) { version { number } } }";
    assert_eq!(
        app.gql_as(&admin.access_token, bad, json!({}))
            .await
            .error_field(),
        "input.articles[0].sections"
    );
    let secretary = a_person_with(&app, "Sami", Role::Secretary).await;
    let sections = sample_bylaws(&app, &secretary).await;
    assert_eq!(sections.len(), 3);
    assert_eq!(
        app.gql_as(&admin.access_token, import, json!({}))
            .await
            .error_code(),
        "CONFLICT"
    );
    let read = app
        .gql("{ bylaws { current { number articles { number title sections { number heading } } } versions { number adoptedAt } } }", json!({}))
        .await;
    let bylaws = &read.data()["bylaws"];
    assert_eq!(bylaws["current"]["number"], json!(1));
    assert_eq!(
        bylaws["current"]["articles"][1],
        json!({ "number": 2, "title": "Membership", "sections": [{ "number": 1, "heading": "Classes" }] })
    );
    assert_eq!(bylaws["versions"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn an_amendment_lives_from_draft_to_adoption() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let outsider = a_person(app, "Otto").await;
    let (ada, _) = a_contributor(app, "Ada", &f.committee).await;
    let (grace, _) = a_contributor(app, "Grace", &f.committee).await;

    // Only members in good standing propose.
    let propose = "mutation($input: ProposeAmendmentInput!) { proposeAmendment(input: $input) { amendment { id status } } }";
    let input = json!({ "input": { "title": "T", "rationale": "R", "changes": [{ "operation": "DELETE", "sectionId": f.sections[0] }] } });
    assert_eq!(
        app.gql_as(&outsider.access_token, propose, input.clone())
            .await
            .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(propose, input).await.error_code(),
        "UNAUTHENTICATED"
    );
    let bad = json!({ "input": { "title": "T", "rationale": "R", "changes": [{ "operation": "REPLACE", "sectionId": f.sections[0] }] } });
    assert_eq!(
        app.gql_as(&ada.access_token, propose, bad)
            .await
            .error_field(),
        "input.changes[0].text"
    );

    let draft = app
        .gql_as(&ada.access_token, propose, json!({ "input": { "title": "Clarify", "rationale": "Why", "changes": [{ "operation": "REPLACE", "sectionId": f.sections[1], "text": "The foundation builds an operating system owned by its community." }] } }))
        .await;
    let id = draft.data()["proposeAmendment"]["amendment"]["id"].clone();
    let read = "query($id: ID!) { amendment(id: $id) { status diff { change before { text } after { text } } votes { yes } } }";
    assert_eq!(
        app.gql(read, json!({ "id": id })).await.data()["amendment"],
        json!(null),
        "drafts are private"
    );
    let submit = "mutation($id: ID!) { submitAmendment(input: { amendmentId: $id }) { amendment { status submittedAt } } }";
    assert_eq!(
        app.gql_as(&grace.access_token, submit, json!({ "id": id }))
            .await
            .error_code(),
        "NOT_FOUND"
    );
    let submitted = app
        .gql_as(&ada.access_token, submit, json!({ "id": id }))
        .await;
    assert_eq!(
        submitted.data()["submitAmendment"]["amendment"]["status"],
        json!("PROPOSED")
    );

    // Public now, with its diff; members discuss it.
    let public = app.gql(read, json!({ "id": id })).await;
    assert_eq!(
        public.data()["amendment"]["diff"][0]["change"],
        json!("MODIFIED")
    );
    let comment = "mutation($id: ID!) { commentOnAmendment(input: { amendmentId: $id, body: \"Good idea.\" }) { comment { id body } } }";
    assert_eq!(
        app.gql_as(&outsider.access_token, comment, json!({ "id": id }))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    app.gql_as(&grace.access_token, comment, json!({ "id": id }))
        .await
        .data();

    // The secretary alone opens the vote (the notice period is zero here; see
    // `the_rules_of_a_vote_are_fixed_when_it_is_submitted`).
    assert_eq!(
        open_vote(app, &ada, id.as_str().expect("id"), "MEMBERS")
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let past = app
        .gql_as(&f.secretary.access_token, "mutation($id: ID!) { openAmendmentVote(input: { amendmentId: $id, body: MEMBERS, closesAt: \"2020-01-01T00:00:00Z\" }) { amendment { status } } }", json!({ "id": id }))
        .await;
    assert_eq!(past.error_field(), "input.closesAt");
    let opened = open_vote(app, &f.secretary, id.as_str().expect("id"), "MEMBERS").await;
    assert_eq!(
        opened.data()["openAmendmentVote"]["amendment"],
        json!({ "status": "VOTING", "voteBody": "MEMBERS" })
    );
    let withdraw = "mutation($id: ID!) { withdrawAmendment(input: { amendmentId: $id }) { amendment { status } } }";
    assert_eq!(
        app.gql_as(&ada.access_token, withdraw, json!({ "id": id }))
            .await
            .error_code(),
        "CONFLICT"
    );

    // The roll is frozen: someone who joins now does not vote.
    let (late, _) = a_contributor(app, "Late", &f.committee).await;
    let amendment = id.as_str().expect("id");
    assert_eq!(
        vote(app, &late, amendment, "NO", None).await.error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        vote(app, &outsider, amendment, "NO", None)
            .await
            .error_code(),
        "FORBIDDEN"
    );
    // A vote can be changed until the close.
    vote(app, &ada, amendment, "NO", None).await.data();
    let changed = vote(app, &ada, amendment, "YES", None).await;
    assert_eq!(
        changed.data()["castAmendmentVote"]["vote"]["choice"],
        json!("YES")
    );
    vote(app, &grace, amendment, "ABSTAIN", None).await.data();
    let counts = app.gql(read, json!({ "id": id })).await;
    assert_eq!(counts.data()["amendment"]["votes"], json!({ "yes": 1 }));

    assert_eq!(
        app.gql_as(&f.secretary.access_token, CLOSE_VOTE, json!({ "id": id }))
            .await
            .error_code(),
        "CONFLICT"
    );
    time_runs_out(app).await;
    assert_eq!(
        vote(app, &grace, amendment, "NO", None).await.error_code(),
        "CONFLICT"
    );
    assert_eq!(
        app.gql_as(&ada.access_token, CLOSE_VOTE, json!({ "id": id }))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let closed = app
        .gql_as(&f.secretary.access_token, CLOSE_VOTE, json!({ "id": id }))
        .await;
    let result = &closed.data()["closeAmendmentVote"]["amendment"];
    assert_eq!(result["status"], json!("ADOPTED"));
    assert_eq!(result["adoptedVersion"], json!(2));
    assert_eq!(result["tally"]["yes"], json!(1.0));
    assert_eq!(result["tally"]["abstain"], json!(1.0));
    assert_eq!(result["tally"]["passed"], json!(true));
    assert_eq!(
        app.gql_as(&f.secretary.access_token, CLOSE_VOTE, json!({ "id": id }))
            .await
            .error_code(),
        "CONFLICT"
    );

    // Version 2 holds the change; version 1 is kept as it was.
    let versions = app
        .gql("{ bylaws { current { number articles { sections { text } } } versions { number } } old: bylawsVersion(number: 1) { articles { sections { text } } } diff: bylawsDiff(from: 1, to: 2) { change after { text } } }", json!({}))
        .await;
    let data = versions.data();
    assert_eq!(data["bylaws"]["current"]["number"], json!(2));
    assert_eq!(
        data["bylaws"]["current"]["articles"][0]["sections"][1]["text"],
        json!("The foundation builds an operating system owned by its community.")
    );
    assert_eq!(
        data["old"]["articles"][0]["sections"][1]["text"],
        json!("The foundation builds a community-owned operating system.")
    );
    assert_eq!(
        data["diff"],
        json!([{ "change": "MODIFIED", "after": { "text": "The foundation builds an operating system owned by its community." } }])
    );
}

#[tokio::test]
async fn a_vote_without_quorum_is_rejected() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let mut members = Vec::new();
    for i in 0..11 {
        members.push(
            a_contributor(app, &format!("Member {i}"), &f.committee)
                .await
                .0,
        );
    }
    let id = a_proposed_amendment(app, &members[0], &f.sections[1], "Shorter purpose.").await;
    open_vote(app, &f.secretary, &id, "MEMBERS").await.data();
    vote(app, &members[0], &id, "YES", None).await.data();
    time_runs_out(app).await;
    let closed = app
        .gql_as(&f.secretary.access_token, CLOSE_VOTE, json!({ "id": id }))
        .await;
    let result = &closed.data()["closeAmendmentVote"]["amendment"];
    assert_eq!(result["status"], json!("REJECTED"));
    assert_eq!(result["tally"]["quorumReached"], json!(false));
    assert_eq!(result["tally"]["eligibleVoters"], json!(11));
    assert_eq!(
        app.gql("{ bylaws { current { number } } }", json!({}))
            .await
            .data()["bylaws"]["current"]["number"],
        json!(1)
    );
}

#[tokio::test]
async fn the_board_decides_by_a_two_thirds_super_majority() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let (proposer, _) = a_contributor(app, "Ada", &f.committee).await;
    let directors = [
        a_person_with(app, "Dir One", Role::Board).await,
        a_person_with(app, "Dir Two", Role::Board).await,
        a_person_with(app, "Dir Three", Role::Board).await,
    ];
    // Two of three vote YES: two thirds voted and two thirds said yes.
    let first = a_proposed_amendment(app, &proposer, &f.sections[1], "First.").await;
    open_vote(app, &f.secretary, &first, "BOARD").await.data();
    assert_eq!(
        vote(app, &proposer, &first, "YES", None).await.error_code(),
        "FORBIDDEN"
    );
    vote(app, &directors[0], &first, "YES", None).await.data();
    vote(app, &directors[1], &first, "YES", None).await.data();
    time_runs_out(app).await;
    let adopted = app
        .gql_as(
            &f.secretary.access_token,
            CLOSE_VOTE,
            json!({ "id": first }),
        )
        .await;
    assert_eq!(
        adopted.data()["closeAmendmentVote"]["amendment"]["status"],
        json!("ADOPTED")
    );

    // One YES and one NO: quorum, but no super-majority.
    let second = a_proposed_amendment(app, &proposer, &f.sections[2], "Second.").await;
    open_vote(app, &f.secretary, &second, "BOARD").await.data();
    vote(app, &directors[0], &second, "YES", None).await.data();
    vote(app, &directors[1], &second, "NO", None).await.data();
    time_runs_out(app).await;
    let rejected = app
        .gql_as(
            &f.secretary.access_token,
            CLOSE_VOTE,
            json!({ "id": second }),
        )
        .await;
    let result = &rejected.data()["closeAmendmentVote"]["amendment"];
    assert_eq!(result["status"], json!("REJECTED"));
    assert_eq!(result["tally"]["quorumReached"], json!(true));
}

#[tokio::test]
async fn one_platinum_sponsor_cannot_outvote_three_contributors() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let treasurer = a_person_with(app, "Tess", Role::Treasurer).await;
    let contributors = [
        a_contributor(app, "Ada", &f.committee).await.0,
        a_contributor(app, "Grace", &f.committee).await.0,
        a_contributor(app, "Linus", &f.committee).await.0,
    ];
    let rep = a_person(app, "Rich").await;
    let org = an_organization(app, &rep, "MegaCorp").await;
    a_sponsorship(&org, "Platinum")
        .record(app, &treasurer)
        .await;

    let id = a_proposed_amendment(app, &contributors[0], &f.sections[1], "For the sponsors.").await;
    open_vote(app, &f.secretary, &id, "MEMBERS").await.data();
    vote(app, &rep, &id, "YES", None).await.data();
    for contributor in &contributors {
        vote(app, contributor, &id, "NO", None).await.data();
    }
    time_runs_out(app).await;
    let closed = app
        .gql_as(&f.secretary.access_token, CLOSE_VOTE, json!({ "id": id }))
        .await;
    let result = &closed.data()["closeAmendmentVote"]["amendment"];
    assert_eq!(result["status"], json!("REJECTED"), "{result:#}");
    let tally = &result["tally"];
    let scale = tally["sponsorScale"].as_f64().expect("scale");
    assert!(scale < 1.0);
    let share =
        tally["yes"].as_f64().expect("yes") / tally["eligibleWeight"].as_f64().expect("weight");
    assert!(
        (share - 0.49).abs() < 1e-6,
        "the sponsor holds exactly the cap: {share}"
    );
}

#[tokio::test]
async fn an_amendment_on_membership_rights_must_go_to_the_members() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let (ada, _) = a_contributor(app, "Ada", &f.committee).await;
    a_person_with(app, "Director", Role::Board).await;
    let id = a_proposed_amendment(app, &ada, &f.sections[2], "Only Sponsors vote.").await;
    let flag = "mutation($id: ID!) { setAmendmentAffectsMembershipRights(input: { amendmentId: $id, affectsMembershipRights: true }) { amendment { affectsMembershipRights } } }";
    assert_eq!(
        app.gql_as(&ada.access_token, flag, json!({ "id": id }))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    app.gql_as(&f.secretary.access_token, flag, json!({ "id": id }))
        .await
        .data();
    assert_eq!(
        open_vote(app, &f.secretary, &id, "BOARD")
            .await
            .error_field(),
        "input.body"
    );
    open_vote(app, &f.secretary, &id, "MEMBERS").await.data();
}

#[tokio::test]
async fn an_amendment_on_an_old_version_must_be_rebased() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let (ada, _) = a_contributor(app, "Ada", &f.committee).await;
    let first = a_proposed_amendment(app, &ada, &f.sections[1], "First change.").await;
    let second = a_proposed_amendment(app, &ada, &f.sections[0], "Second change.").await;
    open_vote(app, &f.secretary, &first, "MEMBERS").await.data();
    vote(app, &ada, &first, "YES", None).await.data();
    time_runs_out(app).await;
    app.gql_as(
        &f.secretary.access_token,
        CLOSE_VOTE,
        json!({ "id": first }),
    )
    .await
    .data();

    let refused = open_vote(app, &f.secretary, &second, "MEMBERS").await;
    assert_eq!(refused.error_code(), "CONFLICT");
    assert!(refused.error_message().contains("rebase"));
    let read = "query($id: ID!) { amendment(id: $id) { needsRebase baseVersion } }";
    assert_eq!(
        app.gql(read, json!({ "id": second })).await.data()["amendment"],
        json!({ "needsRebase": true, "baseVersion": 1 })
    );
    app.gql_as(&ada.access_token, "mutation($id: ID!) { rebaseAmendment(input: { amendmentId: $id }) { amendment { baseVersion } } }", json!({ "id": second }))
        .await
        .data();
    assert_eq!(
        app.gql(read, json!({ "id": second })).await.data()["amendment"],
        json!({ "needsRebase": false, "baseVersion": 2 })
    );
    open_vote(app, &f.secretary, &second, "MEMBERS")
        .await
        .data();
    // Once voting, it can no longer be rebased.
    let rebase = app
        .gql_as(
            &ada.access_token,
            "mutation($id: ID!) { rebaseAmendment(input: { amendmentId: $id }) { amendment { baseVersion } } }",
            json!({ "id": second }),
        )
        .await;
    assert_eq!(rebase.error_code(), "CONFLICT");
}

#[tokio::test]
async fn adoption_is_all_or_nothing() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let (ada, _) = a_contributor(app, "Ada", &f.committee).await;
    let id = a_proposed_amendment(app, &ada, &f.sections[1], "Atomic.").await;
    open_vote(app, &f.secretary, &id, "MEMBERS").await.data();
    vote(app, &ada, &id, "YES", None).await.data();
    time_runs_out(app).await;
    // Writing the new version fails midway.
    app.sql("ALTER TABLE bylaws_sections RENAME TO bylaws_sections_away")
        .await;
    let failed = app
        .gql_as(&f.secretary.access_token, CLOSE_VOTE, json!({ "id": id }))
        .await;
    assert_eq!(failed.error_code(), "INTERNAL_SERVER_ERROR");
    app.sql("ALTER TABLE bylaws_sections_away RENAME TO bylaws_sections")
        .await;
    // Nothing was half-applied: still voting, no tally, no version 2.
    let state = app.gql("query($id: ID!) { amendment(id: $id) { status tally { passed } } bylaws { versions { number } } }", json!({ "id": id })).await;
    assert_eq!(
        state.data()["amendment"],
        json!({ "status": "VOTING", "tally": null })
    );
    assert_eq!(state.data()["bylaws"]["versions"], json!([{ "number": 1 }]));
    let closed = app
        .gql_as(&f.secretary.access_token, CLOSE_VOTE, json!({ "id": id }))
        .await;
    assert_eq!(
        closed.data()["closeAmendmentVote"]["amendment"]["status"],
        json!("ADOPTED")
    );
}

#[tokio::test]
async fn the_audit_entries_alone_recount_the_tally() {
    let f = foundation().await;
    let app = &f.app;
    no_waiting(app, &f.admin).await;
    let treasurer = a_person_with(app, "Tess", Role::Treasurer).await;
    let (ada, _) = a_contributor(app, "Ada", &f.committee).await;
    let (grace, _) = a_contributor(app, "Grace", &f.committee).await;
    let rep = a_person(app, "Rich").await;
    let org = an_organization(app, &rep, "GoldCo").await;
    a_sponsorship(&org, "Gold").record(app, &treasurer).await;
    let id = a_proposed_amendment(app, &ada, &f.sections[1], "Recount me.").await;
    open_vote(app, &f.secretary, &id, "MEMBERS").await.data();
    vote(app, &ada, &id, "NO", None).await.data();
    vote(app, &ada, &id, "YES", None).await.data();
    vote(app, &grace, &id, "ABSTAIN", None).await.data();
    vote(app, &rep, &id, "YES", None).await.data();
    time_runs_out(app).await;
    let closed = app
        .gql_as(&f.secretary.access_token, CLOSE_VOTE, json!({ "id": id }))
        .await;
    let recorded = closed.data()["closeAmendmentVote"]["amendment"]["tally"].clone();

    // An outsider with the audit log: the roll and rules from `vote.opened`, the last choice of
    // each entry from `vote.cast` and `vote.changed`.
    let log = app
        .gql_as(&f.admin.access_token, "query($id: ID) { auditEvents(subjectId: $id, first: 100) { nodes { action summary } } }", json!({ "id": id }))
        .await;
    let entries: Vec<(String, Value)> = log.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| {
            (
                n["action"].as_str().unwrap_or_default().to_owned(),
                n["summary"].clone(),
            )
        })
        .collect();
    let opened = &entries
        .iter()
        .find(|(a, _)| a == "vote.opened")
        .expect("opened")
        .1;
    let mut choices = std::collections::HashMap::new();
    for (action, summary) in &entries {
        if action == "vote.cast" || action == "vote.changed" {
            choices.insert(
                summary["entry"].as_str().unwrap_or_default().to_owned(),
                summary["choice"].as_str().unwrap_or_default().to_owned(),
            );
        }
    }
    // The database drew each entry's key: a random (version 4) UUID, a different one each.
    let keys: std::collections::HashSet<uuid::Uuid> = opened["roll"]
        .as_array()
        .expect("roll")
        .iter()
        .map(|entry| {
            entry["entry"]
                .as_str()
                .expect("entry")
                .parse()
                .expect("a UUID")
        })
        .collect();
    assert_eq!(keys.len(), opened["roll"].as_array().expect("roll").len());
    assert!(
        keys.iter()
            .all(|key| key.get_version_num() == 4 && key.get_variant() == uuid::Variant::RFC4122)
    );
    use api::bylaws::tally::{Body, Choice, Rules, Voter, tally};
    let voters: Vec<Voter> = opened["roll"]
        .as_array()
        .expect("roll")
        .iter()
        .map(|entry| Voter {
            nominal_weight: entry["weight"].as_f64().expect("weight"),
            sponsor: entry["sponsor"].as_bool().expect("sponsor"),
            choice: choices
                .get(entry["entry"].as_str().unwrap_or_default())
                .map(|c| match c.as_str() {
                    "YES" => Choice::Yes,
                    "NO" => Choice::No,
                    _ => Choice::Abstain,
                }),
        })
        .collect();
    let rules = &opened["rules"];
    let recount = tally(
        Body::Members,
        &voters,
        &Rules {
            member_quorum_share: rules["memberQuorumShare"].as_f64().expect("rule"),
            member_quorum_weight_share: rules["memberQuorumWeightShare"].as_f64().expect("rule"),
            board_super_majority: rules["boardSuperMajority"].as_f64().expect("rule"),
            sponsor_influence_cap: rules["sponsorInfluenceCap"].as_f64().expect("rule"),
        },
    );
    assert_eq!(json!(recount.yes), recorded["yes"]);
    assert_eq!(json!(recount.no), recorded["no"]);
    assert_eq!(json!(recount.abstain), recorded["abstain"]);
    assert_eq!(json!(recount.eligible_weight), recorded["eligibleWeight"]);
    assert_eq!(json!(recount.passed), recorded["passed"]);
    assert_eq!(json!(recount.sponsor_scale), recorded["sponsorScale"]);
}

#[tokio::test]
async fn a_corrupt_stored_status_is_an_error_not_a_draft() {
    let f = foundation().await;
    let app = &f.app;
    let (ada, _) = a_contributor(app, "Ada", &f.committee).await;
    let id = a_proposed_amendment(app, &ada, &f.sections[1], "Corrupt me.").await;
    app.sql("UPDATE amendments SET status = 'MISLAID'").await;
    let read = app
        .gql_as(
            &f.secretary.access_token,
            "query($id: ID!) { amendment(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(read.error_code(), "INTERNAL_SERVER_ERROR");
    let comment = app
        .gql_as(
            &ada.access_token,
            "mutation($id: ID!) { commentOnAmendment(input: { amendmentId: $id, body: \"Hm.\" }) { comment { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(comment.error_code(), "INTERNAL_SERVER_ERROR");
}

#[tokio::test]
async fn only_an_admin_reads_and_changes_the_policy() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let secretary = a_person_with(&app, "Sami", Role::Secretary).await;
    let read = "{ governancePolicy { amendmentNoticeDays minimumVotingDays sponsorInfluenceCap gracePeriodDays } }";
    assert_eq!(
        app.gql(read, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql_as(&secretary.access_token, read, json!({}))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_as(&admin.access_token, read, json!({}))
            .await
            .data()["governancePolicy"],
        json!({ "amendmentNoticeDays": 10, "minimumVotingDays": 10, "sponsorInfluenceCap": 0.49, "gracePeriodDays": 30 })
    );
    let update = "mutation($input: UpdateGovernancePolicyInput!) { updateGovernancePolicy(input: $input) { policy { amendmentNoticeDays sponsorInfluenceCap gracePeriodDays } } }";
    let changed = app
        .gql_as(
            &admin.access_token,
            update,
            json!({ "input": { "sponsorInfluenceCap": 0.33 } }),
        )
        .await;
    assert_eq!(
        changed.data()["updateGovernancePolicy"]["policy"],
        json!({ "amendmentNoticeDays": 10, "sponsorInfluenceCap": 0.33, "gracePeriodDays": 30 })
    );
    assert_eq!(
        app.gql_as(
            &admin.access_token,
            update,
            json!({ "input": { "sponsorInfluenceCap": 1.5 } })
        )
        .await
        .error_field(),
        "input.sponsorInfluenceCap"
    );
    assert_eq!(
        app.gql_as(
            &admin.access_token,
            update,
            json!({ "input": { "gracePeriodDays": -1 } })
        )
        .await
        .error_field(),
        "input.gracePeriodDays"
    );
    assert_eq!(
        app.gql_as(
            &secretary.access_token,
            update,
            json!({ "input": { "gracePeriodDays": 1 } })
        )
        .await
        .error_code(),
        "FORBIDDEN"
    );
    let log = app
        .gql_as(
            &admin.access_token,
            "{ auditEvents(first: 100) { nodes { action } } }",
            json!({}),
        )
        .await;
    assert!(log.body.to_string().contains("policy.updated"));
}
