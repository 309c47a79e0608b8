// What can go wrong with a broadcast, carrying what a coordinator needs to put it right. The CLI (and
// later Slack) turns `field` into its own words (`--text`, a form field).
import type { BroadcastStatus } from "../repos/broadcasts.ts";

/** One thing wrong with what was asked: the field it concerns and what it should look like. */
export interface BroadcastProblem {
  /** content, texts, baseLanguage, meeting, flow, territories, languages, channels, at, expires. */
  field: string;
  message: string;
}

/** Input that can't make a broadcast, with every problem found (nothing was written). */
export class BroadcastInputError extends Error {
  override readonly name = "BroadcastInputError";
  constructor(readonly problems: readonly BroadcastProblem[]) {
    super(`The broadcast can't be made:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join("\n")}`);
  }
}

/** No broadcast has this id. */
export class BroadcastNotFoundError extends Error {
  override readonly name = "BroadcastNotFoundError";
  constructor(readonly id: string) {
    super(`no broadcast ${id} (\`inloco broadcast list\` shows their ids)`);
  }
}

/** The broadcast is not in a state this step can start from (e.g. resuming one that isn't paused). */
export class BroadcastStateError extends Error {
  override readonly name = "BroadcastStateError";
  constructor(
    readonly id: string,
    readonly status: BroadcastStatus,
    readonly wanted: BroadcastStatus,
  ) {
    super(`broadcast ${id} is ${status}: it can't be made ${wanted}`);
  }
}
