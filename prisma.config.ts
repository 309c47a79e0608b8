// Prisma CLI configuration. Prisma 6.19 runs here without any native engine: the client uses the
// query compiler (engineType "client" in the schema) and the CLI migrates through its bundled
// WebAssembly schema engine and the driver adapter returned below (src/db/prisma-cli.ts).
//
// With DATABASE_URL set the CLI works on that PostgreSQL server; without it, on the embedded
// database in INLOCO_DATA_DIR (default ./data), which must not be open in another process.
import { defineConfig } from "prisma/config";
import { EMBEDDED_PLACEHOLDER_URL, prismaCliAdapter } from "./src/db/prisma-cli.ts";
import { databaseSettings } from "./src/db/settings.ts";

const settings = databaseSettings();
// The schema's datasource reads env("DATABASE_URL"); unset, Prisma 6 tries to download an engine.
process.env.DATABASE_URL ||= EMBEDDED_PLACEHOLDER_URL;

// `prisma generate` (npm install's postinstall) reads only the schema, yet the CLI calls `adapter`
// anyway: for it, no database is opened, so installing never creates an embedded one in ./data.
const generating = process.argv[2] === "generate";
const noDatabase = () => Promise.reject(new Error("prisma generate opens no database"));

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  engine: "js",
  experimental: { adapter: true },
  adapter: generating ? noDatabase : prismaCliAdapter(settings),
});
