// Runs the example flows against a Quorum server holding `quorum demo-data`, and fails loudly
// when any of them does not behave as a frontend would expect.
import { anonymous, live, logIn } from "./client";
import { approveOldestApplication, castVote, memberDashboard, sponsorWall } from "./flows";

const password = process.env.DEMO_PASSWORD ?? "quorum-demo-password";

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function main() {
  // The public site: the sponsor wall, anonymously, page by page.
  const wall = await sponsorWall(anonymous(), 5);
  check(wall.sponsors.length === wall.total, `the wall has ${wall.sponsors.length} of ${wall.total} sponsors`);
  check(wall.total > 0, "the demo foundation has sponsors");
  console.log(`sponsor wall: ${wall.total} sponsors, first ${wall.sponsors[0]?.displayName} (${wall.sponsors[0]?.tier.name})`);

  // The member portal: a plain member signs in and sees what is being voted on.
  const member = await logIn("amara.okafor@demo.quorum.test", password);
  const dashboard = await memberDashboard(member.client);
  check(dashboard.viewer.email === "amara.okafor@demo.quorum.test", "the dashboard shows the member's own email");
  const [membership] = dashboard.viewer.memberships;
  check(membership?.status === "ACTIVE", "the member sees her own active membership");
  console.log(
    `member dashboard: ${dashboard.viewer.displayName}, ${membership.class.key} member until ${membership.expiresOn}, ` +
      `${dashboard.inVoting.length} amendment(s) in voting`,
  );

  // Changing one's vote while the live tally is open: the portal shows the vote she already cast.
  const amendment = dashboard.inVoting[0];
  check(amendment, "the demo foundation has an amendment in voting");
  check(amendment.viewerCanVote, "the member may vote on it");
  check(amendment.myVote?.choice === "YES", "the portal shows the vote she cast before");
  const socket = live(member.accessToken);
  try {
    const { vote, before, after } = await castVote(member.client, socket, amendment.id, "NO");
    check(vote.choice === "NO", "the vote is recorded as cast");
    check(after.no === before.no + 1 && after.yes === before.yes - 1, `the live tally moved from ${JSON.stringify(before)} to ${JSON.stringify(after)}`);
    console.log(`vote: NO on "${amendment.title}", live tally YES ${before.yes} → ${after.yes}, NO ${before.no} → ${after.no}`);
  } finally {
    await socket.dispose();
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
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
