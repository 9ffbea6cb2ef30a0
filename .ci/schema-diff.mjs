// Fails when schema.graphql has a breaking change, against the schema clients were last given
// (.ci/schema-baseline.graphql, main at 9e9d101; move it forward on a release), that
// docs/schema-changes.md does not name.
// Usage: node .ci/schema-diff.mjs OLD.graphql NEW.graphql docs/schema-changes.md
import { readFileSync } from "node:fs";
import { buildSchema } from "graphql";
import { diff, CriticalityLevel } from "@graphql-inspector/core";

const [oldFile, newFile, changelogFile] = process.argv.slice(2);
const load = (file) => buildSchema(readFileSync(file, "utf8"));
const changes = await diff(load(oldFile), load(newFile));
const changelog = readFileSync(changelogFile, "utf8");

const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
// A change is listed when the changelog names its schema coordinate (`Type.field`,
// `Type.field.argument`, or the type) in backticks on a line marked **Breaking:** or in the
// entry that line starts.
const entries = changelog.split(/\n(?=- )/).filter((entry) => /\*\*Breaking\b/.test(entry));
const named = (path) => {
  const parts = path.split(".");
  const coordinates = [path, parts.slice(0, 2).join("."), parts[0]];
  return entries.some((entry) => coordinates.some((c) => entry.includes("`" + c + "`")));
};
const missing = breaking.filter((c) => !named(c.path ?? ""));

for (const c of changes) console.log(`${c.criticality.level.padEnd(12)} ${c.path ?? ""}: ${c.message}`);
console.log(`\n${changes.length} changes, ${breaking.length} breaking, ${missing.length} not in the changelog`);
if (missing.length > 0) {
  console.error("\nBreaking changes that docs/schema-changes.md does not list (name each in a **Breaking:** entry):");
  for (const c of missing) console.error(`  ${c.path}: ${c.message}`);
  process.exit(1);
}
