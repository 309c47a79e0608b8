import { ConfigError } from "../config/env.ts";
import { FlowError } from "../flows/problems.ts";

/** Print an error the way a person running the CLI can act on it, then exit 1. */
export function reportAndExit(e: unknown): never {
  if (e instanceof FlowError) console.error(`Flows can't be loaded:\n${e.message}`);
  else if (e instanceof ConfigError) console.error(e.message);
  else if (e instanceof Error && "code" in e && typeof (e as { code: unknown }).code === "string" && e.name !== "Error") {
    console.error(`${e.name}: ${e.message}`);
  } else console.error(e);
  process.exit(1);
}
