import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { DynamoReservations } from "../../functions/adapters/dynamodb/reservations.js";
import { DynamoStockLedger } from "../../functions/adapters/dynamodb/stock-ledger.js";
import { checkInventoryDrift } from "../../functions/adapters/dynamodb/inventory-drift.js";
import { IdempotencyKeyReuseError, ValidationError } from "../../functions/domain/errors.js";
import { InsufficientStockError, NegativeAvailableError, UnknownStockError, type AllocationLine } from "../../functions/domain/inventory.js";
import { ulidIds } from "../../functions/shared/runtime.js";
import { cloud, snapshot } from "./helpers.js";

/** Reservations against DynamoDB Local, through the local cloud's endpoint. */
let now = Date.parse("2026-11-22T10:00:00Z");
const clock = { now: () => new Date(now).toISOString() };
const db = documentClient(new DynamoDBClient({ endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" }, maxAttempts: 10 }));
const inv = new DynamoReservations(db, cloud.tableName, clock);
const ledger = new DynamoStockLedger(db, cloud.tableName, clock, ulidIds);
const check = () => checkInventoryDrift(db, cloud.tableName);
let n = 0;
const sku = () => `INV-TEST-${Date.now().toString(36)}-${++n}`;

async function stockAt(s: string) {
  return Object.fromEntries((await ledger.stockOf(s)).map((x) => [x.locationId, { onHand: x.onHand, reserved: x.reserved, available: x.available }]));
}

async function withStock(levels: Record<string, number>, safety = 0) {
  const s = sku();
  for (const [locationId, onHand] of Object.entries(levels)) await ledger.putStock({ sku: s, locationId, onHand, reserved: 0, safetyStock: safety, reorderPoint: 0 });
  return s;
}

describe("reservations", () => {
  it("reserve all lines or none; a replay returns the same reservations; counters move once", async () => {
    const s = await withStock({ A: 5, B: 2 }, 1);
    const alloc = { orderId: "o-1", lines: [{ lineId: "001", sku: s, locationId: "A", quantity: 3 }, { lineId: "002", sku: s, locationId: "B", quantity: 1 }] };
    const first = await inv.reserve(alloc);
    expect(first.replayed).toBe(false);
    expect(await stockAt(s)).toEqual({ A: { onHand: 5, reserved: 3, available: 1 }, B: { onHand: 2, reserved: 1, available: 0 } });
    const again = await inv.reserve(alloc);
    expect(again.replayed).toBe(true);
    expect(again.reservations.map((r) => r.quantity)).toEqual([3, 1]);
    expect(await stockAt(s)).toEqual({ A: { onHand: 5, reserved: 3, available: 1 }, B: { onHand: 2, reserved: 1, available: 0 } });
    const before = await snapshot();
    const tooMuch = inv.reserve({ orderId: "o-2", lines: [{ lineId: "001", sku: s, locationId: "A", quantity: 1 }, { lineId: "002", sku: s, locationId: "B", quantity: 1 }] });
    await expect(tooMuch).rejects.toBeInstanceOf(InsufficientStockError);
    await expect(tooMuch).rejects.toMatchObject({ shortages: [{ lineId: "002", sku: s, locationId: "B", requested: 1, available: 0 }] });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses bad input with the field and writes nothing", async () => {
    const s = await withStock({ A: 5 });
    const before = await snapshot();
    const bad = (lines: AllocationLine[]) => inv.reserve({ orderId: "o-bad", lines });
    await expect(bad([{ lineId: "1", sku: s, locationId: "A", quantity: 0 }])).rejects.toMatchObject({ issues: [{ path: "lines.0.quantity" }] });
    await expect(bad([{ lineId: "1", sku: s, locationId: "A", quantity: 1.5 }])).rejects.toBeInstanceOf(ValidationError);
    await expect(bad([{ lineId: "1", sku: s, locationId: "A", quantity: -2 }])).rejects.toBeInstanceOf(ValidationError);
    await expect(bad([{ lineId: "1", sku: s, locationId: "A", quantity: 1 }, { lineId: "1", sku: s, locationId: "A", quantity: 1 }])).rejects.toMatchObject({ issues: [{ path: "lines.1" }] });
    await expect(bad([{ lineId: "1", sku: "NO-SUCH-SKU", locationId: "A", quantity: 1 }])).rejects.toBeInstanceOf(UnknownStockError);
    await expect(bad([{ lineId: "1", sku: s, locationId: "NOWHERE", quantity: 1 }])).rejects.toBeInstanceOf(UnknownStockError);
    expect(await snapshot()).toEqual(before);
  });

  it("release, consume, move and expire each apply exactly once", async () => {
    const s = await withStock({ A: 10, B: 10 });
    await inv.reserve({ orderId: "o-3", lines: [{ lineId: "1", sku: s, locationId: "A", quantity: 4 }, { lineId: "2", sku: s, locationId: "A", quantity: 2 }] });
    expect(await inv.close("o-3", [{ lineId: "2", sku: s, locationId: "A" }], "RELEASED")).toBe(1);
    expect(await inv.close("o-3", [{ lineId: "2", sku: s, locationId: "A" }], "RELEASED")).toBe(0);
    await inv.move("o-3", { lineId: "1", sku: s, locationId: "A" }, "B");
    await inv.move("o-3", { lineId: "1", sku: s, locationId: "A" }, "B");
    expect(await stockAt(s)).toEqual({ A: { onHand: 10, reserved: 0, available: 10 }, B: { onHand: 10, reserved: 4, available: 6 } });
    expect(await inv.close("o-3", [{ lineId: "1", sku: s, locationId: "B" }], "CONSUMED")).toBe(1);
    expect(await inv.close("o-3", [{ lineId: "1", sku: s, locationId: "B" }], "CONSUMED")).toBe(0);
    expect(await stockAt(s)).toEqual({ A: { onHand: 10, reserved: 0, available: 10 }, B: { onHand: 6, reserved: 0, available: 6 } });

    await inv.reserve({ orderId: "o-4", lines: [{ lineId: "1", sku: s, locationId: "A", quantity: 3 }], holdUntil: new Date(now + 60_000).toISOString() });
    expect((await stockAt(s)).A?.reserved).toBe(3);
    now += 61_000;
    const [a, b] = await Promise.all([inv.expireDue(), inv.expireDue()]);
    expect((a ?? 0) + (b ?? 0)).toBeGreaterThanOrEqual(1);
    expect((await stockAt(s)).A).toEqual({ onHand: 10, reserved: 0, available: 10 });
    expect((await inv.reservationsOfSku(s)).find((r) => r.orderId === "o-4")?.status).toBe("EXPIRED");
    expect((await check()).drift).toEqual([]);
  });

  it("500 concurrent attempts (mixed sizes, duplicates) for 100 units over 3 locations never oversell and leave no drift", async () => {
    const levels = { A: 40, B: 35, C: 25 };
    const s = await withStock(levels);
    const attempts = Array.from({ length: 500 }, (_, i) => {
      const dup = i % 10 === 9; // every tenth attempt re-sends the previous one
      const j = dup ? i - 1 : i;
      return { orderId: `c-${j}`, lines: [{ lineId: "1", sku: s, locationId: (["A", "B", "C"] as const)[j % 3]!, quantity: 1 + (j % 3) }] };
    });
    const outcomes = await Promise.all(
      attempts.map((a) =>
        inv.reserve(a).then(
          (r) => ({ a, ok: true as const, replayed: r.replayed }),
          (e: Error) => {
            if (!(e instanceof InsufficientStockError)) throw e;
            return { a, ok: false as const, replayed: false };
          },
        ),
      ),
    );
    const stock = await stockAt(s);
    const won = new Map<string, number>();
    for (const o of outcomes) if (o.ok) won.set(o.a.orderId, o.a.lines[0]!.quantity);
    const reservedByLocation: Record<string, number> = {};
    for (const o of outcomes) if (o.ok && !o.replayed) reservedByLocation[o.a.lines[0]!.locationId] = (reservedByLocation[o.a.lines[0]!.locationId] ?? 0) + o.a.lines[0]!.quantity;
    for (const [loc, onHand] of Object.entries(levels)) {
      expect(stock[loc]!.reserved).toBeLessThanOrEqual(onHand);
      expect(stock[loc]!.available).toBeGreaterThanOrEqual(0);
      expect(stock[loc]!.reserved).toBe(reservedByLocation[loc] ?? 0);
      // Stock only went down, so every refusal asked for more than what finally remained.
      for (const o of outcomes) if (!o.ok && o.a.lines[0]!.locationId === loc) expect(o.a.lines[0]!.quantity).toBeGreaterThan(stock[loc]!.available);
    }
    const items = (await inv.reservationsOfSku(s)).filter((r) => r.status === "ACTIVE");
    expect(items.length).toBe(won.size);
    expect(items.reduce((t, r) => t + r.quantity, 0)).toBe(Object.values(reservedByLocation).reduce((t, q) => t + q, 0));
    expect((await check()).drift).toEqual([]);
  }, 120_000);

  it("random sequences of reserve / release / consume / adjust / expire keep every invariant (property)", async () => {
    type Op = { kind: "reserve" | "release" | "consume" | "adjust" | "expire"; order: number; loc: "A" | "B"; qty: number; hold: boolean };
    const op = fc.record({ kind: fc.constantFrom("reserve", "release", "consume", "adjust", "expire"), order: fc.integer({ min: 0, max: 5 }), loc: fc.constantFrom("A" as const, "B" as const), qty: fc.integer({ min: -4, max: 6 }), hold: fc.boolean() }) as fc.Arbitrary<Op>;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 25 }), async (ops) => {
        const s = await withStock({ A: 6, B: 3 });
        const model = { A: 6, B: 3 };
        for (const o of ops) {
          const line = { lineId: "1", sku: s, locationId: o.loc };
          const orderId = `p-${o.order}`;
          try {
            if (o.kind === "reserve" && o.qty > 0) await inv.reserve({ orderId, lines: [{ ...line, quantity: o.qty }], ...(o.hold ? { holdUntil: new Date(now + 1000).toISOString() } : {}) });
            if (o.kind === "release") await inv.close(orderId, [line], "RELEASED");
            if (o.kind === "consume") {
              const r = (await inv.reservationsOfSku(s)).find((x) => x.orderId === orderId && x.locationId === o.loc && x.status === "ACTIVE");
              if ((await inv.close(orderId, [line], "CONSUMED")) === 1) model[o.loc] -= r?.quantity ?? 0;
            }
            if (o.kind === "adjust" && o.qty !== 0) {
              await ledger.adjust([{ sku: s, locationId: o.loc, delta: o.qty, reason: o.qty > 0 ? "receipt" : "correction" }], "property-test");
              model[o.loc] += o.qty;
            }
            if (o.kind === "expire") {
              now += 2000;
              await inv.expireDue();
            }
          } catch (e) {
            if (!(e instanceof InsufficientStockError || e instanceof NegativeAvailableError || e instanceof ValidationError)) throw e;
          }
        }
        const stock = await stockAt(s);
        for (const loc of ["A", "B"] as const) {
          expect(stock[loc]!.available).toBeGreaterThanOrEqual(0);
          expect(stock[loc]!.onHand).toBe(model[loc]);
          const active = (await inv.reservationsOfSku(s)).filter((r) => r.locationId === loc && r.status === "ACTIVE").reduce((t, r) => t + r.quantity, 0);
          expect(stock[loc]!.reserved).toBe(active);
          expect(stock[loc]!.available).toBe(stock[loc]!.onHand - stock[loc]!.reserved);
        }
      }),
      { numRuns: 15 },
    );
  }, 180_000);
});

describe("adjustments", () => {
  it("journal who, why, before and after; honour an Idempotency-Key; refuse negative available unless the reason allows a shortfall", async () => {
    const s = await withStock({ A: 5 });
    await inv.reserve({ orderId: "adj-1", lines: [{ lineId: "1", sku: s, locationId: "A", quantity: 4 }] });
    const batch = [{ sku: s, locationId: "A", delta: 10, reason: "receipt" as const }];
    const first = await ledger.adjust(batch, "ops@example.com", "key-1");
    const again = await ledger.adjust(batch, "ops@example.com", "key-1");
    expect(again).toEqual(first);
    expect(first[0]).toMatchObject({ before: { onHand: 5, available: 1 }, after: { onHand: 15, available: 11 }, shortfall: 0 });
    await expect(ledger.adjust([{ sku: s, locationId: "A", delta: 1, reason: "receipt" }], "ops", "key-1")).rejects.toBeInstanceOf(IdempotencyKeyReuseError);
    expect((await stockAt(s)).A).toEqual({ onHand: 15, reserved: 4, available: 11 });

    const before = await snapshot();
    await expect(ledger.adjust([{ sku: s, locationId: "A", set: 2, reason: "correction" }], "ops")).rejects.toBeInstanceOf(NegativeAvailableError);
    expect(await snapshot()).toEqual(before);
    const counted = await ledger.adjust([{ sku: s, locationId: "A", set: 2, reason: "cycle-count" }], "counter");
    expect(counted[0]).toMatchObject({ after: { onHand: 2, available: -2 }, shortfall: 2 });
    await expect(inv.reserve({ orderId: "adj-2", lines: [{ lineId: "1", sku: s, locationId: "A", quantity: 1 }] })).rejects.toBeInstanceOf(InsufficientStockError);
    const journal = await ledger.journalOf(s);
    expect(journal.map((j) => [j.reason, j.actor, j.delta])).toEqual([["receipt", "ops@example.com", 10], ["cycle-count", "counter", -13]]);
    expect((await check()).drift).toEqual([]);
  });
});
