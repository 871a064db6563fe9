import type { Channel, ChannelType } from "../domain/channel.js";
import type { ChannelOrderFeed, Clock, ReconcileCursors } from "./ports.js";

export interface ReconcileDeps {
  channels: { list(): Promise<Channel[]> };
  cursors: ReconcileCursors;
  feeds: Partial<Record<ChannelType, ChannelOrderFeed>>;
  /** Takes one listed order through the same idempotent path its webhook takes; returns the outcome's name. */
  apply: (channel: Channel, order: Record<string, unknown>) => Promise<string>;
  clock: Clock;
}

/** How far before the cursor each run asks again: the channel's clock and ours may differ, and the path is idempotent. */
export const OVERLAP_MS = 5 * 60_000;
/** How far back a channel's first run looks. */
export const FIRST_LOOKBACK_MS = 24 * 3600_000;

/**
 * Asks every active marketplace channel for the orders updated since its cursor (less an overlap)
 * and takes each through the path its webhook takes (captured once, cancelled once, changed once),
 * so a missed webhook is a delay, never a lost order. The cursor moves to when the run asked, only
 * after every listed order went through; a channel that fails keeps its cursor (the next run asks
 * again) and the error is kept with it, without stopping the other channels.
 */
export async function reconcileChannels(deps: ReconcileDeps): Promise<Record<string, { seen: number; outcomes: Record<string, number>; error?: string }>> {
  const out: Record<string, { seen: number; outcomes: Record<string, number>; error?: string }> = {};
  for (const channel of (await deps.channels.list()).filter((c) => c.active && deps.feeds[c.type])) {
    const startedAt = deps.clock.now();
    const previous = await deps.cursors.get(channel.channelId);
    const since = new Date(Date.parse(previous?.cursor ?? startedAt) - (previous ? OVERLAP_MS : FIRST_LOOKBACK_MS)).toISOString();
    const outcomes: Record<string, number> = {};
    let seen = 0;
    try {
      for await (const order of deps.feeds[channel.type]?.updatedSince(channel, since) ?? []) {
        seen++;
        const outcome = await deps.apply(channel, order);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
      await deps.cursors.put(channel.channelId, { cursor: startedAt, ranAt: startedAt, seen, outcomes });
      out[channel.channelId] = { seen, outcomes };
    } catch (error) {
      const message = (error as Error).message.slice(0, 500);
      await deps.cursors.put(channel.channelId, { cursor: previous?.cursor ?? since, ranAt: startedAt, seen, outcomes, error: message });
      out[channel.channelId] = { seen, outcomes, error: message };
    }
  }
  return out;
}
