// Runs the example flows against a Quorum server holding `quorum demo-data`, with trusted
// documents required, and fails loudly when any of them does not behave as a frontend would
// expect.
import { logIn, refresh, run as request, tab } from "./client";
import { approveOldestApplication, castVote, memberDashboard, sponsorWall } from "./flows";
import { graphql } from "./gql";

const password = process.env.DEMO_PASSWORD ?? "quorum-demo-password";

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const Me = graphql(`
  query Me {
    viewer {
      id
      email
    }
  }
`);

async function main() {
  // The public site: the sponsor wall, anonymously, page by page, each page by its hash.
  const site = tab();
  const wall = await sponsorWall(site.client, 5);
  check(wall.sponsors.length === wall.total, `the wall has ${wall.sponsors.length} of ${wall.total} sponsors`);
  check(wall.total > 0, "the demo foundation has sponsors");
  console.log(`sponsor wall: ${wall.total} sponsors, first ${wall.sponsors[0]?.displayName} (${wall.sponsors[0]?.tier.name})`);
  site.socket.dispose();

  // The member portal: a plain member signs in and sees what is being voted on.
  const member = await logIn("amara.okafor@demo.quorum.test", password);
  const dashboard = await memberDashboard(member.client);
  check(dashboard.viewer.email === "amara.okafor@demo.quorum.test", "the dashboard shows the member's own email");
  // `memberships` is one of the self-only fields of `Account`: null for anyone but the person.
  const [membership] = dashboard.viewer.memberships ?? [];
  check(membership?.status === "ACTIVE", "the member sees her own active membership");
  console.log(
    `member dashboard: ${dashboard.viewer.displayName}, ${membership.class.key} member until ${membership.expiresOn}, ` +
      `${dashboard.inVoting.length} amendment(s) in voting`,
  );

  // Two tabs refresh at once with the same refresh token (React StrictMode does the same): both
  // get the same new pair, and the session goes on in both.
  const other = tab({ ...member.session });
  const [first, second] = await Promise.all([refresh(member.client, member.session), refresh(other.client, other.session)]);
  check(first.accessToken === second.accessToken && first.refreshToken === second.refreshToken, "two refreshes at once answer one pair");
  for (const [name, each] of [["first", member], ["second", other]] as const) {
    const me = await request(each.client, Me, {});
    check(me.viewer?.email === "amara.okafor@demo.quorum.test", `the ${name} tab is still signed in`);
  }
  other.socket.dispose();
  console.log("two tabs: both refreshed at once, both still signed in");

  // Changing one's vote while the live tally is open: the portal shows the vote she already cast.
  const amendment = dashboard.inVoting[0];
  check(amendment, "the demo foundation has an amendment in voting");
  check(amendment.viewerCanVote, "the member may vote on it");
  check(amendment.myVote?.choice === "YES", "the portal shows the vote she cast before");
  try {
    const { vote, before, after } = await castVote(member.client, amendment.id, "NO");
    check(vote.choice === "NO", "the vote is recorded as cast");
    check(after.no === before.no + 1 && after.yes === before.yes - 1, `the live tally moved from ${JSON.stringify(before)} to ${JSON.stringify(after)}`);
    // One record: the tally's update is what the amendment's `votes` reads from the cache, with
    // no request to the server.
    // `votes` is null only while an amendment is not in voting.
    check(after.id === amendment.votes?.id, "the tally and Amendment.votes are the same VoteCounts");
    const cached = await memberDashboard(member.client, "cache-only");
    const again = cached.inVoting.find((each) => each.id === amendment.id);
    check(again?.votes?.no === after.no && again.votes.yes === after.yes, `Amendment.votes in the cache reads ${JSON.stringify(again?.votes)}, the tally ${JSON.stringify(after)}`);
    check(again.myVote?.choice === "NO", "the cast vote is the record the amendment shows its voter");
    console.log(`vote: NO on "${amendment.title}", live tally YES ${before.yes} → ${after.yes}, NO ${before.no} → ${after.no}; Amendment.votes follows from the cache`);
  } finally {
    member.socket.dispose();
  }

  // The committee console: the Membership Committee approves the oldest pending application.
  const committee = await logIn("membership@demo.quorum.test", password);
  const review = await approveOldestApplication(committee.client);
  check(review.approved, "the demo foundation has pending applications");
  check(review.approved.application.status === "APPROVED", "the application is approved");
  check(review.approved.membership?.status === "ACTIVE", "approval creates an active membership");
  check(review.approved.queued.applicant?.email, "the reviewing committee sees how to reach the applicant");
  console.log(
    `committee: approved ${review.approved.queued.applicant.email} (1 of ${review.pending} pending), ` +
      `membership until ${review.approved.membership.expiresOn}`,
  );
  committee.socket.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
