// What can go wrong with a meeting, carrying what a person needs to put it right. The CLI (and later
// Slack) turns `field` into its own words (`--starts`, a form field).

/** One thing wrong with what was asked: the field it concerns and what it should look like. */
export interface MeetingProblem {
  /** The input field: territory, title, description, starts, ends, place, taskForce, capacity, id, baseLanguage. */
  field: string;
  message: string;
}

/** Input that can't make a meeting, with every problem found (nothing was written). */
export class MeetingInputError extends Error {
  override readonly name = "MeetingInputError";
  constructor(readonly problems: readonly MeetingProblem[]) {
    super(`The meeting can't be saved:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join("\n")}`);
  }
}

/** No meeting has this id. */
export class MeetingNotFoundError extends Error {
  override readonly name = "MeetingNotFoundError";
  constructor(readonly id: string) {
    super(`no meeting ${id} (\`inloco event list --all\` shows every meeting's id)`);
  }
}

/** The meeting was cancelled, so it can't be changed any more. */
export class MeetingCancelledError extends Error {
  override readonly name = "MeetingCancelledError";
  constructor(
    readonly id: string,
    readonly cancelledAt: Date | null,
  ) {
    super(`meeting ${id} was cancelled${cancelledAt ? ` on ${cancelledAt.toISOString()}` : ""} and can't be changed: create a new one`);
  }
}

/** Someone else changed the meeting between reading it and saving this change (nothing was saved). */
export class MeetingChangedError extends Error {
  override readonly name = "MeetingChangedError";
  constructor(readonly id: string) {
    super(`meeting ${id} was changed by someone else meanwhile; nothing was saved: look at it again (\`inloco event show ${id}\`) and repeat the change`);
  }
}
