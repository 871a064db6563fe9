import { GeocodeCommand, type GeoPlacesClient } from "@aws-sdk/client-geo-places";
import type { Geocoder } from "../../app/ports.js";
import type { Geocode, GeoPrecision } from "../../domain/geocoding.js";
import type { Address } from "../../domain/order.js";

/** Amazon Location's place types, by how closely they stand for an address. */
const PRECISION: Record<string, GeoPrecision> = {
  PointAddress: "exact",
  InterpolatedAddress: "exact",
  SecondaryAddress: "exact",
  Street: "exact",
  Intersection: "exact",
  Block: "exact",
  SubBlock: "exact",
  PointOfInterest: "exact",
  PostalCode: "postal",
  Locality: "city",
  District: "city",
  SubDistrict: "city",
  SubRegion: "country",
  Region: "country",
  Country: "country",
};

/**
 * Amazon Location Service Places (V2) `Geocode` with the address as structured components. The
 * order keeps the coordinates, so the request says `IntendedUse: Storage`, as Amazon Location's
 * terms require for results that are stored.
 */
export class AmazonLocationGeocoder implements Geocoder {
  constructor(private readonly client: GeoPlacesClient) {}

  async locate(a: Pick<Address, "country" | "city" | "postalCode" | "region"> & Partial<Pick<Address, "line1">>): Promise<Geocode | undefined> {
    const text = (v: string | undefined) => (v && v.trim() && !v.includes(";") ? v.trim() : undefined);
    const components = {
      Country: a.country,
      ...(text(a.region) ? { Region: text(a.region) } : {}),
      ...(text(a.city) ? { Locality: text(a.city) } : {}),
      ...(text(a.postalCode) ? { PostalCode: text(a.postalCode) } : {}),
      ...(text(a.line1) ? { Street: text(a.line1) } : {}),
    };
    const out = await this.client.send(new GeocodeCommand({ QueryComponents: components, MaxResults: 1, IntendedUse: "Storage" }));
    const item = out.ResultItems?.[0];
    const [lon, lat] = item?.Position ?? [];
    if (lat === undefined || lon === undefined || !item) return undefined;
    return { lat, lon, precision: PRECISION[item.PlaceType ?? ""] ?? "country", source: "amazon-location" };
  }
}
