//! The tally of an amendment vote, as a pure function of the frozen voter roll, the votes and
//! the policy. Anyone holding the audit entries can run the same arithmetic to recount.
//!
//! Members vote by weight. Paying members (Sponsor memberships) together may hold at most
//! `sponsor_influence_cap` of the eligible weight: when their nominal weight would pass it, each
//! sponsor's weight is scaled by one factor so that the cap holds exactly. Quorum needs both a
//! share of the eligible members and a share of the eligible weight to have voted (abstentions
//! count); the amendment passes on a simple majority of the weighted YES and NO votes.
//!
//! The board votes one director, one vote: a super-majority of the directors in office must
//! vote, and the same share of the directors in office must vote YES.

/// The name a recount uses for who decides: the stored voting body itself.
pub use entity::amendment::VoteBody as Body;
/// The name a recount from the audit log uses for a vote: the stored choice itself.
pub use entity::amendment_vote::VoteChoice as Choice;

/// One voter on the frozen roll.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Voter {
    /// The weight before the cap: the class's or the sponsor tier's.
    pub nominal_weight: f64,
    /// Whether this is a paying (Sponsor) membership, subject to the cap.
    pub sponsor: bool,
    /// The vote cast, if any.
    pub choice: Option<Choice>,
}

/// The numbers of the policy the tally uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rules {
    pub member_quorum_share: f64,
    pub member_quorum_weight_share: f64,
    pub board_super_majority: f64,
    pub sponsor_influence_cap: f64,
}

/// The recorded result of a closed vote.
// Stored through its own versioned type (`amendments::results::StoredTally`), so renaming a field
// here changes the API, never the rows already stored.
#[derive(Clone, Copy, Debug, PartialEq, async_graphql::SimpleObject)]
#[graphql(name = "AmendmentTally")]
pub struct Tally {
    /// Effective weight of YES votes (for the board, the number of directors).
    pub yes: f64,
    /// Effective weight of NO votes.
    pub no: f64,
    /// Effective weight of abstentions.
    pub abstain: f64,
    /// Effective weight of the whole roll.
    pub eligible_weight: f64,
    /// Voters on the roll.
    pub eligible_voters: u64,
    /// Voters who cast a vote.
    pub voters: u64,
    /// The factor the influence cap applied to each sponsor's weight; 1 when it did not bind.
    pub sponsor_scale: f64,
    /// Whether quorum was reached.
    pub quorum_reached: bool,
    /// Whether the amendment passed.
    pub passed: bool,
}

/// Allows for rounding in comparisons of shares.
const EPSILON: f64 = 1e-9;

/// The factor that brings the sponsors' share of the eligible weight down to `cap`, or 1 when it
/// is already within it. With no weight beyond the sponsors', no positive factor can meet the
/// cap, and the sponsors' weight is scaled to nothing.
pub fn sponsor_scale(sponsor_weight: f64, other_weight: f64, cap: f64) -> f64 {
    if sponsor_weight <= 0.0 {
        return 1.0;
    }
    let total = sponsor_weight + other_weight;
    if sponsor_weight / total <= cap + EPSILON {
        return 1.0;
    }
    if other_weight <= 0.0 || cap <= 0.0 {
        return 0.0;
    }
    // f·S / (f·S + N) = c  ⇔  f = c·N / (S·(1 − c))
    (cap * other_weight / (sponsor_weight * (1.0 - cap))).min(1.0)
}

/// Tallies a vote.
pub fn tally(body: Body, roll: &[Voter], rules: &Rules) -> Tally {
    match body {
        Body::Members => members(roll, rules),
        Body::Board => board(roll, rules),
    }
}

fn members(roll: &[Voter], rules: &Rules) -> Tally {
    // Nominal weights are whole numbers, so these sums are exact whatever the order; scaling
    // once afterwards makes the tally independent of the roll's order, and a recount equal to
    // the bit.
    let nominal = |sponsor: bool, choice: Option<Choice>| -> f64 {
        roll.iter()
            .filter(|v| v.sponsor == sponsor && (choice.is_none() || v.choice == choice))
            .map(|v| v.nominal_weight)
            .sum()
    };
    let sponsor_nominal = nominal(true, None);
    let other = nominal(false, None);
    let scale = sponsor_scale(sponsor_nominal, other, rules.sponsor_influence_cap);
    let weight =
        |choice: Choice| nominal(true, Some(choice)) * scale + nominal(false, Some(choice));
    let (yes, no, abstain) = (
        weight(Choice::Yes),
        weight(Choice::No),
        weight(Choice::Abstain),
    );
    let eligible_weight = sponsor_nominal * scale + other;
    let eligible_voters = roll.len() as u64;
    let voters = roll.iter().filter(|v| v.choice.is_some()).count() as u64;
    let quorum_reached = eligible_voters > 0
        && voters as f64 + EPSILON >= rules.member_quorum_share * eligible_voters as f64
        && yes + no + abstain + EPSILON >= rules.member_quorum_weight_share * eligible_weight;
    Tally {
        yes,
        no,
        abstain,
        eligible_weight,
        eligible_voters,
        voters,
        sponsor_scale: scale,
        quorum_reached,
        passed: quorum_reached && yes > no + EPSILON,
    }
}

fn board(roll: &[Voter], rules: &Rules) -> Tally {
    let count = |choice: Choice| roll.iter().filter(|v| v.choice == Some(choice)).count() as f64;
    let (yes, no, abstain) = (
        count(Choice::Yes),
        count(Choice::No),
        count(Choice::Abstain),
    );
    let directors = roll.len() as f64;
    let needed = rules.board_super_majority * directors;
    let voters = roll.iter().filter(|v| v.choice.is_some()).count() as u64;
    let quorum_reached = directors > 0.0 && voters as f64 + EPSILON >= needed;
    Tally {
        yes,
        no,
        abstain,
        eligible_weight: directors,
        eligible_voters: roll.len() as u64,
        voters,
        sponsor_scale: 1.0,
        quorum_reached,
        passed: quorum_reached && yes + EPSILON >= needed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RULES: Rules = Rules {
        member_quorum_share: 0.10,
        member_quorum_weight_share: 0.10,
        board_super_majority: 2.0 / 3.0,
        sponsor_influence_cap: 0.49,
    };

    fn voter(weight: f64, sponsor: bool, choice: Option<Choice>) -> Voter {
        Voter {
            nominal_weight: weight,
            sponsor,
            choice,
        }
    }

    #[test]
    fn one_platinum_sponsor_cannot_outvote_three_contributors() {
        let roll = [
            voter(50.0, true, Some(Choice::Yes)),
            voter(1.0, false, Some(Choice::No)),
            voter(1.0, false, Some(Choice::No)),
            voter(1.0, false, Some(Choice::No)),
        ];
        let result = tally(Body::Members, &roll, &RULES);
        assert!(result.quorum_reached);
        assert!(!result.passed, "{result:?}");
        assert!((result.yes / result.eligible_weight - 0.49).abs() < 1e-9);
        assert!(result.sponsor_scale < 1.0);
    }

    #[test]
    fn quorum_needs_both_the_share_of_members_and_of_weight() {
        let mut roll: Vec<Voter> = (0..20).map(|_| voter(1.0, false, None)).collect();
        roll[0].choice = Some(Choice::Yes);
        let result = tally(Body::Members, &roll, &RULES);
        assert!(!result.quorum_reached && !result.passed);
        roll[1].choice = Some(Choice::Abstain);
        let result = tally(Body::Members, &roll, &RULES);
        assert!(
            result.quorum_reached && result.passed,
            "abstentions count for quorum"
        );
    }

    #[test]
    fn the_board_needs_two_thirds_voting_and_two_thirds_yes() {
        let directors = |yes: usize, no: usize, silent: usize| {
            let mut roll = vec![voter(1.0, false, Some(Choice::Yes)); yes];
            roll.extend(vec![voter(1.0, false, Some(Choice::No)); no]);
            roll.extend(vec![voter(1.0, false, None); silent]);
            tally(Body::Board, &roll, &RULES)
        };
        assert!(directors(6, 0, 3).passed);
        assert!(
            !directors(5, 1, 3).passed,
            "5 of 9 is a majority but not two thirds"
        );
        assert!(!directors(5, 0, 4).quorum_reached);
    }

    fn roll_strategy() -> impl Strategy<Value = Vec<Voter>> {
        prop::collection::vec(
            (
                prop_oneof![Just(1.0), Just(5.0), Just(15.0), Just(50.0)],
                any::<bool>(),
                prop_oneof![
                    Just(None),
                    Just(Some(Choice::Yes)),
                    Just(Some(Choice::No)),
                    Just(Some(Choice::Abstain))
                ],
            )
                .prop_map(|(weight, sponsor, choice)| {
                    voter(if sponsor { weight } else { 1.0 }, sponsor, choice)
                }),
            1..60,
        )
    }

    proptest! {
        #[test]
        fn the_capped_sponsor_share_never_exceeds_the_cap(roll in roll_strategy(), cap in 0.05f64..0.95) {
            let rules = Rules { sponsor_influence_cap: cap, ..RULES };
            let result = tally(Body::Members, &roll, &rules);
            let sponsor_weight: f64 = roll.iter().filter(|v| v.sponsor).map(|v| v.nominal_weight * result.sponsor_scale).sum();
            if result.eligible_weight > 0.0 {
                prop_assert!(sponsor_weight / result.eligible_weight <= cap + 1e-6);
            }
            prop_assert!(result.sponsor_scale >= 0.0 && result.sponsor_scale <= 1.0);
        }

        #[test]
        fn adding_a_yes_never_turns_a_pass_into_a_fail(roll in roll_strategy(), index in any::<prop::sample::Index>()) {
            for body in [Body::Members, Body::Board] {
                let before = tally(body, &roll, &RULES);
                let mut changed = roll.clone();
                let who = index.index(changed.len());
                if changed[who].choice == Some(Choice::Yes) {
                    continue;
                }
                changed[who].choice = Some(Choice::Yes);
                let after = tally(body, &changed, &RULES);
                prop_assert!(!before.passed || after.passed, "{body:?}: {before:?} then {after:?}");
            }
        }
    }
}
