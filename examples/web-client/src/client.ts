// One place that knows where Quorum is, how a request is authenticated, and how the normalized
// cache and trusted documents are set up.
import { Client, fetchExchange, subscriptionExchange, type TypedDocumentNode } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { persistedExchange } from "@urql/exchange-persisted";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import WebSocket from "ws";
import { graphql } from "./gql";
import schema from "./gql/schema.json" with { type: "json" };

export const httpUrl = process.env.QUORUM_URL ?? "http://127.0.0.1:8000/graphql";
export const wsUrl = httpUrl.replace(/^http/, "ws") + "/ws";

/** A tab's session: the tokens it holds now. */
export type Session = { accessToken?: string; refreshToken?: string };

/**
 * A browser tab's client: graphcache (normalized, records keyed by `__typename` and `id`),
 * operations sent by their hash only (the server runs with QUORUM_TRUSTED_DOCUMENTS=require and
 * knows the manifest `quorum documents push` registered), and subscriptions over graphql-ws.
 */
export function tab(session: Session = {}): { client: Client; socket: WsClient; session: Session } {
  const socket = createWsClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    connectionParams: () => (session.accessToken ? { authorization: `Bearer ${session.accessToken}` } : {}),
  });
  const client = new Client({
    url: httpUrl,
    preferGetMethod: false,
    fetchOptions: (): RequestInit => {
      const headers: Record<string, string> = {};
      if (session.accessToken) headers.authorization = `Bearer ${session.accessToken}`;
      return { headers };
    },
    exchanges: [
      cacheExchange({
        schema,
        // Objects without an identity are kept inside their parent, not as records of their own.
        keys: {
          PageInfo: () => null,
          MembershipClass: (data) => (typeof data.key === "string" ? data.key : null),
          PublicTier: (data) => (typeof data.id === "string" ? data.id : null),
          SessionPayload: () => null,
          RefreshSessionPayload: () => null,
          CastVotePayload: () => null,
          ReviewApplicationPayload: () => null,
          PublicSponsorConnection: () => null,
          AmendmentConnection: () => null,
          ApplicationConnection: () => null,
        },
      }),
      persistedExchange({
        // The hash codegen computed and wrote into the manifest; never the text.
        generateHash: async (_query, document) => (document as { __meta__?: { hash?: string } }).__meta__?.hash,
        enforcePersistedQueries: true,
        enableForMutation: true,
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const dispose = socket.subscribe(input, sink);
              return { unsubscribe: dispose };
            },
          };
        },
      }),
    ],
  });
  return { client, socket, session };
}

/** The data of an operation, or the first error it answered. */
export async function run<Data, Variables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  kind: "query" | "mutation" = "query",
  requestPolicy: "network-only" | "cache-only" | "cache-first" = "network-only",
): Promise<Data> {
  const result =
    kind === "query"
      ? await client.query(document, variables, { requestPolicy }).toPromise()
      : await client.mutation(document, variables).toPromise();
  if (result.error) throw new Error(`${kind}: ${result.error.message}`);
  if (!result.data) throw new Error(`${kind}: no data`);
  return result.data;
}

const LogIn = graphql(`
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) {
      accessToken
      refreshToken
      account {
        id
        displayName
      }
    }
  }
`);

/** Logs a person in; returns a tab acting as them. */
export async function logIn(email: string, password: string) {
  const anonymous = tab();
  const { logIn } = await run(anonymous.client, LogIn, { input: { email, password } }, "mutation");
  anonymous.socket.dispose();
  // A token session (the default) always carries its tokens; only a cookie session has none.
  if (!logIn.accessToken || !logIn.refreshToken) throw new Error("logIn returned no tokens");
  const signedIn = tab({ accessToken: logIn.accessToken, refreshToken: logIn.refreshToken });
  return { ...signedIn, account: logIn.account };
}

const Refresh = graphql(`
  mutation Refresh($input: RefreshSessionInput!) {
    refreshSession(input: $input) {
      accessToken
      refreshToken
    }
  }
`);

/** Refreshes a tab's session with the refresh token it holds, and keeps the new pair. */
export async function refresh(client: Client, session: Session) {
  if (!session.refreshToken) throw new Error("no refresh token");
  const { refreshSession } = await run(client, Refresh, { input: { refreshToken: session.refreshToken } }, "mutation");
  session.accessToken = refreshSession.accessToken;
  session.refreshToken = refreshSession.refreshToken;
  return refreshSession;
}
