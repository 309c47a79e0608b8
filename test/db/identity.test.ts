import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IdentityVault } from "../../src/db/crypto.ts";
import { DecryptionError, InvalidKeyError, MissingKeyError } from "../../src/db/errors.ts";
import { generateKey, KEYS_FILE_NAME, loadIdentityKeys } from "../../src/db/keys.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

const keys = {
  hashKey: Buffer.alloc(32, 1),
  encryptionKey: Buffer.alloc(32, 2),
};

describe("IdentityVault", () => {
  const vault = new IdentityVault(keys);

  it("hashes an address the same way every time, differently per channel and per key", () => {
    const hash = vault.hashAddress("whatsapp", "+393331234567");
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(vault.hashAddress("whatsapp", "+393331234567")).toBe(hash);
    expect(vault.hashAddress("telegram", "+393331234567")).not.toBe(hash);
    const otherKey = new IdentityVault({ ...keys, hashKey: Buffer.alloc(32, 3) });
    expect(otherKey.hashAddress("whatsapp", "+393331234567")).not.toBe(hash);
  });

  it("encrypts with a fresh IV each time and decrypts back", () => {
    const a = vault.encrypt("+393331234567");
    const b = vault.encrypt("+393331234567");
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(a.length).toBe(12 + 16 + "+393331234567".length);
    expect(vault.decrypt(a)).toBe("+393331234567");
    expect(vault.decrypt(b)).toBe("+393331234567");
  });

  it("refuses altered ciphertext and a wrong key", () => {
    const sealed = vault.encrypt("123456789");
    const altered = Uint8Array.from(sealed);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    expect(() => vault.decrypt(altered)).toThrow(DecryptionError);
    const wrongKey = new IdentityVault({ ...keys, encryptionKey: Buffer.alloc(32, 9) });
    expect(() => wrongKey.decrypt(sealed)).toThrow(DecryptionError);
    expect(() => vault.decrypt(new Uint8Array(5))).toThrow(DecryptionError);
  });
});

describe("loadIdentityKeys", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "inloco-keys-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads hex and base64 keys from the environment", () => {
    const hex = "ab".repeat(32);
    const base64 = generateKey();
    const loaded = loadIdentityKeys({ env: { INLOCO_HASH_KEY: hex, INLOCO_ENCRYPTION_KEY: base64 } });
    expect(loaded.hashKey.toString("hex")).toBe(hex);
    expect(loaded.encryptionKey.toString("base64")).toBe(base64);
  });

  it("rejects a key that is not 32 bytes, naming the variable", () => {
    const env = { INLOCO_HASH_KEY: "c2hvcnQ=", INLOCO_ENCRYPTION_KEY: generateKey() };
    const error = catchError(() => loadIdentityKeys({ env }));
    expect(error).toBeInstanceOf(InvalidKeyError);
    expect(error).toMatchObject({ source: "INLOCO_HASH_KEY", code: "INVALID_KEY" });
    expect(() => loadIdentityKeys({ env: { ...env, INLOCO_HASH_KEY: "not base64 at all!" } })).toThrow(InvalidKeyError);
  });

  it("without a data folder (PostgreSQL mode), a missing key is an error naming it", () => {
    const error = catchError(() => loadIdentityKeys({ env: { INLOCO_HASH_KEY: generateKey() } }));
    expect(error).toBeInstanceOf(MissingKeyError);
    expect(error).toMatchObject({ variable: "INLOCO_ENCRYPTION_KEY" });
    expect(error.message).toContain("INLOCO_ENCRYPTION_KEY");
  });

  it("with a data folder (embedded), generates the keys once into a 0600 file", () => {
    const first = loadIdentityKeys({ env: {}, dataDir: dir });
    const file = join(dir, KEYS_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadIdentityKeys({ env: {}, dataDir: dir });
    expect(second.hashKey.equals(first.hashKey)).toBe(true);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(first.hashKey.equals(first.encryptionKey)).toBe(false);
  });

  it("prefers keys from the environment over the data folder's", () => {
    const hashKey = generateKey();
    const loaded = loadIdentityKeys({ env: { INLOCO_HASH_KEY: hashKey }, dataDir: dir });
    expect(loaded.hashKey.toString("base64")).toBe(hashKey);
  });

  it("reports a damaged keys file by its path", () => {
    const broken = mkdtempSync(join(dir, "broken-"));
    writeFileSync(join(broken, KEYS_FILE_NAME), JSON.stringify({ hashKey: "abc", encryptionKey: generateKey() }));
    const error = catchError(() => loadIdentityKeys({ env: {}, dataDir: broken }));
    expect(error).toBeInstanceOf(InvalidKeyError);
    expect(error).toMatchObject({ source: join(broken, KEYS_FILE_NAME) });
    expect(readFileSync(join(broken, KEYS_FILE_NAME), "utf8")).toContain("abc");
  });
});

describe("channel identities in PostgreSQL", () => {
  let db: TestDatabase;
  const vault = new IdentityVault(keys);
  const address = "+393339876543";

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it("finds the contact of an address by its hash and reads the address back", async () => {
    const contact = await db.prisma.contact.create({
      data: {
        language: "uk",
        identities: {
          create: {
            channel: "whatsapp",
            addressHash: vault.hashAddress("whatsapp", address),
            addressEncrypted: vault.encrypt(address),
          },
        },
      },
    });
    await db.prisma.feedback.create({
      data: { contactId: contact.id, text: "The office is closed on Mondays", category: "services", language: "uk", sourceEventId: "evt-1" },
    });
    await db.prisma.auditLog.create({ data: { actor: "system", action: "consent", subject: contact.id } });

    const identity = await db.prisma.channelIdentity.findUniqueOrThrow({
      where: { channel_addressHash: { channel: "whatsapp", addressHash: vault.hashAddress("whatsapp", address) } },
    });
    expect(identity.contactId).toBe(contact.id);
    expect(vault.decrypt(identity.addressEncrypted)).toBe(address);
  });

  it("stores the raw address in no column of any table", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows: columns } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
        `SELECT table_name, column_name, data_type FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
      );
      expect(columns.length).toBeGreaterThan(50);
      const needle = address.slice(1); // without "+", in case a normaliser dropped it
      const hits: string[] = [];
      for (const { table_name, column_name, data_type } of columns) {
        // Every column, whatever its type, as text; bytea as raw bytes.
        const found =
          data_type === "bytea"
            ? `position(convert_to($1, 'UTF8') in "${column_name}") > 0`
            : `strpos("${column_name}"::text, $1) > 0`;
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${table_name}" WHERE ${found}`, [needle]);
        if (rows[0].n > 0) hits.push(`${table_name}.${column_name}`);
      }
      expect(hits).toEqual([]);
      // The check itself works: the address is found once it is written somewhere.
      await client.query(`UPDATE feedback SET text = $1`, [`call me on ${address}`]);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM feedback WHERE strpos(text::text, $1) > 0`, [needle]);
      expect(rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
