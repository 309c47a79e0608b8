import { ConfigError } from "../config/env.ts";
import { FlowError } from "../flows/problems.ts";
import { BroadcastInputError, BroadcastNotFoundError, BroadcastStateError } from "../broadcasts/index.ts";
import { AmbiguousTaskForceError, DigestPeriodError, TaskForceNotFoundError } from "../digests/index.ts";
import { ExportInputError } from "../exports/errors.ts";
import { MeetingCancelledError, MeetingChangedError, MeetingInputError, MeetingNotFoundError } from "../meetings/index.ts";

/** A service field as the CLI option that sets it (taskForce → --task-force). */
const optionOf = (field: string) => (field === "id" ? "<id>" : `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);

// The broadcast service's fields as `inloco broadcast create`'s options.
const BROADCAST_OPTIONS: Record<string, string> = { content: "--text / --event / --flow", texts: "--text", meeting: "--event", territories: "--territory", languages: "--language", channels: "--channel", baseLanguage: "--text" };
const broadcastOption = (field: string) => BROADCAST_OPTIONS[field] ?? optionOf(field);

/** Something asked of a command that can't be done, said in words the person can act on. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Print an error the way a person running the CLI can act on it, then exit 1. */
export function reportAndExit(e: unknown): never {
  if (e instanceof UsageError) console.error(e.message);
  else if (e instanceof FlowError) console.error(`Flows can't be loaded:\n${e.message}`);
  else if (e instanceof ConfigError) console.error(e.message);
  else if (e instanceof MeetingInputError) console.error(e.problems.map((p) => `${optionOf(p.field)}: ${p.message}`).join("\n"));
  else if (e instanceof BroadcastInputError) console.error(e.problems.map((p) => `${broadcastOption(p.field)}: ${p.message}`).join("\n"));
  else if (e instanceof BroadcastNotFoundError || e instanceof BroadcastStateError) console.error(e.message);
  else if (e instanceof TaskForceNotFoundError || e instanceof AmbiguousTaskForceError || e instanceof DigestPeriodError) console.error(e.message);
  else if (e instanceof ExportInputError) console.error(e.message);
  else if (e instanceof MeetingNotFoundError || e instanceof MeetingCancelledError || e instanceof MeetingChangedError) console.error(e.message);
  else if (e instanceof Error && "code" in e && typeof (e as { code: unknown }).code === "string" && e.name !== "Error") {
    console.error(`${e.name}: ${e.message}`);
  } else console.error(e);
  process.exit(1);
}
