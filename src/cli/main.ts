import { Command } from "commander";
import { registerChat } from "./chat.ts";
import { registerContact } from "./contact.ts";
import { registerDb } from "./db.ts";
import { registerFlows } from "./flows.ts";
import { registerPoster } from "./poster.ts";
import { registerQueue } from "./queue.ts";
import { registerRun } from "./run.ts";
import { reportAndExit } from "./errors.ts";

const program = new Command("inloco").description("In Loco Outreach: surveys and feedback with newcomers, in their language");
registerChat(program);
registerDb(program);
registerContact(program);
registerFlows(program);
registerPoster(program);
registerQueue(program);
registerRun(program);

program.parseAsync(process.argv).catch(reportAndExit);
