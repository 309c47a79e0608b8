// The two secrets that protect channel addresses: INLOCO_HASH_KEY (HMAC, to look contacts up) and
// INLOCO_ENCRYPTION_KEY (AES-256-GCM, to read addresses back). From the environment when set; for the
// embedded database generated once into the data folder; for a PostgreSQL server never generated,
// since a key lost or changed silently splits every contact in two.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { InvalidKeyError, MissingKeyError } from "./errors.ts";

export const KEY_BYTES = 32;
/** File in the embedded data folder holding the generated keys. */
export const KEYS_FILE_NAME = "keys.json";

/** 32 bytes, written as 64 hex digits or as base64 / base64url. */
export const keySchema = z
  .string()
  .trim()
  .transform((text) => (/^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : decodeBase64(text)))
  .refine((key): key is Buffer => key !== undefined && key.length === KEY_BYTES, {
    message: `must be ${KEY_BYTES} bytes written as 64 hex digits or as base64`,
  });

const keysFileSchema = z.object({ hashKey: keySchema, encryptionKey: keySchema });

export interface IdentityKeys {
  readonly hashKey: Buffer;
  readonly encryptionKey: Buffer;
}

export interface LoadKeysOptions {
  env?: NodeJS.ProcessEnv;
  /** The embedded database's folder: keys missing from the environment are kept there. Unset
   * (PostgreSQL mode): missing keys are a MissingKeyError. */
  dataDir?: string | undefined;
}

/** Loads the identity keys from the environment, or from (or into) the embedded data folder. */
export function loadIdentityKeys({ env = process.env, dataDir }: LoadKeysOptions = {}): IdentityKeys {
  const fromEnv = {
    hashKey: parseKey(env.INLOCO_HASH_KEY, "INLOCO_HASH_KEY"),
    encryptionKey: parseKey(env.INLOCO_ENCRYPTION_KEY, "INLOCO_ENCRYPTION_KEY"),
  };
  if (fromEnv.hashKey && fromEnv.encryptionKey) return { hashKey: fromEnv.hashKey, encryptionKey: fromEnv.encryptionKey };
  if (dataDir === undefined) {
    throw new MissingKeyError(fromEnv.hashKey ? "INLOCO_ENCRYPTION_KEY" : "INLOCO_HASH_KEY");
  }
  const stored = readOrCreateKeysFile(join(dataDir, KEYS_FILE_NAME));
  return { hashKey: fromEnv.hashKey ?? stored.hashKey, encryptionKey: fromEnv.encryptionKey ?? stored.encryptionKey };
}

/** Returns a fresh random key, base64: what to put in INLOCO_HASH_KEY / INLOCO_ENCRYPTION_KEY. */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}

function parseKey(value: string | undefined, variable: string): Buffer | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const parsed = keySchema.safeParse(value);
  if (!parsed.success) throw new InvalidKeyError(variable, parsed.error.issues[0]?.message ?? "invalid");
  return parsed.data;
}

function readOrCreateKeysFile(file: string): IdentityKeys {
  if (!existsSync(file)) {
    try {
      // "wx": never overwrite keys that another writer just created.
      writeFileSync(file, `${JSON.stringify({ hashKey: generateKey(), encryptionKey: generateKey() }, null, 2)}\n`, {
        mode: 0o600,
        flag: "wx",
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  // Someone may have loosened the mode (a copy, an editor): the keys are worth 0600.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new InvalidKeyError(file, `not JSON (${(error as Error).message})`);
  }
  const parsed = keysFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidKeyError(file, `${String(issue?.path[0] ?? "")} ${issue?.message ?? "invalid"}`.trim());
  }
  return parsed.data;
}

function decodeBase64(text: string): Buffer | undefined {
  // Buffer.from ignores invalid characters; check the alphabet first so typos are not accepted.
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, "base64") : undefined;
}
