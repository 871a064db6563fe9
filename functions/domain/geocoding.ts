/** How closely a point stands for an address: the street (a channel's or a geocoder's), its postal code, its city, or only its country. */
export const GEO_PRECISIONS = ["exact", "postal", "city", "country"] as const;
export type GeoPrecision = (typeof GEO_PRECISIONS)[number];

/** Where an address is, how precisely, and who said so (`order` when the channel sent the coordinates). */
export interface Geocode {
  lat: number;
  lon: number;
  precision: GeoPrecision;
  source: string;
}
