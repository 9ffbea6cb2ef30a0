// Generates typed documents from the live server's schema, the way a frontend team starts, and
// the manifest of those documents that the server is told to trust (persisted-documents.json).
// Run `npm run codegen` with a Quorum server up (QUORUM_URL, default http://127.0.0.1:8000/graphql).
import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";

const config: CodegenConfig = {
  schema: process.env.QUORUM_URL ?? "http://127.0.0.1:8000/graphql",
  documents: ["src/**/*.ts", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      // graphcache keys records by `__typename` and `id`: the registered documents must ask for
      // `__typename` themselves, since the server runs the registered text, not the client's.
      documentTransforms: [addTypenameSelectionDocumentTransform],
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
      presetConfig: {
        fragmentMasking: false,
        // Writes src/gql/persisted-documents.json, `{ "<sha256 hex>": "<document>" }`, and
        // the hash into each document, for `quorum documents push` and the persisted exchange.
        persistedDocuments: { hashAlgorithm: "sha256" },
      },
    },
    // The schema for graphcache, which needs it to tell the members of a union or an interface
    // apart (`Application.holder`) and to know which fields may be null.
    "src/gql/schema.json": {
      plugins: ["introspection"],
      config: { minify: true },
    },
  },
};

export default config;
