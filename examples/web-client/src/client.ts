// One place that knows where Quorum is and how a request is authenticated.
import { GraphQLClient } from "graphql-request";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { graphql } from "./gql";

export const httpUrl = process.env.QUORUM_URL ?? "http://127.0.0.1:8000/graphql";
export const wsUrl = httpUrl.replace(/^http/, "ws") + "/ws";

/** An anonymous client: what the public site uses. */
export function anonymous(): GraphQLClient {
  return new GraphQLClient(httpUrl);
}

/** A client carrying a person's access token: what the member portal and console use. */
export function signedIn(accessToken: string): GraphQLClient {
  return new GraphQLClient(httpUrl, { headers: { authorization: `Bearer ${accessToken}` } });
}

/** A subscription client for the live tally; the token travels in `connection_init`. */
export function live(accessToken?: string): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
  });
}

const LogIn = graphql(`
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) {
      accessToken
      account {
        id
        displayName
      }
    }
  }
`);

/** Logs a person in and returns a client acting as them. */
export async function logIn(email: string, password: string) {
  const { logIn } = await anonymous().request(LogIn, { input: { email, password } });
  // A token session (the default) always carries its tokens; only a cookie session has none.
  const accessToken = logIn.accessToken;
  if (!accessToken) throw new Error("logIn returned no access token");
  return { client: signedIn(accessToken), accessToken, account: logIn.account };
}
