import type { Command } from "commander";
import { runChat } from "../../bots/terminal/chat.ts";
import { loadRuntime } from "../app/runtime.ts";
import { Conversations } from "../conversation/conversations.ts";
import { MemoryStore } from "../conversation/memory-store.ts";

/** `inloco chat`: talk to the bot in the terminal. */
export function registerChat(program: Command): void {
  program
    .command("chat")
    .description("chat with the bot in this terminal (reads one message per line when piped)")
    .option("--user <name>", "who you are: each name is a separate person", "demo")
    .option("--lang <code>", "starting language, e.g. ar")
    .action(async (opts: { user: string; lang?: string }) => {
      const runtime = loadRuntime();
      const conversations = new Conversations(runtime.engine, new MemoryStore());
      await runChat({
        conversations,
        texts: runtime.texts,
        user: opts.user,
        ...(opts.lang ? { lang: opts.lang } : {}),
        input: process.stdin,
        output: process.stdout,
        interactive: Boolean(process.stdin.isTTY),
      });
    });
}
