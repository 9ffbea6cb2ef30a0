// The operations each frontend starts with, as typed documents checked against the schema.
import { print } from "graphql";
import type { GraphQLClient } from "graphql-request";
import type { Client } from "graphql-ws";
import { graphql } from "./gql";
import type { SponsorWallQuery, VoteChoice } from "./gql/graphql";

const SponsorWall = graphql(`
  query SponsorWall($first: Int!, $after: String) {
    sponsors(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        displayName
        websiteUrl
        logoUrl
        since
        tier {
          name
          rank
        }
      }
    }
  }
`);

/** The public site's sponsor wall: every page, in the order the site shows them. */
export async function sponsorWall(client: GraphQLClient, pageSize = 20) {
  const sponsors = [];
  let after: string | null | undefined = undefined;
  for (;;) {
    const { sponsors: page }: SponsorWallQuery = await client.request(SponsorWall, { first: pageSize, after });
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
          choice
        }
        votes {
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
export async function memberDashboard(client: GraphQLClient) {
  const data = await client.request(MemberDashboard);
  if (!data.viewer) throw new Error("the dashboard needs a signed-in member");
  return { viewer: data.viewer, inVoting: data.amendments.nodes };
}

const CastVote = graphql(`
  mutation CastVote($input: CastVoteInput!) {
    castAmendmentVote(input: $input) {
      vote {
        choice
      }
    }
  }
`);

const Tally = graphql(`
  subscription Tally($amendmentId: ID!) {
    amendmentTally(amendmentId: $amendmentId) {
      yes
      no
      abstain
      eligibleVoters
    }
  }
`);

type Counts = { yes: number; no: number; abstain: number; eligibleVoters: number };

/**
 * Casts a vote while following the live tally, as the portal's vote page does, and returns the
 * vote and the first tally update that arrives after it.
 */
export async function castVote(
  client: GraphQLClient,
  liveClient: Client,
  amendmentId: string,
  choice: VoteChoice,
) {
  const updates = liveClient.iterate({ query: print(Tally), variables: { amendmentId } });
  // The first message is the tally as it stands; the vote's update follows it.
  const before = await nextCounts(updates);
  const { castAmendmentVote } = await client.request(CastVote, { input: { amendmentId, choice } });
  const after = await nextCounts(updates);
  await updates.return?.();
  return { vote: castAmendmentVote.vote, before, after };
}

async function nextCounts(updates: AsyncIterator<{ data?: unknown; errors?: unknown }>): Promise<Counts> {
  const message = await updates.next();
  if (message.done) throw new Error("the live tally ended early");
  const { data, errors } = message.value;
  if (errors) throw new Error(`live tally: ${JSON.stringify(errors)}`);
  return (data as { amendmentTally: Counts }).amendmentTally;
}

const PendingApplications = graphql(`
  query PendingApplications {
    applications(status: SUBMITTED, first: 20, orderBy: { field: SUBMITTED_AT, direction: ASC }) {
      totalCount
      nodes {
        id
        applicant {
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
            displayName
          }
          ... on Organization {
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
export async function approveOldestApplication(client: GraphQLClient) {
  const { applications } = await client.request(PendingApplications);
  // Null, with an error beside it, when the viewer may not read the queue.
  if (!applications) throw new Error("this account may not read the applications");
  const oldest = applications.nodes[0];
  if (!oldest) return { pending: 0, approved: null };
  const { reviewApplication } = await client.request(Review, {
    input: { applicationId: oldest.id, decision: "APPROVE", reason: "Welcome aboard." },
  });
  return {
    pending: applications.totalCount,
    approved: { queued: oldest, application: reviewApplication.application, membership: reviewApplication.membership },
  };
}
