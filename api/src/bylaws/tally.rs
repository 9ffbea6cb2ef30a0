//! The tally of an amendment vote, as a pure function of the frozen voter roll, the votes and
//! the policy. Anyone holding the audit entries can run the same arithmetic to recount.
//!
//! Members vote by weight. Paying members (Sponsor memberships) are capped twice, each time by
//! one factor applied to every sponsor's weight so that the cap holds exactly when it binds:
//! 1. on the roll, sponsors together hold at most `sponsor_influence_cap` of the eligible weight;
//!    quorum is measured on these weights: both a share of the eligible members and a share of
//!    the eligible weight must have voted (abstentions count);
//! 2. on the votes cast, sponsors hold at most the same share of the YES and NO weight; with no
//!    non-paying YES or NO at all, their cast weight counts nothing, so sponsors alone never
//!    decide.
//!
//! The amendment passes on a simple majority of the YES and NO weight after both factors. For a
//! cap of at most one half (the policy's default is 0.49), one more YES never turns a pass into
//! a fail; above one half, a non-paying YES can raise the sponsors' allowance enough to add more
//! to NO than it adds to YES.
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
    /// Effective weight of YES votes, after both caps (for the board, the number of directors).
    pub yes: f64,
    /// Effective weight of NO votes, after both caps.
    pub no: f64,
    /// Effective weight of abstentions, after the roll's cap (they count for quorum only).
    pub abstain: f64,
    /// Effective weight of the whole roll.
    pub eligible_weight: f64,
    /// Voters on the roll.
    pub eligible_voters: u64,
    /// Voters who cast a vote.
    pub voters: u64,
    /// The factor the influence cap applied to each sponsor's weight on the roll (eligible
    /// weight and quorum); 1 when it did not bind.
    pub sponsor_scale: f64,
    /// The further factor the influence cap applied to each sponsor's YES and NO weight, so that
    /// sponsors hold at most the cap of the YES and NO weight cast; 0 when no non-paying member
    /// voted YES or NO, 1 when it did not bind. Tallies recorded before this cap show 1.
    pub cast_sponsor_scale: f64,
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
    let nominal = |sponsor: bool, choices: &[Option<Choice>]| -> f64 {
        roll.iter()
            .filter(|v| v.sponsor == sponsor && (choices.is_empty() || choices.contains(&v.choice)))
            .map(|v| v.nominal_weight)
            .sum()
    };
    let cap = rules.sponsor_influence_cap;
    let scale = sponsor_scale(nominal(true, &[]), nominal(false, &[]), cap);
    const YES: &[Option<Choice>] = &[Some(Choice::Yes)];
    const NO: &[Option<Choice>] = &[Some(Choice::No)];
    const ABSTAIN: &[Option<Choice>] = &[Some(Choice::Abstain)];
    const CAST: &[Option<Choice>] = &[Some(Choice::Yes), Some(Choice::No)];
    const VOTED: &[Option<Choice>] = &[Some(Choice::Yes), Some(Choice::No), Some(Choice::Abstain)];
    let on_roll = |choices| nominal(true, choices) * scale + nominal(false, choices);
    let cast_scale = sponsor_scale(nominal(true, CAST) * scale, nominal(false, CAST), cap);
    let decided = |choices| nominal(true, choices) * scale * cast_scale + nominal(false, choices);
    let (yes, no, abstain) = (decided(YES), decided(NO), on_roll(ABSTAIN));
    let eligible_weight = on_roll(&[]);
    // Turnout is measured on the roll's weights, before the cap on the votes cast.
    let turnout = on_roll(VOTED);
    let eligible_voters = roll.len() as u64;
    let voters = roll.iter().filter(|v| v.choice.is_some()).count() as u64;
    let quorum_reached = eligible_voters > 0
        && voters as f64 + EPSILON >= rules.member_quorum_share * eligible_voters as f64
        && turnout + EPSILON >= rules.member_quorum_weight_share * eligible_weight;
    Tally {
        yes,
        no,
        abstain,
        eligible_weight,
        eligible_voters,
        voters,
        sponsor_scale: scale,
        cast_sponsor_scale: cast_scale,
        quorum_reached,
        passed: quorum_reached && yes > no + EPSILON,
    }
    .without_negative_zero()
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
        cast_sponsor_scale: 1.0,
        quorum_reached,
        passed: quorum_reached && yes + EPSILON >= needed,
    }
    .without_negative_zero()
}

impl Tally {
    /// The same tally with every zero a positive zero. A float sum of nothing is `-0.0`, which
    /// a tally of no votes would otherwise show.
    pub fn without_negative_zero(self) -> Self {
        let positive = |x: f64| if x == 0.0 { 0.0 } else { x };
        Self {
            yes: positive(self.yes),
            no: positive(self.no),
            abstain: positive(self.abstain),
            eligible_weight: positive(self.eligible_weight),
            sponsor_scale: positive(self.sponsor_scale),
            cast_sponsor_scale: positive(self.cast_sponsor_scale),
            ..self
        }
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

    #[test]
    fn twelve_gold_sponsors_alone_decide_nothing() {
        let mut roll: Vec<Voter> = (0..100).map(|_| voter(1.0, false, None)).collect();
        roll.extend((0..12).map(|_| voter(15.0, true, Some(Choice::Yes))));
        let result = tally(Body::Members, &roll, &RULES);
        assert!(result.quorum_reached, "{result:?}");
        assert!(result.sponsor_scale < 1.0 && result.sponsor_scale > 0.0);
        assert_eq!(result.cast_sponsor_scale, 0.0);
        assert_eq!((result.yes, result.no), (0.0, 0.0));
        assert!(!result.passed);
    }

    #[test]
    fn two_gold_sponsors_do_not_outweigh_five_contributors() {
        let mut roll: Vec<Voter> = (0..5)
            .map(|_| voter(1.0, false, Some(Choice::No)))
            .collect();
        roll.extend((0..5).map(|_| voter(1.0, false, None)));
        roll.extend((0..2).map(|_| voter(15.0, true, Some(Choice::Yes))));
        let result = tally(Body::Members, &roll, &RULES);
        // On the roll alone the sponsors' 30 become 9.6, which would beat 5.
        assert!((30.0 * result.sponsor_scale - 9.6).abs() < 0.01);
        assert!((result.yes / (result.yes + result.no) - 0.49).abs() < 1e-9);
        assert!(!result.passed, "{result:?}");
    }

    #[test]
    fn a_tally_of_no_votes_has_no_negative_zero() {
        let roll = [voter(1.0, false, None), voter(15.0, true, None)];
        for body in [Body::Members, Body::Board] {
            let shown = format!("{:?}", tally(body, &roll, &RULES));
            assert!(!shown.contains("-0"), "{shown}");
        }
    }

    #[test]
    fn quorum_fails_on_weight_while_enough_members_voted() {
        // 3 of 21 voters (14%) voted, but they hold 3 of about 39.2 eligible weight (8%).
        let mut roll: Vec<Voter> = (0..17).map(|_| voter(1.0, false, None)).collect();
        roll.extend((0..3).map(|_| voter(1.0, false, Some(Choice::Yes))));
        roll.push(voter(50.0, true, None));
        let result = tally(Body::Members, &roll, &RULES);
        let turnout = result.yes + result.no + result.abstain;
        assert!(result.voters * 10 >= result.eligible_voters);
        assert!(turnout < 0.1 * result.eligible_weight, "{result:?}");
        assert!(!result.quorum_reached && !result.passed);
    }

    #[test]
    fn quorum_fails_on_members_while_enough_weight_voted() {
        // One Platinum sponsor of 21 voters votes; its capped weight is 49% of the whole.
        let mut roll: Vec<Voter> = (0..19).map(|_| voter(1.0, false, None)).collect();
        roll.push(voter(1.0, false, Some(Choice::Yes)));
        roll.push(voter(50.0, true, Some(Choice::Abstain)));
        let mut result = tally(Body::Members, &roll, &RULES);
        assert!(result.voters * 10 < result.eligible_voters);
        assert!(result.yes + result.abstain >= 0.1 * result.eligible_weight);
        assert!(!result.quorum_reached && !result.passed, "{result:?}");
        roll[0].choice = Some(Choice::Yes);
        result = tally(Body::Members, &roll, &RULES);
        assert!(result.quorum_reached && result.passed, "{result:?}");
    }

    /// Nominal weights of sponsors and others who voted as `choices`.
    fn weights(roll: &[Voter], sponsor: bool, choices: &[Choice]) -> f64 {
        roll.iter()
            .filter(|v| v.sponsor == sponsor && v.choice.is_some_and(|c| choices.contains(&c)))
            .map(|v| v.nominal_weight)
            .sum()
    }

    proptest! {
        #[test]
        fn the_cap_holds_exactly_whenever_it_binds(roll in roll_strategy(), cap in 0.05f64..0.95) {
            let rules = Rules { sponsor_influence_cap: cap, ..RULES };
            let result = tally(Body::Members, &roll, &rules);
            let (scale, cast_scale) = (result.sponsor_scale, result.cast_sponsor_scale);
            prop_assert!((0.0..=1.0).contains(&scale) && (0.0..=1.0).contains(&cast_scale));
            // On the roll.
            let sponsors: f64 = roll.iter().filter(|v| v.sponsor).map(|v| v.nominal_weight).sum();
            let others: f64 = roll.iter().filter(|v| !v.sponsor).map(|v| v.nominal_weight).sum();
            if result.eligible_weight > 0.0 {
                let share = sponsors * scale / result.eligible_weight;
                prop_assert!(share <= cap + 1e-9, "roll share {share}");
                if scale < 1.0 && others > 0.0 {
                    prop_assert!((share - cap).abs() < 1e-9, "binds on the roll: {share} vs {cap}");
                }
            }
            // On the votes cast.
            let cast = [Choice::Yes, Choice::No];
            let sponsors_cast = weights(&roll, true, &cast) * scale * cast_scale;
            let others_cast = weights(&roll, false, &cast);
            if sponsors_cast + others_cast > 0.0 {
                let share = sponsors_cast / (sponsors_cast + others_cast);
                prop_assert!(share <= cap + 1e-9, "cast share {share}");
                if cast_scale < 1.0 && others_cast > 0.0 {
                    prop_assert!((share - cap).abs() < 1e-9, "binds on the votes: {share} vs {cap}");
                }
            }
            prop_assert!((result.yes + result.no - sponsors_cast - others_cast).abs() < 1e-9);
            // A factor of 0 only when there is nothing else to weigh against.
            if scale == 0.0 {
                prop_assert_eq!(others, 0.0);
            }
            if cast_scale == 0.0 {
                prop_assert_eq!(others_cast, 0.0);
                prop_assert!(weights(&roll, true, &cast) > 0.0);
            }
        }

        #[test]
        fn adding_a_yes_never_turns_a_pass_into_a_fail(roll in roll_strategy(), index in any::<prop::sample::Index>(), cap in 0.05f64..=0.5) {
            let rules = Rules { sponsor_influence_cap: cap, ..RULES };
            for body in [Body::Members, Body::Board] {
                let before = tally(body, &roll, &rules);
                let mut changed = roll.clone();
                let who = index.index(changed.len());
                if changed[who].choice == Some(Choice::Yes) {
                    continue;
                }
                changed[who].choice = Some(Choice::Yes);
                let after = tally(body, &changed, &rules);
                prop_assert!(!before.passed || after.passed, "{body:?}: {before:?} then {after:?}");
            }
        }
    }
}
