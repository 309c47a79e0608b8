import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { PROJECT_ROOT } from "../app/runtime.ts";
import { registerBroadcast } from "./broadcast.ts";
import { registerChat } from "./chat.ts";
import { registerContact } from "./contact.ts";
import { registerDb } from "./db.ts";
import { registerDigest } from "./digest.ts";
import { registerEvent } from "./event.ts";
import { registerExport } from "./export.ts";
import { registerFlows } from "./flows.ts";
import { registerPoster } from "./poster.ts";
import { registerQueue } from "./queue.ts";
import { registerReport } from "./report.ts";
import { registerRun } from "./run.ts";
import { registerTaskForce } from "./task-force.ts";
import { reportAndExit } from "./errors.ts";

const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
const program = new Command("inloco")
  .description("In Loco Outreach: surveys and feedback with newcomers, in their language")
  .version(version, "-V, --version", "print the version");
registerBroadcast(program);
registerChat(program);
registerDb(program);
registerContact(program);
registerDigest(program);
registerEvent(program);
registerExport(program);
registerFlows(program);
registerPoster(program);
registerQueue(program);
registerReport(program);
registerRun(program);
registerTaskForce(program);

program.parseAsync(process.argv).catch(reportAndExit);
