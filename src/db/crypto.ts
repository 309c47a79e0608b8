// Protection of channel addresses (phone numbers, Telegram chat ids): a keyed hash to find the
// contact of an inbound message, and authenticated encryption to read the address back for sends.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { DecryptionError } from "./errors.ts";
import type { IdentityKeys } from "./keys.ts";
import type { Channel } from "../generated/prisma/enums.ts";

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Hashes and encrypts channel addresses with the deployment's identity keys. */
export class IdentityVault {
  readonly #hashKey: Buffer;
  readonly #encryptionKey: Buffer;

  constructor(keys: IdentityKeys) {
    this.#hashKey = Buffer.from(keys.hashKey);
    this.#encryptionKey = Buffer.from(keys.encryptionKey);
  }

  /** HMAC-SHA256 of channel and address, hex: equal inputs give equal hashes, nothing else can. */
  hashAddress(channel: Channel, address: string): string {
    // The channel is part of the input so one address on two channels hashes differently.
    return createHmac("sha256", this.#hashKey).update(`${channel}\u0000${address}`, "utf8").digest("hex");
  }

  /**
   * An opaque key for a provider's message id. Some ids hold the sender's address (WhatsApp's
   * `false_39…@c.us_3EB0…`), and these keys end up in dedupe tables and queue job ids.
   */
  hashMessageId(channel: Channel, providerMessageId: string): string {
    return createHmac("sha256", this.#hashKey).update(`delivery\u0000${channel}\u0000${providerMessageId}`, "utf8").digest("hex").slice(0, 40);
  }

  /**
   * A key of its own for one purpose (`export-pseudonyms`), derived from the hash key: what it makes
   * can't be matched with address hashes, and the hash key never leaves the vault.
   */
  derivedKey(purpose: string): Buffer {
    return createHmac("sha256", this.#hashKey).update(`derived\u0000${purpose}`, "utf8").digest();
  }

  /** AES-256-GCM with a random IV; returns iv (12 bytes) ‖ tag (16) ‖ ciphertext. */
  encrypt(plaintext: string): Uint8Array<ArrayBuffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#encryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), ciphertext]));
  }

  /** Reverses encrypt(); throws DecryptionError on a wrong key or altered bytes. */
  decrypt(sealed: Uint8Array): string {
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new DecryptionError();
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#encryptionKey, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch (error) {
      throw new DecryptionError({ cause: error });
    }
  }
}
