import { writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import { openStakeholderDatabase } from "../app/database.ts";
import { loadRuntime } from "../app/runtime.ts";
import type { ChannelName } from "../channel/contract.ts";
import { openBroker, readQueueSettings } from "../config/queue.ts";
import { forgetQueuedJobs } from "../pipeline/erasure.ts";
import { writeAudit } from "../repos/audit.ts";
import { contactByAddressHash, heldData } from "../repos/contact-data.ts";
import { eraseContact } from "../repos/erase.ts";
import { accessDocument } from "../rights/access.ts";
import { BadAddressError, telegramAddress, whatsappAddress } from "../rights/addresses.ts";

const CONTACT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const refuseId = (id: string): boolean => {
  if (CONTACT_ID.test(id)) return false;
  console.error(`"${id}" is not a contact id: a contact id is a UUID such as 3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b (see the audit log or an export)`);
  process.exitCode = 1;
  return true;
};

/**
 * `inloco contact erase <id>`: a coordinator erases a person's data, as the person's DELETE would:
 * the database in one transaction, then (with REDIS_URL) the person's jobs still in the queues.
 * `contact export <id>`: everything held about a person, for their access request. `contact find`:
 * a person's id from their address, through the keyed hash. Each is recorded in the audit log: who, when, never what.
 */
export function registerContact(program: Command): void {
  const contact = program.command("contact").description("contacts (known only by their opaque id)");
  contact
    .command("export")
    .description("write everything held about a contact (answers, feedback, RSVPs, broadcasts, addresses) as JSON and as text in their language; recorded in the audit log")
    .argument("<id>", "the contact's id")
    .option("--out <base>", "write <base>.json and <base>.txt (default: <id> in the current folder)")
    .option("--actor <who>", "who asks, for the audit log", `cli:${userInfo().username}`)
    .action(async (id: string, opts: { out?: string; actor: string }) => {
      if (refuseId(id)) return;
      const runtime = loadRuntime();
      const { db, vault, close } = await openStakeholderDatabase({ attach: true });
      try {
        const held = await heldData(db.sql, vault, id);
        if (!held) {
          console.error(`no contact ${id}`);
          process.exitCode = 1;
          return;
        }
        // Who asked is recorded before anything is written out: an export nobody knows of never exists.
        await writeAudit(db.sql, opts.actor, "export", id);
        const doc = accessDocument(held, runtime.engine.flows, runtime.texts, new Date());
        const base = resolve(opts.out ?? id);
        // Only the owner may read them: they hold the person's address in clear.
        writeFileSync(`${base}.json`, `${JSON.stringify(doc.json, null, 2)}\n`, { mode: 0o600 });
        writeFileSync(`${base}.txt`, doc.text, { mode: 0o600 });
        console.log(`wrote ${base}.json and ${base}.txt (in ${doc.lang}): ${held.answers.length} answers, ${held.feedback.length} feedback, ${held.rsvps.length} RSVPs, ${held.deliveries.length} broadcasts received`);
      } finally {
        await close();
      }
    });
  contact
    .command("find")
    .description("print the id of the contact with this Telegram chat id or WhatsApp number (through the keyed hash); recorded in the audit log")
    .option("--telegram <chat id>", "a Telegram chat id, e.g. 123456789")
    .option("--whatsapp <number>", "a WhatsApp number with its country code, e.g. +39 333 123 4567")
    .option("--actor <who>", "who asks, for the audit log", `cli:${userInfo().username}`)
    .action(async (opts: { telegram?: string; whatsapp?: string; actor: string }) => {
      if ((opts.telegram === undefined) === (opts.whatsapp === undefined)) {
        console.error("give one of --telegram <chat id> or --whatsapp <number>");
        process.exitCode = 1;
        return;
      }
      let channel: ChannelName;
      let address: string;
      try {
        [channel, address] = opts.telegram !== undefined ? ["telegram", telegramAddress(opts.telegram)] : ["whatsapp", whatsappAddress(opts.whatsapp as string)];
      } catch (e) {
        if (!(e instanceof BadAddressError)) throw e;
        console.error(e.message);
        process.exitCode = 1;
        return;
      }
      const { db, vault, close } = await openStakeholderDatabase({ attach: true });
      try {
        const found = await contactByAddressHash(db.sql, channel, vault.hashAddress(channel, address));
        // The audit row says who looked, on which channel, and whether someone was found; never the address.
        await writeAudit(db.sql, opts.actor, "find", found ?? null, { channel, found: found !== undefined });
        if (!found) {
          console.error(`no contact with that ${channel} address`);
          process.exitCode = 1;
          return;
        }
        console.log(found);
      } finally {
        await close();
      }
    });
  contact
    .command("erase")
    .description("erase a contact's identity, answers, sessions, feedback text and queued jobs; recorded in the audit log")
    .argument("<id>", "the contact's id")
    .option("--actor <who>", "who asks, for the audit log", `cli:${userInfo().username}`)
    .action(async (id: string, opts: { actor: string }) => {
      if (refuseId(id)) return;
      const settings = readQueueSettings();
      const { db, vault, close } = await openStakeholderDatabase({ attach: true });
      try {
        const erased = await db.sql.transaction((tx) => eraseContact(tx, id, opts.actor));
        if (!erased) {
          console.error(`no contact ${id}`);
          process.exitCode = 1;
          return;
        }
        console.log(`erased contact ${id}: ${erased.answers} answers, ${erased.identities} channel identities; ${erased.feedback} feedback kept without text`);
        // Without REDIS_URL: their waiting messages (the inbox) went in the transaction; the app's in-process jobs find no one.
        if (!settings.REDIS_URL) return;
        try {
          const broker = await openBroker(settings, { onError: () => {} });
          try {
            const jobs = await forgetQueuedJobs(broker, vault, erased.person);
            console.log(`removed ${jobs} of its jobs from the queues`);
          } finally {
            await broker.close();
          }
        } catch (e) {
          console.error(`the database is erased, but its jobs could not be removed from the queues: ${(e as Error).message}. Its failed jobs expire after 7 days.`);
          process.exitCode = 1;
        }
      } finally {
        await close();
      }
    });
}
