import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Geocoder } from "../../app/ports.js";
import type { Address } from "../../domain/order.js";
import type { Geocode } from "../../domain/geocoding.js";

/** One country of the offline index (built by infra/geo-index.ts). */
export interface CountryGeoIndex {
  /** The mean of the country's cities: where an address with no known city or postal code goes. */
  centre: [number, number];
  /** Normalized city name → [lat, lon, admin1 code] for each city of that name. */
  cities: Record<string, [number, number, string][]>;
  /** Postal code (upper case; Canada: its first three characters) → [lat, lon]. */
  postal?: Record<string, [number, number]>;
}

/** Lower case, accents and punctuation gone: "Frankfurt am Main" and "FRANKFURT-AM-MAIN" meet; "Köln" is "koln". */
export const normalizePlace = (name: string): string =>
  name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/ß/g, "ss").replace(/[^\p{L}\p{N}]+/gu, " ").trim();

const postalKey = (country: string, code: string): string => {
  const c = code.toUpperCase().replace(/\s+/g, "");
  return country === "US" ? c.slice(0, 5) : country === "CA" ? c.slice(0, 3) : c;
};

/**
 * Geocodes from GeoNames-based tables read from `dir` (one file per country, loaded once):
 * postal code where the data has it, else the city (the one in the address's region when a name
 * repeats), else the country's centre. Never exact: that takes a street-level service.
 */
export class OfflineGeocoder implements Geocoder {
  private readonly countries = new Map<string, Promise<CountryGeoIndex | undefined>>();

  constructor(private readonly dir: string) {}

  async locate(address: Pick<Address, "country" | "city" | "postalCode" | "region">): Promise<Geocode | undefined> {
    const index = await this.country(address.country);
    if (!index) return undefined;
    const at = (p: [number, number], precision: Geocode["precision"]): Geocode => ({ lat: p[0], lon: p[1], precision, source: "geonames" });
    const byPostal = address.postalCode ? index.postal?.[postalKey(address.country, address.postalCode)] : undefined;
    if (byPostal) return at(byPostal, "postal");
    const named = address.city ? index.cities[normalizePlace(address.city)] : undefined;
    if (named?.length) {
      const region = address.region?.toUpperCase();
      const pick = named.find((c) => region !== undefined && c[2].toUpperCase() === region) ?? named[0];
      if (pick) return at([pick[0], pick[1]], "city");
    }
    return at(index.centre, "country");
  }

  private country(code: string): Promise<CountryGeoIndex | undefined> {
    if (!/^[A-Z]{2}$/.test(code)) return Promise.resolve(undefined);
    let loading = this.countries.get(code);
    if (!loading) {
      loading = readFile(path.join(this.dir, `${code}.json`), "utf8").then(
        (text) => JSON.parse(text) as CountryGeoIndex,
        (error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return undefined;
          throw error;
        },
      );
      this.countries.set(code, loading);
    }
    return loading;
  }
}
