// Deep links (`t.me/<bot>?start=<payload>`, a QR code on a poster) carry where a person is and what
// they came for. Telegram allows 64 characters of A-Z a-z 0-9 _ - in a payload.

/** What a start payload asks for: a territory, an event to answer, a flow. */
export interface StartRequest {
  territory?: string;
  event?: string;
  flow?: string;
}

const PART = /^([tef])-([A-Za-z0-9_-]+)$/;
const MAX = 64;

/** Read a payload such as `t-valsusa` or `t-valsusa__e-42`; unknown parts are ignored, never an error. */
export function readStartPayload(payload: string): StartRequest {
  const out: StartRequest = {};
  for (const part of payload.trim().split("__")) {
    const m = PART.exec(part);
    if (!m) continue;
    const value = m[2] as string;
    if (m[1] === "t") out.territory = value;
    else if (m[1] === "e") out.event = value;
    else out.flow = value;
  }
  return out;
}

/** Write a payload for a deep link; throws when it would not fit Telegram's 64 characters. */
export function startPayload(request: StartRequest): string {
  const parts = [
    request.territory && `t-${request.territory}`,
    request.event && `e-${request.event}`,
    request.flow && `f-${request.flow}`,
  ].filter((p): p is string => Boolean(p));
  const payload = parts.join("__");
  if (payload.length > MAX || !parts.every((p) => PART.test(p))) {
    throw new RangeError(`start payload "${payload}" must be at most ${MAX} characters of A-Z a-z 0-9 _ -`);
  }
  return payload;
}
