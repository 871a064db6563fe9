import type { CostModel } from "../routing-rules.js";

/** Mean Earth radius (IUGG), km. */
const EARTH_RADIUS_KM = 6371;
const rad = (d: number) => (d * Math.PI) / 180;

/** Great-circle distance in km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Transit days for a distance, from the cost model's bands (beyond the last band, its days). */
export function transitDaysFor(model: CostModel, km: number): number {
  for (const band of model.transitDays) if (km <= band.upToKm) return band.days;
  return model.transitDays.at(-1)?.days ?? 0;
}

