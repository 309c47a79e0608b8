// What the Slack app calls: the services (meetings, broadcasts, feedback, digests) and the reads of
// the data-access layer. Never the engine or the queues.
import type { BroadcastsContext } from "../broadcasts/index.ts";
import type { DigestsContext } from "../digests/index.ts";
import type { FeedbackContext } from "../feedback/index.ts";
import type { MeetingsContext } from "../meetings/index.ts";
import type { Sql } from "../db/index.ts";

export interface SlackServices {
  sql: Sql;
  meetings: MeetingsContext;
  broadcasts: BroadcastsContext;
  feedback: FeedbackContext;
  digests: DigestsContext;
  /** INLOCO_LANGUAGES, in menu order. */
  languages: readonly string[];
  /** The flows a broadcast may start. */
  flows: readonly string[];
  /** INLOCO_TIME_ZONE. */
  timeZone: string;
  now: () => Date;
}
