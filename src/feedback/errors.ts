// What can go wrong when staff act on feedback, with what they need to put it right.

/** No feedback item has this id. */
export class FeedbackNotFoundError extends Error {
  override readonly name = "FeedbackNotFoundError";
  constructor(readonly id: string) {
    super(`no feedback ${id}`);
  }
}

/** A reply can't go: the person didn't ask to be contacted back, stopped, or was erased. */
export class FeedbackReplyError extends Error {
  override readonly name = "FeedbackReplyError";
  constructor(
    readonly id: string,
    readonly field: "text" | "person",
    message: string,
  ) {
    super(message);
  }
}
