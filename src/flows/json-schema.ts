import { z } from "zod";
import { Flow } from "../engine/index.ts";

/** The JSON Schema of flow files, for editors (`flows/flow.schema.json`). */
export function flowJsonSchema(): string {
  const schema = z.toJSONSchema(Flow, { io: "input", target: "draft-2020-12" });
  return `${JSON.stringify({ ...schema, title: "In Loco Outreach flow" }, null, 2)}\n`;
}
