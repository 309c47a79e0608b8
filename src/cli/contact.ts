import { userInfo } from "node:os";
import type { Command } from "commander";
import { openStakeholderDatabase } from "../app/database.ts";
import { openBroker, readQueueSettings } from "../config/queue.ts";
import { forgetQueuedJobs } from "../pipeline/erasure.ts";
import { eraseContact } from "../repos/erase.ts";

const CONTACT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `inloco contact erase <id>`: a coordinator erases a person's data, as the person's DELETE would:
 * the database in one transaction, then (with REDIS_URL) the person's jobs still in the queues.
 */
export function registerContact(program: Command): void {
  const contact = program.command("contact").description("contacts (known only by their opaque id)");
  contact
    .command("erase")
    .description("erase a contact's identity, answers, sessions, feedback text and queued jobs; recorded in the audit log")
    .argument("<id>", "the contact's id")
    .option("--actor <who>", "who asks, for the audit log", `cli:${userInfo().username}`)
    .action(async (id: string, opts: { actor: string }) => {
      if (!CONTACT_ID.test(id)) {
        console.error(`"${id}" is not a contact id: a contact id is a UUID such as 3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a3b (see the audit log or an export)`);
        process.exitCode = 1;
        return;
      }
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
