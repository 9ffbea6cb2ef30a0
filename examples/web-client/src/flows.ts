// The operations each frontend starts with, as typed documents checked against the schema and
// registered with the server as trusted documents.
import type { Client } from "@urql/core";
import { graphql } from "./gql";
import type { SponsorWallQuery, VoteChoice } from "./gql/graphql";
import { run } from "./client";

const SponsorWall = graphql(`
  query SponsorWall($first: Int!, $after: String) {
    sponsors(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        displayName
        websiteUrl
        logoUrl
        since
        tier {
          id
          name
          rank
        }
      }
    }
  }
`);

/** The public site's sponsor wall: every page, in the order the site shows them. */
export async function sponsorWall(client: Client, pageSize = 20) {
  const sponsors = [];
  let after: string | null | undefined = undefined;
  for (;;) {
    const { sponsors: page }: SponsorWallQuery = await run(client, SponsorWall, { first: pageSize, after });
    sponsors.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return { total: page.totalCount, sponsors };
    after = page.pageInfo.endCursor;
  }
}

const MemberDashboard = graphql(`
  query MemberDashboard {
    viewer {
      id
      displayName
      email
      roles
      organizations {
        id
        name
      }
      memberships {
        id
        class {
          key
        }
        status
        expiresOn
        voteWeight
      }
      applications(first: 5) {
        nodes {
          id
          status
        }
      }
    }
    amendments(status: VOTING, first: 20) {
      nodes {
        id
        title
        closesAt
        viewerCanVote
        myVote {
          id
          choice
        }
        votes {
          id
          yes
          no
          abstain
          eligibleVoters
        }
      }
    }
  }
`);

/** The member portal's first screen: who I am, my memberships, and what I may vote on. */
export async function memberDashboard(client: Client, requestPolicy: "network-only" | "cache-only" = "network-only") {
  const data = await run(client, MemberDashboard, {}, "query", requestPolicy);
  if (!data.viewer) throw new Error("the dashboard needs a signed-in member");
  return { viewer: data.viewer, inVoting: data.amendments.nodes };
}

const CastVote = graphql(`
  mutation CastVote($input: CastVoteInput!) {
    castAmendmentVote(input: $input) {
      vote {
        id
        choice
      }
    }
  }
`);

const Tally = graphql(`
  subscription Tally($amendmentId: ID!) {
    amendmentTally(amendmentId: $amendmentId) {
      id
      yes
      no
      abstain
      eligibleVoters
    }
  }
`);

type Counts = { id: string; yes: number; no: number; abstain: number; eligibleVoters: number };

/**
 * Casts a vote while following the live tally through the tab's client, as the portal's vote
 * page does, and returns the vote and the tally before and after it. The tally's updates land in
 * graphcache's one `VoteCounts` record, the same one `Amendment.votes` reads.
 */
export async function castVote(client: Client, amendmentId: string, choice: VoteChoice) {
  const counts: Counts[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const { unsubscribe } = client.subscription(Tally, { amendmentId }).subscribe((result) => {
    if (result.error) failure = new Error(`live tally: ${result.error.message}`);
    if (result.data) counts.push(result.data.amendmentTally);
    wake?.();
  });
  const next = async (count: number) => {
    const deadline = Date.now() + 10_000;
    while (counts.length < count) {
      if (failure) throw failure;
      if (Date.now() > deadline) throw new Error("the live tally did not move");
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 200);
      });
    }
    const at = counts[count - 1];
    if (!at) throw new Error("no tally");
    return at;
  };
  try {
    // The first message is the tally as it stands; the vote's update follows it.
    const before = await next(1);
    const { castAmendmentVote } = await run(client, CastVote, { input: { amendmentId, choice } }, "mutation");
    const after = await next(2);
    return { vote: castAmendmentVote.vote, before, after };
  } finally {
    unsubscribe();
  }
}

const PendingApplications = graphql(`
  query PendingApplications {
    applications(status: SUBMITTED, first: 20, orderBy: { field: SUBMITTED_AT, direction: ASC }) {
      totalCount
      nodes {
        id
        applicant {
          id
          displayName
          email
        }
        class {
          key
        }
        statement
        submittedAt
        holder {
          ... on Account {
            id
            displayName
          }
          ... on Organization {
            id
            name
          }
        }
      }
    }
  }
`);

const Review = graphql(`
  mutation Review($input: ReviewApplicationInput!) {
    reviewApplication(input: $input) {
      application {
        id
        status
      }
      membership {
        id
        status
        expiresOn
      }
    }
  }
`);

/** The committee console: the queue of applications, and approving the oldest one. */
export async function approveOldestApplication(client: Client) {
  const { applications } = await run(client, PendingApplications, {});
  // Null, with an error beside it, when the viewer may not read the queue.
  if (!applications) throw new Error("this account may not read the applications");
  const oldest = applications.nodes[0];
  if (!oldest) return { pending: 0, approved: null };
  const { reviewApplication } = await run(
    client,
    Review,
    { input: { applicationId: oldest.id, decision: "APPROVE", reason: "Welcome aboard." } },
    "mutation",
  );
  return {
    pending: applications.totalCount,
    approved: { queued: oldest, application: reviewApplication.application, membership: reviewApplication.membership },
  };
}
