import { parseDocument } from "yaml";
import { z } from "zod";
import { Flow } from "../engine/index.ts";
import type { Problem } from "./problems.ts";

/** Parse one flow file's text (YAML, or JSON, which is YAML too) into a flow, or say what is wrong. */
export function parseFlowText(file: string, text: string): { flow?: Flow; problems: Problem[] } {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        file,
        path: "",
        message: `${e.message.replace(/\s+at line.*$/s, "")}${e.linePos ? ` (line ${e.linePos[0].line})` : ""}`,
      })),
    };
  }
  const result = Flow.safeParse(doc.toJS());
  if (result.success) return { flow: result.data, problems: [] };
  return { problems: result.error.issues.map((issue) => ({ file, path: issue.path.join("."), message: describe(issue) })) };
}

// Zod's messages are written for developers; flow authors get one plain sentence each.
function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_union":
      if ((issue as { note?: string }).note === "No matching discriminator") {
        const options = (issue as { options?: unknown[] }).options;
        return `unknown type; use one of ${options && options.length ? options.join(", ") : "the documented types"}`;
      }
      return "not a valid value here";
    case "unrecognized_keys":
      return `unknown ${issue.keys.length > 1 ? "properties" : "property"} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_type":
      return issue.input === undefined ? "is required" : `must be ${issue.expected === "record" ? "a map" : issue.expected}`;
    case "invalid_value":
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    default:
      return issue.message;
  }
}
