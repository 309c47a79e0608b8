import type { Command } from "commander";
import { runChat } from "../../bots/terminal/chat.ts";
import { openStakeholderDatabase, type StakeholderDatabase } from "../app/database.ts";
import { loadRuntime } from "../app/runtime.ts";
import { Conversations } from "../conversation/conversations.ts";
import { MemoryStore } from "../conversation/memory-store.ts";
import { seedDemo } from "../store/seed.ts";

/** `inloco chat`: talk to the bot in the terminal, with answers kept in the database. */
export function registerChat(program: Command): void {
  program
    .command("chat")
    .description("chat with the bot in this terminal (reads one message per line when piped)")
    .option("--user <name>", "who you are: each name is a separate person", "demo")
    .option("--lang <code>", "starting language, e.g. ar")
    .option("--memory", "keep nothing: no database")
    .action(async (opts: { user: string; lang?: string; memory?: boolean }) => {
      const runtime = loadRuntime();
      let database: StakeholderDatabase | undefined;
      if (!opts.memory) {
        database = await openStakeholderDatabase();
        // A fresh embedded database gets the demo territories, so answers link to them.
        if (database.db.embedded && (await database.db.prisma.territory.count()) === 0) await seedDemo(database.db.prisma);
      }
      try {
        const conversations = new Conversations(runtime.engine, database?.store ?? new MemoryStore());
        await runChat({
          conversations,
          texts: runtime.texts,
          user: opts.user,
          ...(opts.lang ? { lang: opts.lang } : {}),
          input: process.stdin,
          output: process.stdout,
          interactive: Boolean(process.stdin.isTTY),
        });
      } finally {
        await database?.close();
      }
    });
}
