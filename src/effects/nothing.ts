import type { Effect } from "./effect.ts";

/** For events that stay inside the conversation (an invalid answer, an ignored input, an engine error). */
export const nothing: Effect = {};
