import type { Address, Order } from "../domain/order.js";
import type { Geocoder } from "./ports.js";

/**
 * A shipping address with its coordinates and how they were found: its own (the channel sent
 * them: exact), or the geocoder's (postal, city or country precision). Undefined when there is no
 * address, or nothing could place it.
 */
export async function placeAddress(geocoder: Geocoder | undefined, address: Address | undefined): Promise<{ address: Address; geocode: NonNullable<Order["geocode"]> } | undefined> {
  if (!address) return undefined;
  if (address.lat !== undefined && address.lon !== undefined) return { address, geocode: { precision: "exact", source: "order" } };
  const found = geocoder ? await geocoder.locate(address) : undefined;
  if (!found) return undefined;
  const { lat, lon, ...how } = found;
  return { address: { ...address, lat, lon }, geocode: how };
}
