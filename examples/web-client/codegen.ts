// Generates typed documents from the live server's schema, the way a frontend team starts.
// Run `npm run codegen` with a Quorum server up (QUORUM_URL, default http://127.0.0.1:8000/graphql).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: process.env.QUORUM_URL ?? "http://127.0.0.1:8000/graphql",
  documents: ["src/**/*.ts", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      config: {
        // Quorum's custom scalars travel as strings: RFC 3339 instants, YYYY-MM-DD dates, and
        // JSON for audit details. Without these mappings they would be typed `unknown`.
        scalars: {
          DateTime: "string",
          Date: "string",
          JSON: "unknown",
        },
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
