import type { Flow } from "./definition/flow.ts";
import type { Lexicon } from "./text/lexicon.ts";

export type { Lexicon } from "./text/lexicon.ts";

/** Where the engine finds flows by id (the host loads them from `flows/`). */
export interface FlowSource {
  get(id: string): Flow | undefined;
}

/** Everything the engine may use besides the session and the input: given, never global. */
export interface EngineContext {
  flows: FlowSource;
  lexicon: Lexicon;
  /** Languages offered, in menu order; the first is the default. */
  languages: readonly string[];
  /** The flow a new conversation (or START) begins. */
  entryFlow: string;
  /**
   * The flow that asks for consent (default `onboarding`); the version of its consent note is the
   * current one. While a person has not accepted that version, no other flow starts: this one runs
   * first, and the flow asked for follows it. Named here, it must be loaded (an error otherwise).
   */
  consentFlow?: string;
  /** The clock. */
  now: () => Date;
  /** A new unique id (run ids). */
  newId: () => string;
  /** Time zone that turns "today" into a date. */
  timeZone: string;
  /** Nodes visited per input before the engine calls it a loop. */
  maxSteps?: number;
  /** Sub-flows deep before the engine calls it a loop. */
  maxDepth?: number;
}
