// Runs the official GraphQL-over-HTTP audit (the `graphql-http` package) against a started
// Quorum server and fails on any error or warning. Notices are printed and allowed.
//
// Usage: node .ci/graphql-http-audit.mjs [URL]   (default http://127.0.0.1:8000/graphql,
// or $QUORUM_GRAPHQL_URL). Needs `npm i --no-save graphql-http@1 graphql@16` beside it.
import { auditServer } from 'graphql-http';

const url = process.argv[2] ?? process.env.QUORUM_GRAPHQL_URL ?? 'http://127.0.0.1:8000/graphql';
const results = await auditServer({ url });

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status === 'ok') continue;
  const detail = 'reason' in result ? result.reason : '';
  console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${detail}`);
  if (result.status !== 'notice' && 'response' in result) {
    const body = await result.response.text().catch(() => '');
    console.log(`  status ${result.response.status}, body ${body.slice(0, 300)}`);
  }
}
console.log(
  `graphql-http audit of ${url}: ${counts.ok} ok, ${counts.notice} notices, ` +
    `${counts.warn} warnings, ${counts.error} errors`,
);
process.exit(counts.warn + counts.error === 0 ? 0 : 1);
