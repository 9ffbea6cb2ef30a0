//! Board and elections: the whole life of an election for each role, the board of record and
//! the BOARD role following it, the community seat, the influence cap on ballot weights, the
//! organization rule, the term limit, board size violations, secrecy and races.

mod ballot_receipts;
mod blt_export;
mod board;
mod certification;
mod eligibility_reasons;
mod nomination_privacy;
mod notices;
mod races;
mod recusal;
mod rules;
mod secrecy;
mod turnout;
mod uniform_ballots;

use api::auth::Role;
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tests::{
    TestApp,
    factories::{Person, a_contributor, a_person, a_person_with},
};

/// A foundation ready to elect: an admin, an election committee, a membership committee, and a
/// policy with no waiting periods (as a test deployment sets it).
pub struct Foundation {
    pub app: TestApp,
    pub admin: Person,
    pub committee: Person,
    pub membership: Person,
}

pub async fn foundation() -> Foundation {
    foundation_with(TestApp::new().await).await
}

/// A foundation ready to elect, on `app` (configured as the test needs).
pub async fn foundation_with(app: TestApp) -> Foundation {
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let committee = a_person_with(&app, "Elena", Role::ElectionCommittee).await;
    let membership = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    app.gql_as(
        &admin.access_token,
        "mutation { updateGovernancePolicy(input: { nomineeListClosesDaysBefore: 0, minimumElectionDays: 0, nomineeStandingMonths: 0 }) { policy { minimumElectionDays } } }",
        json!({}),
    )
    .await
    .data();
    Foundation {
        app,
        admin,
        committee,
        membership,
    }
}

impl Foundation {
    /// A Contributor in good standing for years.
    pub async fn member(&self, name: &str) -> Person {
        let (person, membership) = a_contributor(&self.app, name, &self.membership).await;
        let key = api::ids::decode(&membership).expect("an id").1;
        self.backdate(key).await;
        person
    }

    /// Makes a membership older, as if it began in 2020.
    pub async fn backdate(&self, membership: uuid::Uuid) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        entity::prelude::Membership::update_many()
            .col_expr(
                entity::membership::Column::Since,
                Expr::value(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("date")),
            )
            .filter(entity::membership::Column::Id.eq(membership))
            .exec(self.app.db())
            .await
            .expect("backdate the membership");
    }

    /// The committee creates an election and opens nominations; returns its ID.
    pub async fn election(&self, kind: &str, seats: i32) -> String {
        let now = Utc::now();
        let created = self
            .app
            .gql_as(
                &self.committee.access_token,
                CREATE,
                json!({ "input": {
                    "title": "Board election",
                    "kind": kind,
                    "seats": seats,
                    "nominationsCloseAt": (now + Duration::hours(1)).to_rfc3339(),
                    "votingOpensAt": (now + Duration::hours(1)).to_rfc3339(),
                    "votingClosesAt": (now + Duration::hours(2)).to_rfc3339(),
                } }),
            )
            .await;
        let id = created.data()["createElection"]["election"]["id"]
            .as_str()
            .expect("an election id")
            .to_owned();
        self.step("openNominations", &id).await.data();
        id
    }

    /// The committee runs `step` (openNominations, openElectionVoting, closeElection,
    /// certifyElection) on the election.
    pub async fn step(&self, step: &str, election: &str) -> tests::Gql {
        self.app
            .gql_as(
                &self.committee.access_token,
                &format!(
                    "mutation($id: ID!) {{ {step}(input: {{ electionId: $id }}) {{ election {{ id state rollSize extensions result {{ elected {{ id nominee {{ displayName }} }} }} }} }} }}"
                ),
                json!({ "id": election }),
            )
            .await
    }

    /// `nominator` nominates `nominee`; returns the response.
    pub async fn nominate(
        &self,
        nominator: &Person,
        election: &str,
        nominee: &Person,
    ) -> tests::Gql {
        self.app
            .gql_as(
                &nominator.access_token,
                NOMINATE,
                json!({ "input": { "electionId": election, "nomineeAccountId": nominee.id, "statement": "A good steward." } }),
            )
            .await
    }

    /// `nominator` nominates `nominee`, who accepts; returns the nomination's ID.
    pub async fn candidate(&self, nominator: &Person, election: &str, nominee: &Person) -> String {
        let id = self.nominated(nominator, election, nominee).await;
        self.respond(nominee, &id, json!({ "accept": true }))
            .await
            .data();
        id
    }

    /// `nominee` answers `nomination` with `answer` (accept, statement, organizationId, …).
    pub async fn respond(&self, nominee: &Person, nomination: &str, answer: Value) -> tests::Gql {
        let mut input = answer;
        input["nominationId"] = json!(nomination);
        self.app
            .gql_as(
                &nominee.access_token,
                "mutation($input: RespondToNominationInput!) { respondToNomination(input: $input) { nomination { id accepted response organization { name } } } }",
                json!({ "input": input }),
            )
            .await
    }

    /// The nominee list closes and voting opens; returns the roll's size.
    pub async fn open_voting(&self, election: &str) -> u64 {
        self.app
            .sql("UPDATE elections SET nominations_close_at = '2020-01-01 00:00:00+00:00', voting_opens_at = '2020-01-01 00:00:00+00:00' WHERE state = 'NOMINATING'")
            .await;
        let opened = self.step("openElectionVoting", election).await;
        opened.data()["openElectionVoting"]["election"]["rollSize"]
            .as_u64()
            .expect("a roll size")
    }

    /// `voter` ranks `ranking`; returns the response.
    pub async fn cast(&self, voter: &Person, election: &str, ranking: &[&str]) -> tests::Gql {
        self.cast_for(voter, election, ranking, None).await
    }

    pub async fn cast_for(
        &self,
        voter: &Person,
        election: &str,
        ranking: &[&str],
        membership: Option<&str>,
    ) -> tests::Gql {
        self.app
            .gql_as(
                &voter.access_token,
                CAST,
                json!({ "input": { "electionId": election, "ranking": ranking, "membershipId": membership } }),
            )
            .await
    }

    /// Voting's time runs out and the committee closes it; returns the election as closed.
    pub async fn close(&self, election: &str) -> Value {
        voting_time_runs_out(&self.app).await;
        let closed = self.step("closeElection", election).await;
        closed.data()["closeElection"]["election"].clone()
    }

    /// An administrator changes the policy: `change` is the fields of
    /// `UpdateGovernancePolicyInput`, as in `nomineeStandingMonths: 3`.
    pub async fn set_policy(&self, change: &str) {
        self.app
            .gql_as(
                &self.admin.access_token,
                &format!(
                    "mutation {{ updateGovernancePolicy(input: {{ {change} }}) {{ policy {{ boardMaximumSize }} }} }}"
                ),
                json!({}),
            )
            .await
            .data();
    }

    /// `nominator` nominates `nominee`, who has not answered yet; returns the nomination's ID.
    pub async fn nominated(&self, nominator: &Person, election: &str, nominee: &Person) -> String {
        let nominated = self.nominate(nominator, election, nominee).await;
        nominated.data()["nominate"]["nomination"]["id"]
            .as_str()
            .expect("a nomination id")
            .to_owned()
    }

    /// `nomination` in `election` as the election committee reads it: eligibility with its
    /// reason, and the organization the nominee declared.
    pub async fn nominee(&self, election: &str, nomination: &str) -> Value {
        let read = self
            .app
            .gql_as(
                &self.committee.access_token,
                "query($id: ID!) { election(id: $id) { nominees { id eligible eligibility { reason message } organization { name } } } }",
                json!({ "id": election }),
            )
            .await;
        read.data()["election"]["nominees"]
            .as_array()
            .and_then(|list| list.iter().find(|n| n["id"] == nomination).cloned())
            .unwrap_or(Value::Null)
    }

    /// An election of `kind` for one seat that `winner` won, nominated by `voter`, who alone
    /// votes; closed and counted, not yet certified. Returns the election and the nomination.
    pub async fn won_by(&self, kind: &str, voter: &Person, winner: &Person) -> (String, String) {
        let election = self.election(kind, 1).await;
        let nomination = self.candidate(voter, &election, winner).await;
        self.open_voting(&election).await;
        self.cast(voter, &election, &[&nomination]).await.data();
        let closed = self.close(&election).await;
        assert_eq!(ids(&closed["result"]["elected"]), vec![nomination.clone()]);
        (election, nomination)
    }

    /// The ballots of the organization stories, for nominees Bob, Cy and Ada: `voters` rank Bob
    /// then Cy, `cy` ranks herself then Bob, and `last` ranks only Ada. Bob and Cy lead, so Ada
    /// takes the second seat only when the organization rule excludes Cy. Closes the election
    /// and returns the result.
    pub async fn bob_and_cy_lead(
        &self,
        election: &str,
        [bob_n, cy_n, ada_n]: [&str; 3],
        voters: [&Person; 3],
        cy: &Person,
        last: &Person,
    ) -> Value {
        for voter in voters {
            self.cast(voter, election, &[bob_n, cy_n]).await.data();
        }
        self.cast(cy, election, &[cy_n, bob_n]).await.data();
        self.cast(last, election, &[ada_n]).await.data();
        self.close(election).await;
        self.result(election).await
    }

    /// The election's result as anyone reads it.
    pub async fn result(&self, election: &str) -> Value {
        let read = self.app.gql(RESULT, json!({ "id": election })).await;
        read.data()["election"]["result"].clone()
    }
}

/// The planned close passes.
pub async fn voting_time_runs_out(app: &TestApp) {
    app.sql("UPDATE elections SET voting_closes_at = '2020-01-01 00:00:00+00:00' WHERE state = 'VOTING'")
        .await;
}

pub const CREATE: &str = "mutation($input: CreateElectionInput!) { createElection(input: $input) { election { id state kind seats } } }";
pub const NOMINATE: &str =
    "mutation($input: NominateInput!) { nominate(input: $input) { nomination { id accepted } } }";
pub const CAST: &str =
    "mutation($input: CastBallotInput!) { castBallot(input: $input) { receipt } }";
pub const RESULT: &str = "query($id: ID!) { election(id: $id) { state result {
  method quota seats totalWeight seed sponsorScale castSponsorScale
  elected { id nominee { displayName } } electedIds drawOrder { id } drawOrderIds
  rounds { number end tallies { nominationId nomination { id } votes keepFactor status }
    elected { id } excluded { id } defeated { id } electedIds excludedIds defeatedIds exhausted }
  ballots { receipt ranking weight }
  blt
} } }";

/// The hex SHA-256 of a receipt: what the published ballots show.
pub fn receipt_hash(receipt: &str) -> String {
    Sha256::digest(receipt.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The receipt in a castBallot response.
pub fn receipt(cast: &tests::Gql) -> String {
    cast.data()["castBallot"]["receipt"]
        .as_str()
        .expect("a receipt")
        .to_owned()
}

/// Recounts the published BLT with Quorum's own count, reading the file alone: its withdrawn
/// candidates and its `[tie …]` order (or, without one, the draw seeded by the SHA-256 of the
/// file), and returns the elected nomination IDs (BLT names the nominees by nomination ID).
pub fn recount(blt: &str) -> Vec<String> {
    use api::elections::{blt, count};
    let parsed = blt::from_blt(blt).expect("the BLT parses");
    let counted = match parsed.draw_order.clone() {
        Some(order) => {
            count::count_with_draw_order(&parsed.candidates, parsed.seats, &parsed.ballots, order)
        }
        None => {
            let seed = Sha256::digest(blt::seed_text(blt).as_bytes());
            count::count(&parsed.candidates, parsed.seats, &parsed.ballots, &seed)
        }
    }
    .expect("the BLT counts");
    counted
        .elected
        .iter()
        .map(|&i| parsed.candidates[i].id.clone())
        .collect()
}

pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|x| {
            x["id"]
                .as_str()
                .map_or_else(|| x.as_str().expect("an id").to_owned(), str::to_owned)
        })
        .collect()
}

#[tokio::test]
async fn an_election_runs_from_nominations_to_a_seated_board() {
    let f = foundation().await;
    let app = &f.app;
    let outsider = a_person(app, "Otto").await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let cy = f.member("Cy").await;
    let dee = f.member("Dee").await;
    let finn = f.member("Finn").await;
    let gus = f.member("Gus").await;
    // Eve joined today: not yet 3 months in good standing.
    let (eve, _) = a_contributor(app, "Eve", &f.membership).await;
    f.set_policy("nomineeStandingMonths: 3").await;

    // Only the election committee creates and runs elections.
    let now = Utc::now();
    let input = json!({ "input": {
        "title": "Board election 2027", "kind": "GENERAL", "seats": 2,
        "nominationsCloseAt": (now + Duration::hours(1)).to_rfc3339(),
        "votingOpensAt": (now + Duration::hours(1)).to_rfc3339(),
        "votingClosesAt": (now + Duration::hours(2)).to_rfc3339(),
    } });
    assert_eq!(
        app.gql_as(&ada.access_token, CREATE, input.clone())
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let election = f.election("GENERAL", 2).await;
    let read = "query($id: ID!) { election(id: $id) { state kind seats nominees { id nominee { displayName } accepted eligible eligibility { reason message } disqualified disqualifiedReason onBallot } turnout { voted rollSize } } }";
    assert_eq!(
        app.gql(read, json!({ "id": election })).await.data()["election"]["state"],
        json!("NOMINATING")
    );

    // Members in good standing nominate others, never themselves; outsiders do not nominate.
    assert_eq!(
        f.nominate(&ada, &election, &ada).await.error_field(),
        "input.nomineeAccountId"
    );
    assert_eq!(
        f.nominate(&outsider, &election, &bob).await.error_code(),
        "FORBIDDEN"
    );
    let bob_n = f.candidate(&ada, &election, &bob).await;
    let cy_n = f.candidate(&ada, &election, &cy).await;
    let dee_n = f.candidate(&bob, &election, &dee).await;
    let eve_n = f.candidate(&ada, &election, &eve).await;
    let gus_n = f.candidate(&ada, &election, &gus).await;
    assert_eq!(
        f.nominate(&cy, &election, &bob).await.error_code(),
        "CONFLICT",
        "one nomination per person"
    );
    let finn_nominated = f.nominate(&ada, &election, &finn).await;
    let finn_n = finn_nominated.data()["nominate"]["nomination"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        f.respond(&ada, &finn_n, json!({ "accept": true }))
            .await
            .error_code(),
        "FORBIDDEN",
        "only the nominee answers"
    );
    let declined = f.respond(&finn, &finn_n, json!({ "accept": false })).await;
    assert_eq!(
        declined.data()["respondToNomination"]["nomination"]["response"],
        json!("DECLINED")
    );
    // The committee disqualifies Gus, with a reason; members cannot.
    let disqualify = "mutation($input: DisqualifyNomineeInput!) { disqualifyNominee(input: $input) { nomination { disqualified disqualifiedReason } } }";
    let input = json!({ "input": { "nominationId": gus_n, "reason": "Not a natural person." } });
    assert_eq!(
        app.gql_as(&ada.access_token, disqualify, input.clone())
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let disqualified = app
        .gql_as(&f.committee.access_token, disqualify, input)
        .await;
    assert_eq!(
        disqualified.data()["disqualifyNominee"]["nomination"]["disqualified"],
        json!(true)
    );

    // Anyone sees the accepted nominees and whether they are eligible; the committee also sees
    // why not.
    let public = app.gql(read, json!({ "id": election })).await;
    let eve_public = public.data()["election"]["nominees"]
        .as_array()
        .expect("nominees")
        .iter()
        .find(|n| n["id"] == json!(eve_n))
        .cloned()
        .expect("Eve is listed");
    assert_eq!(eve_public["eligible"], json!(false));
    assert_eq!(
        eve_public["eligibility"],
        json!({ "reason": null, "message": null })
    );
    let nominees = app
        .gql_as(&f.committee.access_token, read, json!({ "id": election }))
        .await;
    let list = nominees.data()["election"]["nominees"]
        .as_array()
        .expect("nominees")
        .clone();
    let by_id = |id: &str| {
        list.iter()
            .find(|n| n["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(by_id(&bob_n)["eligible"], json!(true));
    assert_eq!(by_id(&eve_n)["eligible"], json!(false));
    assert_eq!(by_id(&eve_n)["eligibility"]["reason"], json!("STANDING"));
    assert!(
        by_id(&eve_n)["eligibility"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("3 months"))
    );
    assert_eq!(
        by_id(&gus_n)["disqualifiedReason"],
        json!("Not a natural person.")
    );
    assert!(
        public.data()["election"]["nominees"]
            .as_array()
            .expect("nominees")
            .iter()
            .all(|n| n["id"] != json!(finn_n)),
        "a declined nomination is not public"
    );
    assert_eq!(
        by_id(&finn_n)["accepted"],
        json!(false),
        "the committee sees it"
    );

    // Voting opens: the roll and the nominee list freeze.
    let early = f.step("openElectionVoting", &election).await;
    assert_eq!(early.error_code(), "CONFLICT", "not before the list closes");
    let roll_size = f.open_voting(&election).await;
    assert_eq!(roll_size, 7);
    let on_ballot = app.gql(read, json!({ "id": election })).await;
    let on_ballot: Vec<String> = on_ballot.data()["election"]["nominees"]
        .as_array()
        .expect("nominees")
        .iter()
        .filter(|n| n["onBallot"] == json!(true))
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(on_ballot, vec![bob_n.clone(), cy_n.clone(), dee_n.clone()]);

    // Members see that they may vote, cast once, and keep a receipt.
    let mine = "query($id: ID!) { election(id: $id) { viewerCanVote viewerHasVoted viewerRollEntries { nominalWeight voted } } }";
    let before = app
        .gql_as(&ada.access_token, mine, json!({ "id": election }))
        .await;
    assert_eq!(before.data()["election"]["viewerCanVote"], json!(true));
    assert_eq!(
        f.cast(&ada, &election, &[&eve_n]).await.error_field(),
        "input.ranking",
        "Eve is not on the ballot"
    );
    assert_eq!(
        f.cast(&ada, &election, &[&bob_n, &bob_n])
            .await
            .error_field(),
        "input.ranking"
    );
    assert_eq!(
        f.cast(&outsider, &election, &[&bob_n]).await.error_code(),
        "FORBIDDEN"
    );
    let ballots: Vec<(&Person, Vec<&str>)> = vec![
        (&ada, vec![&bob_n, &cy_n]),
        (&bob, vec![&bob_n]),
        (&cy, vec![&cy_n]),
        (&dee, vec![&bob_n, &dee_n]),
        (&eve, vec![&cy_n]),
        (&finn, vec![&dee_n]),
    ];
    let mut receipts = Vec::new();
    for (voter, ranking) in &ballots {
        let cast = f.cast(voter, &election, ranking).await;
        receipts.push((receipt(&cast), ranking.clone()));
    }
    assert_eq!(
        f.cast(&ada, &election, &[&cy_n]).await.error_code(),
        "CONFLICT",
        "a ballot cannot be changed"
    );
    let after = app
        .gql_as(&ada.access_token, mine, json!({ "id": election }))
        .await;
    assert_eq!(
        after.data()["election"],
        json!({ "viewerCanVote": false, "viewerHasVoted": true, "viewerRollEntries": [{ "nominalWeight": 1, "voted": true }] })
    );
    let turnout = app.gql(read, json!({ "id": election })).await;
    assert_eq!(
        turnout.data()["election"]["turnout"],
        json!({ "voted": 6, "rollSize": 7 })
    );
    assert_eq!(
        app.gql(RESULT, json!({ "id": election })).await.data()["election"]["result"],
        Value::Null,
        "no partial results while voting"
    );

    // The close counts; the result is published with every ballot and the BLT.
    assert_eq!(
        f.step("closeElection", &election).await.error_code(),
        "CONFLICT",
        "not before the planned close"
    );
    let closed = f.close(&election).await;
    assert_eq!(closed["state"], json!("CLOSED"));
    let result = f.result(&election).await;
    let elected = ids(&result["elected"]);
    assert_eq!(elected, vec![bob_n.clone(), cy_n.clone()]);
    assert_eq!(result["elected"][0]["nominee"]["displayName"], json!("Bob"));
    assert_eq!(result["rounds"][0]["electedIds"], json!([bob_n]));
    // Every nomination in the result is an object beside its ID, the same one, so a normalized
    // cache merges it with the election's nominees.
    assert_eq!(ids(&result["electedIds"]), elected);
    assert_eq!(ids(&result["drawOrder"]), ids(&result["drawOrderIds"]));
    assert_eq!(ids(&result["drawOrder"]).len(), 3);
    for round in result["rounds"].as_array().expect("rounds") {
        for list in ["elected", "excluded", "defeated"] {
            assert_eq!(
                ids(&round[list]),
                ids(&round[format!("{list}Ids").as_str()])
            );
        }
        for tally in round["tallies"].as_array().expect("tallies") {
            assert_eq!(tally["nomination"]["id"], tally["nominationId"]);
        }
    }
    assert_eq!(
        result["rounds"][0]["tallies"][0],
        json!({ "nominationId": bob_n, "nomination": { "id": bob_n }, "votes": "3.000000000", "keepFactor": "1.000000000", "status": "ELECTED" }),
        "Bob has 3 first preferences of 6, over the quota of 2"
    );
    assert_eq!(
        result["quota"]
            .as_str()
            .map(|q| q.split('.').nth(1).map(str::len)),
        Some(Some(9))
    );
    // Each voter finds their receipt's hash beside their ranking.
    let published = result["ballots"].as_array().expect("ballots");
    assert_eq!(published.len(), 6);
    for (receipt, ranking) in &receipts {
        let hash = receipt_hash(receipt);
        let mine = published
            .iter()
            .find(|b| b["receipt"] == json!(hash))
            .expect("my ballot is published");
        assert_eq!(mine["ranking"], json!(ranking));
        assert_eq!(mine["weight"], json!("1.000000000"));
    }
    // The BLT, recounted by the same counting code, gives the published result.
    let blt = result["blt"].as_str().expect("blt");
    assert_eq!(
        result["seed"],
        json!(receipt_hash(&api::elections::blt::seed_text(blt)))
    );
    assert_eq!(recount(blt), elected);

    // Certification seats the winners; the BOARD role follows the directorships.
    let roles = "{ viewer { roles } }";
    assert_eq!(
        app.gql_as(&bob.access_token, roles, json!({})).await.data()["viewer"]["roles"],
        json!([])
    );
    let certified = f.step("certifyElection", &election).await;
    assert_eq!(
        certified.data()["certifyElection"]["election"]["state"],
        json!("CERTIFIED")
    );
    assert_eq!(
        app.gql_as(&bob.access_token, roles, json!({})).await.data()["viewer"]["roles"],
        json!(["BOARD"])
    );
    let board = app
        .gql("{ board { directors { person { displayName } kind termStartsOn termEndsOn } size minimumSize maximumSize violations } }", json!({}))
        .await;
    let board = &board.data()["board"];
    assert_eq!(board["size"], json!(2));
    assert_eq!(board["minimumSize"], json!(7));
    assert_eq!(board["maximumSize"], json!(13));
    let names: Vec<_> = board["directors"]
        .as_array()
        .expect("directors")
        .iter()
        .map(|d| {
            d["person"]["displayName"]
                .as_str()
                .expect("name")
                .to_owned()
        })
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Bob".to_owned()) && names.contains(&"Cy".to_owned()));
    assert_eq!(board["directors"][0]["kind"], json!("GENERAL"));
    let today = Utc::now().date_naive();
    assert_eq!(
        board["directors"][0]["termStartsOn"],
        json!(today.to_string())
    );
    assert_eq!(
        board["directors"][0]["termEndsOn"],
        json!(
            today
                .checked_add_months(chrono::Months::new(36))
                .expect("date")
                .to_string()
        )
    );
    assert!(
        board["violations"][0]
            .as_str()
            .is_some_and(|v| v.contains("at least 7")),
        "{board}"
    );

    // The BOARD role is never granted by hand.
    let grant = app
        .gql_as(
            &f.admin.access_token,
            "mutation($input: RoleChangeInput!) { grantRole(input: $input) { account { roles } } }",
            json!({ "input": { "accountId": ada.id, "role": "BOARD" } }),
        )
        .await;
    assert_eq!(grant.error_code(), "BAD_USER_INPUT");
    assert_eq!(grant.error_field(), "input.role");
    // And certification happens once.
    assert_eq!(
        f.step("certifyElection", &election).await.error_code(),
        "CONFLICT"
    );
}

#[tokio::test]
async fn an_election_is_cancelled_before_its_close_with_a_reason() {
    let f = foundation().await;
    let election = f.election("GENERAL", 3).await;
    let cancel = "mutation($input: CancelElectionInput!) { cancelElection(input: $input) { election { state cancelReason } } }";
    let blank = f
        .app
        .gql_as(
            &f.committee.access_token,
            cancel,
            json!({ "input": { "electionId": election, "reason": "  " } }),
        )
        .await;
    assert_eq!(blank.error_field(), "input.reason");
    let cancelled = f
        .app
        .gql_as(
            &f.committee.access_token,
            cancel,
            json!({ "input": { "electionId": election, "reason": "The bylaws changed the board's size." } }),
        )
        .await;
    assert_eq!(
        cancelled.data()["cancelElection"]["election"],
        json!({ "state": "CANCELLED", "cancelReason": "The bylaws changed the board's size." })
    );
    assert_eq!(
        f.step("openElectionVoting", &election).await.error_code(),
        "CONFLICT"
    );
}

#[tokio::test]
async fn the_time_rules_come_from_the_policy() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Elena", Role::ElectionCommittee).await;
    let now = Utc::now();
    // By default the list closes 10 days before voting, and voting lasts 10 days.
    let create = |close: i64, open: i64, end: i64| {
        json!({ "input": {
            "title": "Board election", "kind": "GENERAL", "seats": 3,
            "nominationsCloseAt": (now + Duration::days(close)).to_rfc3339(),
            "votingOpensAt": (now + Duration::days(open)).to_rfc3339(),
            "votingClosesAt": (now + Duration::days(end)).to_rfc3339(),
        } })
    };
    let too_late = app
        .gql_as(&committee.access_token, CREATE, create(5, 10, 30))
        .await;
    assert_eq!(too_late.error_field(), "input.nominationsCloseAt");
    let too_short = app
        .gql_as(&committee.access_token, CREATE, create(5, 15, 20))
        .await;
    assert_eq!(too_short.error_field(), "input.votingClosesAt");
    let community = json!({ "input": {
        "title": "Community Director", "kind": "COMMUNITY", "seats": 2,
        "nominationsCloseAt": (now + Duration::days(5)).to_rfc3339(),
        "votingOpensAt": (now + Duration::days(15)).to_rfc3339(),
        "votingClosesAt": (now + Duration::days(25)).to_rfc3339(),
    } });
    assert_eq!(
        app.gql_as(&committee.access_token, CREATE, community)
            .await
            .error_field(),
        "input.seats"
    );
    let fine = app
        .gql_as(&committee.access_token, CREATE, create(5, 15, 25))
        .await;
    assert_eq!(
        fine.data()["createElection"]["election"]["state"],
        json!("DRAFT")
    );
    // A draft is the committee's; the public does not see it.
    let id = fine.data()["createElection"]["election"]["id"].clone();
    assert_eq!(
        app.gql(
            "query($id: ID!) { election(id: $id) { state } }",
            json!({ "id": id })
        )
        .await
        .data()["election"],
        Value::Null
    );
    let policy = app
        .gql_as(
            &a_person_with(&app, "Root", Role::Admin).await.access_token,
            "{ governancePolicy { directorTermYears maxConsecutiveTerms nomineeStandingMonths nomineeListClosesDaysBefore minimumElectionDays electionTurnoutExtension { threshold days maxTimes } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        policy.data()["governancePolicy"],
        json!({ "directorTermYears": 3, "maxConsecutiveTerms": 2, "nomineeStandingMonths": 3, "nomineeListClosesDaysBefore": 10, "minimumElectionDays": 10, "electionTurnoutExtension": { "threshold": 0.0, "days": 0, "maxTimes": 0 } })
    );
}
