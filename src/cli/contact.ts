import { userInfo } from "node:os";
import type { Command } from "commander";
import { openStakeholderDatabase } from "../app/database.ts";
import { eraseContact } from "../store/erase.ts";

/** `inloco contact erase <id>`: a coordinator erases a person's data, as the person's DELETE would. */
export function registerContact(program: Command): void {
  const contact = program.command("contact").description("contacts (known only by their opaque id)");
  contact
    .command("erase")
    .description("erase a contact's identity, answers, sessions and feedback text; recorded in the audit log")
    .argument("<id>", "the contact's id")
    .option("--actor <who>", "who asks, for the audit log", `cli:${userInfo().username}`)
    .action(async (id: string, opts: { actor: string }) => {
      const { db, close } = await openStakeholderDatabase({ attach: true });
      try {
        const report = await db.sql.transaction((tx) => eraseContact(tx, id, opts.actor));
        if (!report) {
          console.error(`no contact ${id}`);
          process.exitCode = 1;
          return;
        }
        console.log(`erased contact ${id}: ${report.answers} answers, ${report.identities} channel identities; ${report.feedback} feedback kept without text`);
      } finally {
        await close();
      }
    });
}
