// About one message a second per channel (Slack's limit for posting): each post waits its turn.

export class ChannelPace {
  private readonly next = new Map<string, number>();

  constructor(private readonly gapMs = 1_100) {}

  /** Resolves when a message may be posted to `channel`, and books that moment. */
  async turn(channel: string): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next.get(channel) ?? 0);
    this.next.set(channel, at + this.gapMs);
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}
