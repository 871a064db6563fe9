import { describe, expect, it } from "vitest";
import { cloud, operatorCall, operatorGet, snapshot } from "./helpers.js";

async function importCsv(csv: string, contentType = "text/csv") {
  const res = await fetch(`${cloud.apiUrl}/products/import`, { method: "POST", headers: { authorization: `Bearer ${cloud.operatorToken}`, "content-type": contentType }, body: csv });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("product catalog", () => {
  it("PUT stores a product with its listings; one channel id belongs to one SKU; GET shows it; bad fields are named and nothing is written", async () => {
    const body = { name: "Travel mug", unitWeightGrams: 350, dimensionsMm: { length: 90, width: 90, height: 160 }, returnable: false, customs: { hsCode: "69120000", countryOfOrigin: "PT" }, listings: [{ channelId: "cat-shop", variantId: "700001", inventoryItemId: "800001" }] };
    expect(await operatorCall("PUT", "/products/CAT-MUG", body)).toMatchObject({ status: 201, json: { sku: "CAT-MUG", version: 1, active: true, returnable: false } });
    expect((await operatorCall("PUT", "/products/CAT-MUG", { ...body, name: "Travel mug 2" })).json).toMatchObject({ version: 2, name: "Travel mug 2" });
    expect(await operatorCall("PUT", "/products/CAT-OTHER", { ...body, returnable: true })).toMatchObject({ status: 409, json: { error: { message: "Listing variant:700001 of channel cat-shop belongs to SKU CAT-MUG" } } });
    expect((await operatorGet("/products/CAT-MUG")).json).toMatchObject({ listings: [{ channelId: "cat-shop", variantId: "700001" }], customs: { hsCode: "69120000" } });
    const before = await snapshot();
    const bad = await operatorCall("PUT", "/products/CAT-BAD", { name: "", unitWeightGrams: -1, listings: [{ channelId: "cat-shop" }] });
    expect(bad.status).toBe(400);
    expect((bad.json.error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path).sort()).toEqual(["listings.0", "name", "unitWeightGrams"]);
    expect(await snapshot()).toEqual(before);
  });

  it("a CSV import checks every row before writing any; run twice, it changes nothing; products list by state, paged", async () => {
    const csv = ["sku,name,unit_weight_grams,active,listing:cat-woo:productId", "CAT-A,Alpha,100,true,501", "CAT-B,Beta,200,false,502", "CAT-C,Gamma,300,true,"].join("\n");
    expect(await importCsv(csv)).toEqual({ status: 200, json: { imported: 3, created: 3, updated: 0, unchanged: 0 } });
    expect(await importCsv(csv)).toEqual({ status: 200, json: { imported: 3, created: 0, updated: 0, unchanged: 3 } });
    const before = await snapshot();
    const bad = await importCsv(["sku,name,unit_weight_grams", "CAT-D,Delta,10", "CAT-E,,ten"].join("\n"));
    expect(bad.status).toBe(400);
    expect((bad.json.error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path)).toEqual(["rows.3.name", "rows.3.unitWeightGrams"]);
    expect((await importCsv("sku,name\nX,y", "application/json")).status).toBe(415);
    expect(await snapshot()).toEqual(before);

    const inactive = await operatorGet("/products?active=false&limit=100");
    expect((inactive.json.items as { sku: string }[]).map((p) => p.sku)).toContain("CAT-B");
    expect((inactive.json.items as { sku: string }[]).map((p) => p.sku)).not.toContain("CAT-A");
    const first = await operatorGet("/products?limit=2");
    expect(first.json.items).toHaveLength(2);
    const second = await operatorGet(`/products?limit=2&cursor=${String(first.json.cursor)}`);
    const [, lastOfFirst] = first.json.items as { sku: string }[];
    expect((second.json.items as { sku: string }[])[0]?.sku.localeCompare(lastOfFirst?.sku ?? "")).toBe(1);
  });
});
