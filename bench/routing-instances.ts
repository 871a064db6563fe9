import type { Location } from "../functions/domain/catalog.js";
import type { Candidate, Delivery, RouteLine, RoutingProblem } from "../functions/domain/routing.js";
import { defaultRoutingRules } from "../functions/domain/routing-rules.js";

/** mulberry32: a small seeded PRNG, so every instance set is the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (r: () => number, lo: number, hi: number) => lo + r() * (hi - lo);
const int = (r: () => number, lo: number, hi: number) => Math.floor(between(r, lo, hi + 1));

/** A network of locations across central Europe: warehouses, stores, drop-shippers, with real-looking costs and gaps. */
export function network(r: () => number, count: number): Location[] {
  return Array.from({ length: count }, (_, i): Location => {
    const roll = r();
    const kind = roll < 0.55 ? "warehouse" : roll < 0.9 ? "store" : "dropship";
    return {
      locationId: `${kind === "warehouse" ? "WH" : kind === "store" ? "ST" : "DS"}-${String(i).padStart(3, "0")}`,
      name: `${kind} ${i}`,
      kind,
      country: "DE",
      lat: between(r, 45.5, 54.5),
      lon: between(r, 2, 19),
      capabilities: kind === "store" ? ["pickup", "ship-from-store", "receive-returns"] : kind === "dropship" ? ["ship"] : ["ship", "receive-returns"],
      dailyCapacity: kind === "store" ? 60 : 3000,
      handlingCost: { amount: kind === "warehouse" ? int(r, 90, 180) : kind === "store" ? int(r, 250, 420) : int(r, 350, 600), currency: "EUR" },
      priority: int(r, 1, 9),
      active: r() > 0.03,
      groups: [kind === "store" ? "stores" : kind === "dropship" ? "suppliers" : "warehouses"],
    };
  });
}

/** SKU weights in kg: most light, some heavy. */
export const skuWeights = (r: () => number, count: number): number[] => Array.from({ length: count }, () => (r() < 0.8 ? between(r, 0.1, 1.5) : between(r, 2, 12)));

/** Stock of the order's SKUs at a location: often none (the gaps routing has to work around). */
function stockFor(r: () => number, location: Location, skus: string[]): Record<string, number> {
  const scale = location.kind === "warehouse" ? 25 : location.kind === "dropship" ? 40 : 6;
  return Object.fromEntries(skus.map((s) => [s, r() < 0.45 ? 0 : int(r, 1, scale)]));
}

/** One order: 1–10 lines of distinct SKUs, sometimes a two-line kit; mostly shipped, some pickups and ship-to-store. */
export function order(r: () => number, weights: number[], locations: Location[], maxLines = 10, id = "o", minLines = 1): { lines: RouteLine[]; delivery: Delivery } {
  const n = int(r, minLines, maxLines);
  const chosen = new Set<number>();
  while (chosen.size < n) chosen.add(int(r, 0, weights.length - 1));
  const lines: RouteLine[] = [...chosen].map((s, i) => ({ lineId: `${id}-${i + 1}`, sku: `SKU-${s}`, quantity: r() < 0.7 ? 1 : int(r, 2, 4), unitWeightKg: Math.round(weights[s]! * 1000) / 1000 }));
  if (lines.length >= 3 && r() < 0.1) {
    lines[0]!.kitId = "kit";
    lines[1]!.kitId = "kit";
  }
  const stores = locations.filter((l) => l.kind === "store" && l.active);
  const roll = r();
  const delivery: Delivery =
    roll < 0.05 && stores.length ? { kind: "pickup", locationId: stores[int(r, 0, stores.length - 1)]!.locationId } : roll < 0.1 && stores.length ? { kind: "ship-to-store", locationId: stores[int(r, 0, stores.length - 1)]!.locationId } : { kind: "ship", lat: between(r, 46, 54), lon: between(r, 3, 18) };
  return { lines, delivery };
}

/** Instance set A: independent orders, each against its own 5–50 candidate locations with fresh stock gaps. */
export function instanceSetA(seed: number, count: number, opts: { minLocations?: number; maxLocations?: number; minLines?: number; maxLines?: number } = {}): RoutingProblem[] {
  const r = prng(seed);
  const weights = skuWeights(r, 300);
  const rules = defaultRoutingRules("bench");
  return Array.from({ length: count }, (_, k) => {
    const locations = network(r, int(r, opts.minLocations ?? 5, opts.maxLocations ?? 50));
    const o = order(r, weights, locations, opts.maxLines ?? 10, `a${k}`, opts.minLines ?? 1);
    const skus = o.lines.map((l) => l.sku);
    const candidates: Candidate[] = locations.map((location) => ({ location, stock: stockFor(r, location, skus), remainingCapacity: r() < 0.05 ? 0 : location.dailyCapacity }));
    return { ...o, candidates, filters: rules.filters, objective: rules.objective, costModel: rules.costModel };
  });
}

/** Instance set B: one network and one depleting inventory, and a stream of orders against it. */
export function instanceSetB(seed: number, orders: number, locationCount = 30, skuCount = 120) {
  const r = prng(seed);
  const weights = skuWeights(r, skuCount);
  const locations = network(r, locationCount).map((l) => ({ ...l, active: true }));
  const stock = new Map(locations.map((l) => [l.locationId, Object.fromEntries(Array.from({ length: skuCount }, (_, s) => [`SKU-${s}`, r() < 0.35 ? 0 : int(r, 1, l.kind === "store" ? 8 : 40)]))]));
  const capacity = new Map(locations.map((l) => [l.locationId, l.dailyCapacity]));
  const stream = Array.from({ length: orders }, (_, k) => order(r, weights, locations, 6, `b${k}`));
  return { locations, stock, capacity, stream, rules: defaultRoutingRules("bench") };
}
