import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { TerminalChannel } from "../../bots/terminal/index.ts";
import { runChat } from "../../bots/terminal/chat.ts";
import { startApp } from "../app/app.ts";
import { loadRuntime } from "../app/runtime.ts";
import { Conversations } from "../conversation/conversations.ts";
import { MemoryStore } from "../conversation/memory-store.ts";
import { myDataReplies } from "../rights/my-data.ts";
import { waitIdle } from "../pipeline/idle.ts";
import { seedDemo } from "../repos/seed.ts";
import { databaseSettings, PGLITE_FOLDER } from "../db/index.ts";
import { noTerritories } from "../repos/territories.ts";
import { silentLog } from "../log/log.ts";

/** `inloco chat`: talk to the bot in the terminal, through the real pipeline and database. */
export function registerChat(program: Command): void {
  program
    .command("chat")
    .description("chat with the bot in this terminal (reads one message per line when piped)")
    .option("--user <name>", "who you are: each name is a separate person", "demo")
    .option("--lang <code>", "starting language, e.g. ar")
    .option("--memory", "keep nothing: no database, no queues (the engine alone)")
    .action(async (opts: { user: string; lang?: string; memory?: boolean }) => {
      const runtime = loadRuntime();
      const person = {
        texts: runtime.texts,
        user: opts.user,
        ...(opts.lang ? { lang: opts.lang } : {}),
        input: process.stdin,
        output: process.stdout,
        interactive: Boolean(process.stdin.isTTY),
      };
      if (opts.memory) {
        const conversations = new Conversations(runtime.engine, new MemoryStore(), undefined, undefined, myDataReplies(undefined, runtime.texts, runtime.engine.flows));
        await runChat({
          ...person,
          handle: async (inbound, channel) => {
            const reply = await conversations.receive({ channel: "terminal", id: inbound.address }, inbound.input, inbound.language ? { language: inbound.language } : {});
            for (const m of reply.messages) await channel.send(inbound.address, m);
          },
        });
        return;
      }
      const terminal = new TerminalChannel(person);
      // Opening the database takes a moment, the very first time (creating it, migrating) several
      // seconds: say so rather than stay silent. On stderr, so piped output stays a transcript.
      process.stderr.write(`Starting…${firstStart() ? " (the first start prepares the database)" : ""}\n`);
      const app = await startApp({ mode: "chat", runtime, extraChannels: [terminal], health: false, log: silentLog });
      try {
        // A fresh embedded database gets the demo territories and event, so answers link to them.
        if (app.database.db.embedded && (await noTerritories(app.database.db.prisma))) await seedDemo(app.database.db.prisma);
        await terminal.start(async (inbound) => {
          await app.pipeline.accept(inbound);
          await waitIdle(app.broker);
        });
        await terminal.finished();
      } finally {
        await terminal.stop();
        await app.stop();
      }
    });
}

/** Whether the embedded database is still to be created (no server configured, no folder yet). */
function firstStart(): boolean {
  const settings = databaseSettings();
  return !settings.databaseUrl && !existsSync(join(resolve(settings.dataDir), PGLITE_FOLDER));
}
