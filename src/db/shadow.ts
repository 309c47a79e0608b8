// Shadow databases for `prisma migrate dev`, which replays every migration in an empty database to
// find what the schema changes. Only the Prisma CLI uses these (through prisma.config.ts).
import { randomBytes } from "node:crypto";
import { createDatabase, databaseUrl, dropDatabase, withClient } from "./admin.ts";
import { openInMemoryPostgres } from "./embedded.ts";
import type { ShadowProvider } from "./schema-engine-adapter.ts";

/** A throwaway in-memory PGlite: the shadow of the embedded database. */
export const inMemoryShadow: ShadowProvider = async () => {
  const shadow = await openInMemoryPostgres({ keepProcessAlive: false });
  return { url: shadow.url, dispose: () => shadow.close() };
};

/** A fixed database (SHADOW_DATABASE_URL), emptied before use. */
export function fixedShadow(url: string): ShadowProvider {
  return async () => {
    await withClient(url, (client) => client.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"));
    return { url, dispose: async () => {} };
  };
}

/** A temporary database on the same server, dropped once its connections are closed. */
export function temporaryShadow(serverUrl: string): ShadowProvider {
  return async () => {
    const name = `inloco_shadow_${randomBytes(6).toString("hex")}`;
    await createDatabase(serverUrl, name);
    return { url: databaseUrl(serverUrl, name), dispose: () => dropDatabase(serverUrl, name) };
  };
}
