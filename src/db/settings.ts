// The environment variables of the database layer, parsed once with zod.
import { resolve } from "node:path";
import { z } from "zod";
import { InvalidEnvironmentError } from "./errors.ts";

const postgresUrl = z
  .string()
  .trim()
  .regex(/^postgres(ql)?:\/\/\S+$/, "must be a postgres:// or postgresql:// URL");

/** An empty variable counts as unset (`DATABASE_URL= npm run demo` means "embedded"). */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

export const databaseEnvSchema = z.object({
  /** A PostgreSQL server; unset means the embedded database in INLOCO_DATA_DIR. */
  DATABASE_URL: optional(postgresUrl),
  /** Folder of the embedded database and its generated keys (default ./data). */
  INLOCO_DATA_DIR: optional(z.string().trim().min(1)),
  /** A database `prisma migrate dev` may wipe and use as its shadow (PostgreSQL mode only). */
  SHADOW_DATABASE_URL: optional(postgresUrl),
  /** Embedded database: PostgreSQL's page cache (shared_buffers), in MB (default 16). */
  INLOCO_DB_CACHE_MB: optional(
    z.coerce
      .number()
      .int("must be a whole number of megabytes, e.g. 16")
      .min(1, "must be at least 1 (MB)")
      .max(4096, "must be at most 4096 (MB)"),
  ),
});

/** The embedded database's page cache when INLOCO_DB_CACHE_MB is unset, in MB (see embedded.ts). */
export const DEFAULT_DB_CACHE_MB = 16;

export type DatabaseEnv = z.infer<typeof databaseEnvSchema>;

export interface DatabaseSettings {
  /** Set: use that PostgreSQL server. Unset: embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Absolute path of the embedded database's folder. */
  readonly dataDir: string;
  readonly shadowDatabaseUrl: string | undefined;
  /** The embedded database's page cache (PostgreSQL's shared_buffers), in MB. */
  readonly cacheMb: number;
}

/** Reads the database settings from the environment, throwing InvalidEnvironmentError if malformed. */
export function databaseSettings(env: NodeJS.ProcessEnv = process.env): DatabaseSettings {
  const parsed = databaseEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidEnvironmentError(String(issue?.path[0] ?? "environment"), issue?.message ?? "invalid");
  }
  return {
    databaseUrl: parsed.data.DATABASE_URL,
    dataDir: resolve(parsed.data.INLOCO_DATA_DIR ?? "data"),
    shadowDatabaseUrl: parsed.data.SHADOW_DATABASE_URL,
    cacheMb: parsed.data.INLOCO_DB_CACHE_MB ?? DEFAULT_DB_CACHE_MB,
  };
}

/** INLOCO_DB_CACHE_MB alone (for a folder given in code, whatever else the environment holds). */
export function databaseCacheMb(env: NodeJS.ProcessEnv = process.env): number {
  const parsed = databaseEnvSchema.pick({ INLOCO_DB_CACHE_MB: true }).safeParse(env);
  if (!parsed.success) throw new InvalidEnvironmentError("INLOCO_DB_CACHE_MB", parsed.error.issues[0]?.message ?? "invalid");
  return parsed.data.INLOCO_DB_CACHE_MB ?? DEFAULT_DB_CACHE_MB;
}
