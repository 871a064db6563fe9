import { describe, expect, it } from "vitest";
import { FIRST_LOOKBACK_MS, OVERLAP_MS, reconcileChannels, type ReconcileDeps } from "../../../functions/app/reconcile-channels.js";
import type { Channel } from "../../../functions/domain/channel.js";

const base = { active: true, defaultCurrency: "USD", locale: "en-US", version: 1, updatedAt: "t", updatedBy: "ops" } as const;
const shop: Channel = { ...base, channelId: "shop", type: "shopify", shopDomain: "x.myshopify.com" };
const woo: Channel = { ...base, channelId: "woo", type: "woocommerce", siteUrl: "https://w.example.com" };
const NOW = "2026-12-03T12:00:00.000Z";

function deps(feed: (c: Channel, since: string) => Record<string, unknown>[] | Error, cursors = new Map<string, { cursor: string; error?: string }>()) {
  const asked: [string, string][] = [];
  const applied: string[] = [];
  const d: ReconcileDeps = {
    channels: { list: () => Promise.resolve([shop, woo, { ...base, channelId: "gen", type: "generic" }]) },
    cursors: { get: (id) => Promise.resolve(cursors.get(id)), put: (id, s) => Promise.resolve(void cursors.set(id, s)) },
    feeds: Object.fromEntries(
      (["shopify", "woocommerce"] as const).map((t) => [
        t,
        {
          // eslint-disable-next-line @typescript-eslint/require-await
          updatedSince: async function* (c: Channel, since: string) {
            asked.push([c.channelId, since]);
            const out = feed(c, since);
            if (out instanceof Error) throw out;
            yield* out;
          },
        },
      ]),
    ),
    apply: (c, o) => (applied.push(`${c.channelId}:${String(o.id)}`), Promise.resolve("created")),
    clock: { now: () => NOW },
  };
  return { d, asked, applied, cursors };
}

describe("reconciling the channels", () => {
  it("asks each marketplace from its cursor less the overlap (a first run a day back), applies every order, then moves the cursor", async () => {
    const { d, asked, applied, cursors } = deps(() => [{ id: 1 }, { id: 2 }], new Map([["shop", { cursor: "2026-12-03T11:00:00.000Z" }]]));
    expect(await reconcileChannels(d)).toEqual({ shop: { seen: 2, outcomes: { created: 2 } }, woo: { seen: 2, outcomes: { created: 2 } } });
    expect(asked).toEqual([
      ["shop", new Date(Date.parse("2026-12-03T11:00:00.000Z") - OVERLAP_MS).toISOString()],
      ["woo", new Date(Date.parse(NOW) - FIRST_LOOKBACK_MS).toISOString()],
    ]);
    expect(applied).toEqual(["shop:1", "shop:2", "woo:1", "woo:2"]);
    expect(cursors.get("shop")?.cursor).toBe(NOW);
  });

  it("a channel that fails keeps its cursor, with the error, and the others go on", async () => {
    const { d, cursors } = deps((c) => (c.channelId === "shop" ? new Error("HTTP 503") : [{ id: 3 }]), new Map([["shop", { cursor: "2026-12-03T11:00:00.000Z" }]]));
    const out = await reconcileChannels(d);
    expect(out.shop).toMatchObject({ error: "HTTP 503" });
    expect(cursors.get("shop")).toMatchObject({ cursor: "2026-12-03T11:00:00.000Z", error: "HTTP 503" });
    expect(cursors.get("woo")?.cursor).toBe(NOW);
  });
});
