import * as z from "zod/mini";
import "./schema.js";
import { ValidationError } from "./errors.js";
import { INCOMING_SOURCES, LOCATION_CAPABILITIES, LOCATION_KINDS, type Location, type StockPlanning } from "./catalog.js";
import { ADJUSTMENT_REASONS, allocationProblems, type Adjustment, type Allocation } from "./inventory.js";
import { moneySchema, toFieldIssues } from "./order-schema.js";

const id = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 letters, digits, . _ -"));

/** An identifier from a path (SKU, location, channel): throws ValidationError naming the parameter. */
export function pathId(name: string, value: string | undefined): string {
  const r = id.safeParse(value ?? "");
  if (!r.success) throw new ValidationError(`Invalid ${name}`, [{ path: name, message: r.error.issues[0]?.message ?? "is invalid" }]);
  return r.data;
}

/** PUT /locations/{id} body. */
export const locationSchema = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  kind: z.enum(LOCATION_KINDS),
  country: z.string().check(z.regex(/^[A-Z]{2}$/, "must be an ISO-3166 alpha-2 code")),
  lat: z.number().check(z.gte(-90), z.lte(90)),
  lon: z.number().check(z.gte(-180), z.lte(180)),
  capabilities: z.array(z.enum(LOCATION_CAPABILITIES)).check(z.maxLength(LOCATION_CAPABILITIES.length)),
  dailyCapacity: z.int().check(z.gte(0)),
  handlingCost: moneySchema,
  priority: z.int().check(z.gte(0), z.lte(1000)),
  active: z.boolean(),
  groups: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(50)), []),
});

/** POST /inventory/adjustments body. */
export const adjustmentsSchema = z.strictObject({
  adjustments: z
    .array(
      z.strictObject({
        sku: id,
        locationId: id,
        set: z.optional(z.int("must be a whole number").check(z.gte(0))),
        delta: z.optional(z.int("must be a whole number")),
        reason: z.enum(ADJUSTMENT_REASONS),
        reference: z.optional(id),
      }),
    )
    .check(z.minLength(1), z.maxLength(49)),
});

/** PUT /inventory/{sku}/locations/{locationId} body: the planning side of a stock record. */
export const planningSchema = z.strictObject({
  safetyStock: z.int("must be a whole number").check(z.gte(0)),
  reorderPoint: z.int("must be a whole number").check(z.gte(0)),
  incoming: z._default(
    z
      .array(z.strictObject({ reference: id, source: z.enum(INCOMING_SOURCES), quantity: z.int("must be a whole number").check(z.gte(1, "must be at least 1")), expectedAt: z.iso.datetime({ offset: true }) }))
      .check(
        z.maxLength(50),
        z.refine((list) => new Set(list.map((i) => i.reference)).size === list.length, "references must be unique"),
      ),
    [],
  ),
  /** True (the default): the nightly planner leaves these figures alone; false hands them back to it. */
  pinned: z._default(z.boolean(), true),
});

/** POST /reservations body. */
export const allocationSchema = z.strictObject({
  orderId: id,
  lines: z.array(z.strictObject({ lineId: id, sku: id, locationId: id, quantity: z.int("must be a whole number").check(z.gte(1, "must be at least 1")) })).check(z.minLength(1), z.maxLength(500)),
  holdUntil: z.optional(z.iso.datetime({ offset: true })),
});

/** POST /reservations/{orderId}/release body. */
export const releaseSchema = z.strictObject({ lines: z.array(z.strictObject({ lineId: id, sku: id, locationId: id })).check(z.minLength(1), z.maxLength(500)) });

function parse<T>(schema: z.ZodMiniType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new ValidationError(`Invalid ${what}`, toFieldIssues(r.error));
  return r.data;
}

export const parseLocation = (locationId: string, body: unknown): Location => ({ locationId, ...parse(locationSchema, body, "location") });
export const parseAdjustments = (body: unknown): Adjustment[] => parse(adjustmentsSchema, body, "adjustments").adjustments;
export function parseAllocation(body: unknown): Allocation {
  const a: Allocation = parse(allocationSchema, body, "allocation");
  const issues = allocationProblems(a);
  if (issues.length) throw new ValidationError("Invalid allocation", issues);
  return a;
}
export const parsePlanning = (body: unknown): StockPlanning => parse(planningSchema, body, "stock planning");
export const parseRelease = (body: unknown) => parse(releaseSchema, body, "release").lines;
