import { describe, expect, it } from "vitest";
import { cloud, operatorGet, snapshot } from "./helpers.js";

async function put(channel: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${cloud.apiUrl}/routing/rules/${channel}`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${cloud.operatorToken}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const rules = { filters: { locationGroups: ["de-warehouses", "de-stores"], excludeLocations: ["ST-MUC"] }, shortagePolicy: "backorder" };

describe("routing rules per channel", () => {
  it("start from defaults (version 0), version every change, skip no-op writes, honour If-Match, keep every version", async () => {
    const initial = await operatorGet("/routing/rules/rules-web");
    expect(initial.status).toBe(200);
    expect(initial.json).toMatchObject({ channel: "rules-web", version: 0, objective: { kind: "cheapest" }, filters: { keepSafetyStock: true, maxShipmentsPerOrder: 3 }, versions: [] });

    const v1 = await put("rules-web", rules);
    expect(v1).toMatchObject({ status: 200, json: { version: 1, changed: true, shortagePolicy: "backorder", filters: { locationGroups: ["de-warehouses", "de-stores"] }, costModel: { currency: "EUR" } } });
    expect((await put("rules-web", rules)).json).toMatchObject({ version: 1, changed: false });
    expect((await put("rules-web", { ...rules, shortagePolicy: "ship-available" }, { "if-match": '"0"' })).status).toBe(409);
    const v2 = await put("rules-web", { ...rules, objective: { kind: "weighted", perTransitDay: 150 } }, { "if-match": "1" });
    expect(v2.json).toMatchObject({ version: 2, changed: true, objective: { kind: "weighted", perTransitDay: 150 }, });
    expect(v2.json.updatedBy).toContain("local-operator");

    const now = await operatorGet("/routing/rules/rules-web");
    expect(now.json).toMatchObject({ version: 2 });
    expect((now.json.versions as { version: number }[]).map((v) => v.version)).toEqual([2, 1]);
    expect((await operatorGet("/routing/rules/rules-web?version=1")).json).toMatchObject({ version: 1, objective: { kind: "cheapest" } });
    expect((await operatorGet("/routing/rules/rules-web?version=7")).status).toBe(404);
  });

  it("refuses bad rules naming each field, and writes nothing", async () => {
    const before = await snapshot();
    const res = await put("rules-bad", { filters: { maxShipmentsPerOrder: 0, colour: "red" }, objective: { kind: "weighted" }, costModel: { perShipment: -1, transitDays: [] } });
    expect(res.status).toBe(400);
    const paths = (res.json.error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path).sort();
    expect(paths).toEqual(["costModel.perShipment", "costModel.transitDays", "filters", "filters.maxShipmentsPerOrder", "objective.perTransitDay"]);
    expect((await put("rules-bad", rules, { "if-match": "latest" })).status).toBe(400);
    expect((await put("bad channel!", rules)).status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it("network ATP per channel sums only the locations the channel may use, naming the others", async () => {
    expect((await put("rules-de", rules)).status).toBe(200);
    const res = await operatorGet("/inventory/HOODIE-GRY-M?channel=rules-de");
    expect(res.status).toBe(200);
    const perLocation = Object.fromEntries((res.json.locations as { locationId: string; atp: number }[]).map((l) => [l.locationId, l.atp]));
    const network = res.json.network as { atp: number; rulesVersion: number; locations: { locationId: string }[]; excluded: { locationId: string; reason: string }[] };
    expect(network.rulesVersion).toBe(1);
    expect(network.locations.map((l) => l.locationId)).toEqual(["ST-HAM"]);
    expect(network.atp).toBe(perLocation["ST-HAM"]);
    expect(network.excluded).toEqual(
      expect.arrayContaining([
        { locationId: "WH-RTM", reason: "not in groups de-warehouses, de-stores" },
        { locationId: "ST-MUC", reason: "excluded by the channel's rules" },
      ]),
    );
    // A channel nobody configured uses every active location that can fulfill.
    const open = (await operatorGet("/inventory/HOODIE-GRY-M?channel=rules-unset")).json.network as { atp: number };
    expect(open.atp).toBe((res.json.totals as { atp: number }).atp);
  });
});

async function quote(body: unknown) {
  const res = await fetch(`${cloud.apiUrl}/routing/quote`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${cloud.operatorToken}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("POST /routing/quote", () => {
  const berlin = { kind: "ship", lat: 52.517, lon: 13.389 };
  it("plans a hypothetical order with the channel's rules, explains it, and reserves nothing", async () => {
    const before = await snapshot();
    const res = await quote({ channel: "quote-web", lines: [{ sku: "TSHIRT-BLK-M", quantity: 2 }, { sku: "MUG-LOGO", quantity: 1 }], delivery: berlin });
    expect(res.status).toBe(200);
    const plan = res.json as { algorithm: string; rulesVersion: number; optimal: boolean; shipments: { locationId: string; lines: { lineId: string; quantity: number }[] }[]; backordered: unknown[]; cost: { currency: string; total: number }; explanation: { chosen: { locationId: string }[]; rejected: { locationId: string; code: string }[] } };
    expect(plan).toMatchObject({ algorithm: "optimizer", rulesVersion: 0, optimal: true, backordered: [], cost: { currency: "EUR" } });
    expect(plan.shipments.map((s) => [s.locationId, s.lines.map((l) => `${l.lineId}:${l.quantity}`)])).toEqual([["WH-BER", ["1:2", "2:1"]]]);
    expect(plan.explanation.chosen.map((c) => c.locationId)).toEqual(["WH-BER"]);
    const codes = Object.fromEntries(plan.explanation.rejected.map((r) => [r.locationId, r.code]));
    expect(codes).toMatchObject({ "ST-MUC": "no-stock", "DS-ACME": "no-stock", "WH-RTM": "more-expensive" });
    expect(await snapshot()).toEqual(before);
  });

  it("pickup goes to the pickup store; greedy is available for comparison", async () => {
    const pickup = await quote({ channel: "quote-web", lines: [{ sku: "TSHIRT-BLK-M", quantity: 1 }], delivery: { kind: "pickup", locationId: "ST-HAM" } });
    expect((pickup.json.shipments as { locationId: string }[]).map((s) => s.locationId)).toEqual(["ST-HAM"]);
    const greedy = await quote({ channel: "quote-web", lines: [{ sku: "TSHIRT-BLK-M", quantity: 1 }], delivery: berlin, algorithm: "greedy" });
    expect(greedy.json).toMatchObject({ algorithm: "greedy", shipments: [{ locationId: "WH-BER" }] });
  });

  it("refuses unknown or inactive SKUs and bad deliveries with the field", async () => {
    const before = await snapshot();
    const unknown = await quote({ channel: "quote-web", lines: [{ sku: "NOPE", quantity: 1 }, { sku: "POSTER-RETRO", quantity: 1 }], delivery: berlin });
    expect(unknown.status).toBe(400);
    expect((unknown.json.error as { details: { issues: { path: string; message: string }[] } }).details.issues).toEqual([
      { path: "lines.0.sku", message: "NOPE is not in the catalog" },
      { path: "lines.1.sku", message: "POSTER-RETRO is not sellable (inactive)" },
    ]);
    const bad = await quote({ channel: "quote-web", lines: [{ sku: "MUG-LOGO", quantity: 0 }], delivery: { kind: "drone" } });
    expect(bad.status).toBe(400);
    expect((bad.json.error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path).sort()).toEqual(["delivery.kind", "lines.0.quantity"]);
    const unknownStore = await quote({ channel: "quote-web", lines: [{ sku: "MUG-LOGO", quantity: 1 }], delivery: { kind: "pickup", locationId: "ST-NOWHERE" } });
    expect(unknownStore.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });
});
