import { beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { cloud, dynamo, operatorCall, operatorGet, snapshot } from "./helpers.js";

// The adjustments' own SKU: a demo SKU received at WH-LEJ would be taken at once by any order
// another file left waiting for it (a receipt resumes backorders), which is not what this tests.
const SKU = "ADJ-ONLY";
beforeAll(() => new DynamoCatalog(documentClient(dynamo), cloud.tableName).putSku({ sku: SKU, name: SKU, unitWeightGrams: 100, active: true }));

const call = operatorCall;

const location = { name: "Leipzig hub", kind: "warehouse", country: "DE", lat: 51.34, lon: 12.37, capabilities: ["ship", "receive-returns"], dailyCapacity: 900, handlingCost: { amount: 140, currency: "EUR" }, priority: 2, active: true, groups: ["de-warehouses"] };

describe("locations", () => {
  it("PUT creates or replaces, GET reads one and all; operators only", async () => {
    expect((await call("PUT", "/locations/WH-LEJ", location, {}, null)).status).toBe(403);
    expect(await call("PUT", "/locations/WH-LEJ", location)).toEqual({ status: 200, json: { locationId: "WH-LEJ", ...location } });
    expect((await operatorGet("/locations/WH-LEJ")).json).toMatchObject({ locationId: "WH-LEJ", name: "Leipzig hub" });
    const all = (await operatorGet("/locations")).json.items as { locationId: string }[];
    expect(all.map((l) => l.locationId)).toEqual(expect.arrayContaining(["WH-BER", "ST-HAM", "WH-LEJ"]));
    expect((await operatorGet("/locations/NOPE")).status).toBe(404);
  });

  it("refuses a bad location with every field and writes nothing", async () => {
    const before = await snapshot();
    const res = await call("PUT", "/locations/WH-BAD", { ...location, kind: "castle", lat: 123, capabilities: ["teleport"] });
    expect(res.status).toBe(400);
    expect((res.json.error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path).sort()).toEqual(["capabilities.0", "kind", "lat"]);
    expect(await snapshot()).toEqual(before);
  });
});

describe("inventory", () => {
  it("GET /inventory/{sku} gives each location's stock and ATP and the totals", async () => {
    const res = await operatorGet("/inventory/HOODIE-GRY-M");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      sku: "HOODIE-GRY-M",
      totals: { onHand: 30, reserved: 0, safetyStock: 2, atp: 28 },
    });
    expect((res.json.locations as { locationId: string; atp: number }[]).find((l) => l.locationId === "ST-HAM")).toMatchObject({ onHand: 3, atp: 2 });
    expect((await operatorGet("/inventory/NO-SUCH")).status).toBe(404);
  });

  it("GET /inventory?location= pages through a location's stock", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await operatorGet(`/inventory?location=WH-BER&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...(page.json.items as { sku: string }[]).map((i) => i.sku));
      cursor = page.json.cursor as string | undefined;
    } while (cursor);
    expect(seen.sort()).toEqual(["MUG-LOGO", "SNEAKER-WHT-42", "TSHIRT-BLK-L", "TSHIRT-BLK-M"]);
    expect((await operatorGet("/inventory")).status).toBe(400);
  });

  it("adjustments need an Idempotency-Key, replay the same answer, refuse another body under it (422) and negative available (409)", async () => {
    const body = { adjustments: [{ sku: SKU, locationId: "WH-LEJ", delta: 25, reason: "receipt" }] };
    expect((await call("POST", "/inventory/adjustments", body)).status).toBe(400);
    const first = await call("POST", "/inventory/adjustments", body, { "idempotency-key": "it-adj-1" });
    expect(first.status).toBe(200);
    expect(first.json.adjustments).toMatchObject([{ sku: SKU, locationId: "WH-LEJ", before: { onHand: 0 }, after: { onHand: 25 } }]);
    expect(await call("POST", "/inventory/adjustments", body, { "idempotency-key": "it-adj-1" })).toEqual(first);
    expect((await call("POST", "/inventory/adjustments", { adjustments: [{ ...body.adjustments[0], delta: 26 }] }, { "idempotency-key": "it-adj-1" })).status).toBe(422);
    const before = await snapshot();
    const negative = await call("POST", "/inventory/adjustments", { adjustments: [{ sku: SKU, locationId: "WH-LEJ", delta: -30, reason: "correction" }] }, { "idempotency-key": "it-adj-2" });
    expect(negative.status).toBe(409);
    expect(negative.json).toMatchObject({ error: { code: "NEGATIVE_AVAILABLE" } });
    expect(await snapshot()).toEqual(before);
    const unknown = await call("POST", "/inventory/adjustments", { adjustments: [{ sku: "NO-SUCH", locationId: "WH-LEJ", delta: 1, reason: "receipt" }] }, { "idempotency-key": "it-adj-3" });
    expect(unknown.status).toBe(400);
    expect((await operatorGet("/inventory?location=WH-LEJ")).json.items).toEqual([expect.objectContaining({ sku: SKU, onHand: 25, atp: 25 })]);
  });
});

describe("reservations", () => {
  it("reserve (201, replay 200), refuse what is not there (409), release once", async () => {
    const alloc = { orderId: "it-res-1", lines: [{ lineId: "001", sku: "SNEAKER-WHT-42", locationId: "WH-BER", quantity: 2 }] };
    const first = await call("POST", "/reservations", alloc);
    expect(first.status).toBe(201);
    expect((await call("POST", "/reservations", alloc)).status).toBe(200);
    expect((await operatorGet("/inventory/SNEAKER-WHT-42")).json.locations).toEqual(expect.arrayContaining([expect.objectContaining({ locationId: "WH-BER", reserved: 2, atp: 10 })]));
    const tooMany = await call("POST", "/reservations", { orderId: "it-res-2", lines: [{ lineId: "001", sku: "SNEAKER-WHT-42", locationId: "WH-BER", quantity: 11 }] });
    expect(tooMany).toMatchObject({ status: 409, json: { error: { code: "INSUFFICIENT_STOCK", details: { shortages: [{ requested: 11, available: 10 }] } } } });
    const release = { lines: [{ lineId: "001", sku: "SNEAKER-WHT-42", locationId: "WH-BER" }] };
    expect((await call("POST", "/reservations/it-res-1/release", release)).json).toEqual({ released: 1 });
    expect((await call("POST", "/reservations/it-res-1/release", release)).json).toEqual({ released: 0 });
  });

  it("bad input: every field, and nothing written", async () => {
    const before = await snapshot();
    const res = await call("POST", "/reservations", {
      orderId: "it-res-3",
      lines: [
        { lineId: "1", sku: "MUG-LOGO", locationId: "WH-BER", quantity: 0 },
        { lineId: "2", sku: "MUG-LOGO", locationId: "WH-BER", quantity: 1.5 },
      ],
    });
    expect(res.status).toBe(400);
    expect((res.json.error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path).sort()).toEqual(["lines.0.quantity", "lines.1.quantity"]);
    const dup = await call("POST", "/reservations", { orderId: "it-res-3", lines: [{ lineId: "1", sku: "MUG-LOGO", locationId: "WH-BER", quantity: 1 }, { lineId: "1", sku: "MUG-LOGO", locationId: "WH-BER", quantity: 1 }] });
    expect(dup.status).toBe(400);
    const unknown = await call("POST", "/reservations", { orderId: "it-res-3", lines: [{ lineId: "1", sku: "NO-SUCH", locationId: "WH-BER", quantity: 1 }] });
    expect(unknown.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });
});
