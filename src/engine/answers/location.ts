import { invalid, ok, type Parsed, type Said } from "./types.ts";

/** A shared location, or the name of a place typed as text. */
export function parseLocation(said: Said): Parsed {
  if (said.type === "location") {
    const valid = Math.abs(said.lat) <= 90 && Math.abs(said.lon) <= 180;
    return valid ? ok({ kind: "location", lat: said.lat, lon: said.lon }) : invalid("hints:location");
  }
  if (said.type !== "text") return invalid("hints:location");
  const place = said.text.trim();
  return [...place].length >= 2 && place.length <= 200 ? ok({ kind: "location", place }) : invalid("hints:location");
}
