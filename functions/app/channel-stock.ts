import { availableToPromise, type Stock } from "../domain/catalog.js";
import type { Channel, ChannelType } from "../domain/channel.js";
import type { Product } from "../domain/product.js";
import type { ChannelInventory, ChannelStockLevels, Clock } from "./ports.js";

export interface ChannelStockDeps {
  channels: { list(): Promise<Channel[]> };
  products: { get(sku: string): Promise<Product | undefined> };
  stock: { stockOf(sku: string): Promise<Stock[]> };
  levels: ChannelStockLevels;
  inventories: Partial<Record<ChannelType, ChannelInventory>>;
  clock: Clock;
}

/** What each channel location may sell: the ATP of the locations that feed it (all of ours when it names none). */
function levelsFor(channel: Channel, rows: Stock[]): Record<string, number> {
  const sum = (ids?: string[]) => rows.filter((r) => !ids || ids.includes(r.locationId)).reduce((n, r) => n + availableToPromise(r), 0);
  if (channel.type !== "shopify") return { "": sum() };
  return Object.fromEntries((channel.inventoryLocations ?? []).map((l) => [l.channelLocationId, sum(l.locationIds)]));
}

/**
 * Sets each channel's stock of the SKUs whose availability changed. The levels are read now, not
 * taken from the events, so however many changes a batch coalesced (and in whatever order they
 * came), the channel gets the latest value, once; a level equal to the last one sent is not sent.
 * A failure throws (the queue retries the batch, which reads the levels again).
 */
export async function syncStock(deps: ChannelStockDeps, skus: string[]): Promise<{ calls: number; skipped: number }> {
  const channels = (await deps.channels.list()).filter((c) => c.active && deps.inventories[c.type]);
  let calls = 0;
  let skipped = 0;
  for (const sku of [...new Set(skus)]) {
    const product = await deps.products.get(sku);
    const listed = channels.filter((c) => product?.listings.some((l) => l.channelId === c.channelId));
    if (!listed.length) continue;
    const rows = await deps.stock.stockOf(sku);
    for (const channel of listed) {
      const listing = product?.listings.find((l) => l.channelId === channel.channelId);
      const levels = levelsFor(channel, rows);
      const last = await deps.levels.get(channel.channelId, sku);
      const changed = Object.entries(levels).filter(([loc, q]) => last[loc] !== q);
      if (!listing || !changed.length) {
        skipped++;
        continue;
      }
      await deps.inventories[channel.type]?.setAvailable(channel, listing, changed.map(([channelLocationId, quantity]) => ({ channelLocationId, quantity })));
      await deps.levels.put(channel.channelId, sku, { ...last, ...levels }, deps.clock.now());
      calls++;
    }
  }
  return { calls, skipped };
}
