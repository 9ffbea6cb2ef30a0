//! A foundation with thousands of members opens a vote: every member on the roll is told once,
//! though the opening itself writes a single row and two replicas share the mail work.

use std::time::{Duration, Instant};

use entity::{email_message, prelude::EmailMessage, prelude::VoterRoll, voter_roll};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use tests::{TestApp, factories::an_amendment_in_voting};

/// More than two of the mail writer's statements of a thousand, and on SQLite more accounts
/// than one statement may bind.
const MEMBERS: usize = 2_500;

#[tokio::test]
async fn a_vote_on_a_large_roll_is_mailed_to_every_member_exactly_once() {
    let app = TestApp::new().await;
    api::bench_data::insert_members(app.db(), MEMBERS)
        .await
        .expect("seed the members");
    // A mailing this version cannot read (written by another one, say) waits first in line;
    // it must not hold up the vote's mail behind it.
    entity::mailing::ActiveModel {
        id: Set(api::ids::new_key()),
        mail: Set("{\"kind\":\"somethingNew\"}".to_owned()),
        roll_kind: Set(entity::mailing::RollKind::Amendment),
        roll_id: Set(api::ids::new_key()),
        created_at: Set(chrono::Utc::now() - chrono::Duration::hours(1)),
        expanded_at: Set(None),
    }
    .insert(app.db())
    .await
    .expect("insert an unreadable mailing");
    let (ada, amendment) = an_amendment_in_voting(&app, "Longer terms").await;

    // The opening wrote no message itself: the roll's mail is written after the commit.
    let vote_opened = || EmailMessage::find().filter(email_message::Column::Kind.eq("vote_opened"));
    assert_eq!(vote_opened().count(app.db()).await.expect("count"), 0);

    // Two replicas with mail workers, as behind a load balancer.
    let _one = app.replica_with(tests::notifications::fast).await;
    let _two = app.replica_with(tests::notifications::fast).await;

    let (_, amendment_id) = api::ids::decode(&amendment).expect("the amendment's key");
    let roll = VoterRoll::find()
        .filter(voter_roll::Column::AmendmentId.eq(amendment_id))
        .count(app.db())
        .await
        .expect("count the roll") as usize;
    assert!(roll > MEMBERS, "the roll holds every member: {roll}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while (vote_opened().count(app.db()).await.expect("count") as usize) < roll {
        assert!(
            Instant::now() < deadline,
            "the roll's mail was not written in time"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give a second writer time to do it all again, if it were going to.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let addresses: Vec<String> = vote_opened()
        .select_only()
        .column(email_message::Column::ToAddress)
        .into_tuple()
        .all(app.db())
        .await
        .expect("read the messages");
    assert_eq!(addresses.len(), roll, "one message per member on the roll");
    let distinct: std::collections::BTreeSet<&String> = addresses.iter().collect();
    assert_eq!(distinct.len(), roll, "nobody is told twice");
    assert!(distinct.contains(&ada.email));
    assert!(distinct.contains(&"member2499@bench.quorum.test".to_owned()));
}
