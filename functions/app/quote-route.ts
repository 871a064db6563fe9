import { ValidationError } from "../domain/errors.js";
import { Router, type Delivery, type Plan, type RouteLine } from "../domain/routing.js";
import { promisableByLocation, type RoutingRules } from "../domain/routing-rules.js";
import type { Clock } from "./ports.js";
import type { CapacityUsage, RoutingData } from "./ports.js";


/** RoutingData over the repositories every caller has: the catalog, the inventory and the rules. */
export function routingDataFrom(
  catalog: Pick<RoutingData, "getSkus" | "listLocations"> & Partial<Pick<CapacityUsage, "releasedOn">>,
  inventory: Pick<RoutingData, "stockOf">,
  rules: { current(channel: string): Promise<RoutingRules> },
  clock?: Clock,
): RoutingData {
  return {
    getSkus: (skus) => catalog.getSkus(skus),
    listLocations: () => catalog.listLocations(),
    stockOf: (sku) => inventory.stockOf(sku),
    rulesFor: (channel) => rules.current(channel),
    ...(catalog.releasedOn && clock ? { releasedToday: (ids: string[]) => catalog.releasedOn!(dayOf(clock.now()), ids) } : {}),
  };
}


/** The UTC day of an ISO time, `YYYY-MM-DD`. */
export const dayOf = (iso: string): string => iso.slice(0, 10);

export interface QuoteRequest {
  channel: string;
  lines: { lineId: string; sku: string; quantity: number }[];
  delivery: Delivery;
  algorithm: "optimizer" | "greedy";
  /** Rules to try instead of the channel's current ones (what-if). */
  rules?: Omit<RoutingRules, "channel" | "version">;
}

/** The routing search's stopwatch (the domain reads no clock): this process's monotonic milliseconds. */
export const stopwatch = (): number => performance.now();

/** Plans an order without reserving anything (see loadRouter for what it reads). */
export async function quoteRoute(data: RoutingData, request: QuoteRequest, options: { budgetMs?: number } = {}): Promise<Plan & { channel: string; rulesVersion: number | "given" }> {
  const { router, rules } = await loadRouter(data, request);
  const plan = request.algorithm === "greedy" ? router.greedy({ stopwatch }) : router.optimize({ ...options, stopwatch });
  return { channel: request.channel, rulesVersion: request.rules ? "given" : rules.version, ...plan };
}

/**
 * The routing problem for an order as the OMS sees it now: the channel's rules (or the given
 * ones), the SKUs' weights, every location with what it may promise of each SKU. Unknown or
 * inactive SKUs are a ValidationError naming the line. A location's capacity left today is its
 * daily capacity less the shipments released to it today (UTC), where the data tells them.
 */
export async function loadRouter(data: RoutingData, request: Pick<QuoteRequest, "channel" | "lines" | "delivery" | "rules"> & { excludeLocations?: string[] }): Promise<{ router: Router; rules: RoutingRules }> {
  const skus = [...new Set(request.lines.map((l) => l.sku))];
  const [catalog, locations, rules, stocks] = await Promise.all([data.getSkus(skus), data.listLocations(), data.rulesFor(request.channel), Promise.all(skus.map((s) => data.stockOf(s)))]);
  const bySku = new Map(catalog.map((s) => [s.sku, s]));
  const unknown = request.lines.flatMap((l, i) => (bySku.get(l.sku)?.active ? [] : [{ path: `lines.${i}.sku`, message: bySku.has(l.sku) ? `${l.sku} is not sellable (inactive)` : `${l.sku} is not in the catalog` }]));
  if (unknown.length) throw new ValidationError("Invalid routing request", unknown);
  const given = request.rules ? { ...rules, ...request.rules } : rules;
  const effective = request.excludeLocations?.length ? { ...given, filters: { ...given.filters, excludeLocations: [...new Set([...given.filters.excludeLocations, ...request.excludeLocations])] } } : given;
  const lines: RouteLine[] = request.lines.map((l) => ({ ...l, unitWeightKg: bySku.get(l.sku)!.unitWeightGrams / 1000 }));
  const stockAt = promisableByLocation(effective.filters, stocks.flat());
  const released = (await data.releasedToday?.(locations.map((l) => l.locationId))) ?? new Map<string, number>();
  const router = new Router({
    lines,
    delivery: request.delivery,
    candidates: locations.map((location) => ({ location, stock: stockAt.get(location.locationId) ?? {}, remainingCapacity: Math.max(0, location.dailyCapacity - (released.get(location.locationId) ?? 0)) })),
    filters: effective.filters,
    objective: effective.objective,
    costModel: effective.costModel,
  });
  return { router, rules: effective };
}
