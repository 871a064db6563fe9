import * as z from "zod/mini";
import "./schema.js";
import { availableToPromise, type Location, type Stock } from "./catalog.js";
import { ValidationError } from "./errors.js";
import { toFieldIssues } from "./order-schema.js";

const minor = z.int("must be a whole number of minor units").check(z.gte(0));
const groupName = z.string().check(z.minLength(1), z.maxLength(64));

/** Filters: which locations a channel's orders may use and how a plan may look. */
export const routingFiltersSchema = z.strictObject({
  /** Only locations in at least one of these groups; empty means every group. */
  locationGroups: z._default(z.array(groupName).check(z.maxLength(50)), []),
  excludeLocations: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(200)), []),
  /** Ship-from locations farther than this from the delivery address are not considered. */
  maxDistanceKm: z.optional(z.number().check(z.positive(), z.lte(20_000))),
  /** Keep each location's safety stock back (ATP) or let orders take it (on hand − reserved). */
  keepSafetyStock: z._default(z.boolean(), true),
  /** Skip locations with no daily order capacity left. */
  respectCapacity: z._default(z.boolean(), true),
  /** "always": every order from one location; "kits": orders holding a kit line from one location. */
  singleLocation: z._default(z.enum(["never", "kits", "always"]), "kits"),
  maxShipmentsPerOrder: z._default(z.int().check(z.gte(1), z.lte(10)), 3),
});

/** What a plan costs: the money the optimizer minimises, in minor units of `currency`. */
export const costModelSchema = z.strictObject({
  currency: z._default(z.string().check(z.regex(/^[A-Z]{3}$/, "must be an ISO-4217 code")), "EUR"),
  perShipment: z._default(minor, 450),
  /** Carrier cost per kilogram per kilometre (fractions of a minor unit allowed; plans round at the end). */
  perKgKm: z._default(z.number().check(z.gte(0), z.lte(1000)), 0.12),
  /** Charged once per shipment beyond the first: the customer's patience, the extra box. */
  splitPenalty: z._default(minor, 300),
  /** Per unit left unfulfilled (backordered): the cost of making the customer wait or cancelling. */
  perUnitUnfulfilled: z._default(minor, 5_000),
  /** Promised delivery, in days from now; later shipments pay `perLateDay` for each day late. */
  promisedDays: z._default(z.int().check(z.gte(0), z.lte(60)), 3),
  perLateDay: z._default(minor, 400),
  /** Transit days by distance, nearest band first; beyond the last band the last band's days apply. */
  transitDays: z._default(
    z.array(z.strictObject({ upToKm: z.number().check(z.positive()), days: z.int().check(z.gte(0), z.lte(60)) })).check(
      z.minLength(1),
      z.maxLength(20),
      z.refine((bands) => bands.every((b, i) => i === 0 || b.upToKm > (bands[i - 1]?.upToKm ?? 0)), "bands must be in increasing distance"),
    ),
    [
      { upToKm: 50, days: 1 },
      { upToKm: 300, days: 2 },
      { upToKm: 800, days: 3 },
      { upToKm: 2000, days: 4 },
      { upToKm: 20000, days: 7 },
    ],
  ),
});

/** What the optimizer minimises: money only, days first, or money plus a price per day of transit. */
export const objectiveSchema = z
  .strictObject({
    kind: z._default(z.enum(["cheapest", "fastest", "weighted"]), "cheapest"),
    /** For "weighted": minor units a day of transit is worth. */
    perTransitDay: z.optional(minor),
  })
  .check(z.refine((o) => o.kind !== "weighted" || o.perTransitDay !== undefined, { message: "weighted needs perTransitDay", path: ["perTransitDay"] }));

/** PUT /routing/rules/{channel} body. */
export const routingRulesInputSchema = z.strictObject({
  filters: z._default(routingFiltersSchema, routingFiltersSchema.parse({})),
  objective: z._default(objectiveSchema, { kind: "cheapest" }),
  costModel: z._default(costModelSchema, costModelSchema.parse({})),
  /** When stock is short: hold the whole order for stock, or ship what is there and backorder the rest. */
  shortagePolicy: z._default(z.enum(["backorder", "ship-available"]), "ship-available"),
  /** When an order waits for an operator before anything is reserved. */
  holds: z._default(
    z.strictObject({
      /** Grand totals at or above this (minor units) are held. */
      amountAtLeast: z._default(minor, 100_000),
      /** Orders the fraud scorer rates at or above this (0–1) are held. */
      fraudScoreAtLeast: z._default(z.number().check(z.gte(0), z.lte(1)), 0.7),
    }),
    { amountAtLeast: 100_000, fraudScoreAtLeast: 0.7 },
  ),
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

/** Capabilities that let a location fulfill an order at all (ship, ship from a store, or hand over in store). */
const FULFILLING = new Set(["ship", "ship-from-store", "pickup"]);

/**
 * Why a location may not serve a channel at all, whatever the order: inactive, outside the
 * channel's groups, excluded, or unable to fulfill. Undefined when it may.
 */
export function channelExclusion(filters: RoutingFilters, location: Location): string | undefined {
  if (!location.active) return "inactive";
  if (filters.excludeLocations.includes(location.locationId)) return "excluded by the channel's rules";
  if (filters.locationGroups.length && !location.groups.some((g) => filters.locationGroups.includes(g))) return `not in groups ${filters.locationGroups.join(", ")}`;
  if (!location.capabilities.some((c) => FULFILLING.has(c))) return "cannot fulfill orders (no ship or pickup capability)";
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

const lineId = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 letters, digits, . _ -"));

/** POST /routing/quote body: a hypothetical order for a channel, planned without reserving. */
export const quoteSchema = z.strictObject({
  channel: lineId,
  lines: z
    .array(z.strictObject({ lineId: z.optional(lineId), sku: lineId, quantity: z.int("must be a whole number").check(z.gte(1, "must be at least 1"), z.lte(10_000)) }))
    .check(z.minLength(1), z.maxLength(100)),
  delivery: z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("ship"), lat: z.number().check(z.gte(-90), z.lte(90)), lon: z.number().check(z.gte(-180), z.lte(180)) }),
    z.strictObject({ kind: z.literal("pickup"), locationId: lineId }),
    z.strictObject({ kind: z.literal("ship-to-store"), locationId: lineId }),
  ]),
  algorithm: z._default(z.enum(["optimizer", "greedy"]), "optimizer"),
  rules: z.optional(routingRulesInputSchema),
});

/** Parses a quote request; lines without an id are numbered 1, 2, ... */
export function parseQuote(body: unknown) {
  const r = quoteSchema.safeParse(body);
  if (!r.success) throw new ValidationError("Invalid routing quote", toFieldIssues(r.error));
  return { ...r.data, lines: r.data.lines.map((l, i) => ({ ...l, lineId: l.lineId ?? String(i + 1) })) };
}
