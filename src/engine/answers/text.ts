import type { z } from "zod";
import type { TextAnswer } from "../definition/answer-spec.ts";
import { invalid, ok, type Parsed, type Said } from "./types.ts";

/** Free text within length limits (kept as written), or a voice note where the question takes one. */
export function parseText(spec: z.infer<typeof TextAnswer>, said: Said): Parsed {
  if (said.type === "media" && said.media === "voice" && spec.media.includes("voice")) {
    return ok({ kind: "media", media: "voice", ref: said.ref });
  }
  if (said.type !== "text") return invalid("hints:text");
  const text = said.text.trim();
  const length = [...text].length;
  if (length < spec.min) return invalid("hints:text_too_short", { min: spec.min });
  if (length > spec.max) return invalid("hints:text_too_long", { max: spec.max });
  return ok({ kind: "text", text });
}
