import { z } from "zod";
import { availableToPromise, type Location, type Stock } from "./catalog.js";
import { ValidationError } from "./errors.js";
import { toFieldIssues } from "./order-schema.js";

const minor = z.int("must be a whole number of minor units").min(0);
const groupName = z.string().min(1).max(64);

/** Filters: which locations a channel's orders may use and how a plan may look. */
export const routingFiltersSchema = z.strictObject({
  /** Only locations in at least one of these groups; empty means every group. */
  locationGroups: z.array(groupName).max(50).default([]),
  excludeLocations: z.array(z.string().min(1).max(64)).max(200).default([]),
  /** Ship-from locations farther than this from the delivery address are not considered. */
  maxDistanceKm: z.number().positive().max(20_000).optional(),
  /** Keep each location's safety stock back (ATP) or let orders take it (on hand − reserved). */
  keepSafetyStock: z.boolean().default(true),
  /** Skip locations with no daily order capacity left. */
  respectCapacity: z.boolean().default(true),
  /** "always": every order from one location; "kits": orders holding a kit line from one location. */
  singleLocation: z.enum(["never", "kits", "always"]).default("kits"),
  maxShipmentsPerOrder: z.int().min(1).max(10).default(3),
});

/** What a plan costs: the money the optimizer minimises, in minor units of `currency`. */
export const costModelSchema = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO-4217 code").default("EUR"),
  perShipment: minor.default(450),
  /** Carrier cost per kilogram per kilometre (fractions of a minor unit allowed; plans round at the end). */
  perKgKm: z.number().min(0).max(1000).default(0.12),
  /** Charged once per shipment beyond the first: the customer's patience, the extra box. */
  splitPenalty: minor.default(300),
  /** Per unit left unfulfilled (backordered): the cost of making the customer wait or cancelling. */
  perUnitUnfulfilled: minor.default(5_000),
  /** Promised delivery, in days from now; later shipments pay `perLateDay` for each day late. */
  promisedDays: z.int().min(0).max(60).default(3),
  perLateDay: minor.default(400),
  /** Transit days by distance, nearest band first; beyond the last band the last band's days apply. */
  transitDays: z
    .array(z.strictObject({ upToKm: z.number().positive(), days: z.int().min(0).max(60) }))
    .min(1)
    .max(20)
    .default([
      { upToKm: 50, days: 1 },
      { upToKm: 300, days: 2 },
      { upToKm: 800, days: 3 },
      { upToKm: 2000, days: 4 },
      { upToKm: 20000, days: 7 },
    ])
    .refine((bands) => bands.every((b, i) => i === 0 || b.upToKm > (bands[i - 1]?.upToKm ?? 0)), "bands must be in increasing distance"),
});

/** What the optimizer minimises: money only, days first, or money plus a price per day of transit. */
export const objectiveSchema = z
  .strictObject({
    kind: z.enum(["cheapest", "fastest", "weighted"]).default("cheapest"),
    /** For "weighted": minor units a day of transit is worth. */
    perTransitDay: minor.optional(),
  })
  .refine((o) => o.kind !== "weighted" || o.perTransitDay !== undefined, { message: "weighted needs perTransitDay", path: ["perTransitDay"] });

/** PUT /routing/rules/{channel} body. */
export const routingRulesInputSchema = z.strictObject({
  filters: routingFiltersSchema.default(routingFiltersSchema.parse({})),
  objective: objectiveSchema.default({ kind: "cheapest" }),
  costModel: costModelSchema.default(costModelSchema.parse({})),
  /** When stock is short: hold the whole order for stock, or ship what is there and backorder the rest. */
  shortagePolicy: z.enum(["backorder", "ship-available"]).default("ship-available"),
  /** When an order waits for an operator before anything is reserved. */
  holds: z
    .strictObject({
      /** Grand totals at or above this (minor units) are held. */
      amountAtLeast: minor.default(100_000),
      /** Orders the fraud scorer rates at or above this (0–1) are held. */
      fraudScoreAtLeast: z.number().min(0).max(1).default(0.7),
    })
    .default({ amountAtLeast: 100_000, fraudScoreAtLeast: 0.7 }),
});

export type RoutingFilters = z.infer<typeof routingFiltersSchema>;
export type CostModel = z.infer<typeof costModelSchema>;
export type Objective = z.infer<typeof objectiveSchema>;
export type RoutingRulesInput = z.infer<typeof routingRulesInputSchema>;

/** A channel's rules as stored: versioned, with who changed them and when. Version 0 is the built-in default. */
export interface RoutingRules extends RoutingRulesInput {
  channel: string;
  version: number;
  updatedAt?: string;
  updatedBy?: string;
}

/** The rules a channel gets before anyone configures it. */
export const defaultRoutingRules = (channel: string): RoutingRules => ({ channel, version: 0, ...routingRulesInputSchema.parse({}) });

export function parseRoutingRules(body: unknown): RoutingRulesInput {
  const r = routingRulesInputSchema.safeParse(body);
  if (!r.success) throw new ValidationError("Invalid routing rules", toFieldIssues(r.error));
  return r.data;
}

/** Capabilities that let a location fulfil an order at all (ship, ship from a store, or hand over in store). */
const FULFILLING = new Set(["ship", "ship-from-store", "pickup"]);

/**
 * Why a location may not serve a channel at all, whatever the order: inactive, outside the
 * channel's groups, excluded, or unable to fulfil. Undefined when it may.
 */
export function channelExclusion(filters: RoutingFilters, location: Location): string | undefined {
  if (!location.active) return "inactive";
  if (filters.excludeLocations.includes(location.locationId)) return "excluded by the channel's rules";
  if (filters.locationGroups.length && !location.groups.some((g) => filters.locationGroups.includes(g))) return `not in groups ${filters.locationGroups.join(", ")}`;
  if (!location.capabilities.some((c) => FULFILLING.has(c))) return "cannot fulfil orders (no ship or pickup capability)";
  return undefined;
}

/** What a channel may promise of a stock record: ATP, or on hand − reserved when the rules let it take safety stock. */
export const promisable = (filters: RoutingFilters, stock: Stock): number =>
  filters.keepSafetyStock ? availableToPromise(stock) : Math.max(0, stock.onHand - stock.reserved);

/** What each location may promise of each SKU under the filters: location id → SKU → units. */
export function promisableByLocation(filters: RoutingFilters, stocks: Stock[]): Map<string, Record<string, number>> {
  const byLocation = new Map<string, Record<string, number>>();
  for (const s of stocks) {
    const row = byLocation.get(s.locationId) ?? {};
    row[s.sku] = promisable(filters, s);
    byLocation.set(s.locationId, row);
  }
  return byLocation;
}

/** Network ATP of one SKU for a channel: the sum over the locations the channel may use, with the rest named and why. */
export function networkAtp(rules: RoutingRules, locations: Location[], stocks: Stock[]) {
  const byId = new Map(locations.map((l) => [l.locationId, l]));
  const included: { locationId: string; atp: number }[] = [];
  const excluded: { locationId: string; reason: string }[] = [];
  for (const s of stocks) {
    const location = byId.get(s.locationId);
    const reason = location ? channelExclusion(rules.filters, location) : "unknown location";
    if (reason) excluded.push({ locationId: s.locationId, reason });
    else included.push({ locationId: s.locationId, atp: promisable(rules.filters, s) });
  }
  return { channel: rules.channel, rulesVersion: rules.version, atp: included.reduce((t, l) => t + l.atp, 0), locations: included, excluded };
}

const lineId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 letters, digits, . _ -");

/** POST /routing/quote body: a hypothetical order for a channel, planned without reserving. */
export const quoteSchema = z.strictObject({
  channel: lineId,
  lines: z
    .array(z.strictObject({ lineId: lineId.optional(), sku: lineId, quantity: z.int("must be a whole number").min(1, "must be at least 1").max(10_000) }))
    .min(1)
    .max(100),
  delivery: z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("ship"), lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }),
    z.strictObject({ kind: z.literal("pickup"), locationId: lineId }),
    z.strictObject({ kind: z.literal("ship-to-store"), locationId: lineId }),
  ]),
  algorithm: z.enum(["optimizer", "greedy"]).default("optimizer"),
  rules: routingRulesInputSchema.optional(),
});

/** Parses a quote request; lines without an id are numbered 1, 2, ... */
export function parseQuote(body: unknown) {
  const r = quoteSchema.safeParse(body);
  if (!r.success) throw new ValidationError("Invalid routing quote", toFieldIssues(r.error));
  return { ...r.data, lines: r.data.lines.map((l, i) => ({ ...l, lineId: l.lineId ?? String(i + 1) })) };
}
