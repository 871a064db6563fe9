import { GeocodeCommand, GeoPlacesClient } from "@aws-sdk/client-geo-places";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach, describe, expect, it } from "vitest";
import { AmazonLocationGeocoder } from "../../functions/adapters/geocoding/amazon-location.js";

const places = mockClient(GeoPlacesClient);
const geocoder = new AmazonLocationGeocoder(new GeoPlacesClient({ region: "eu-central-1" }));
beforeEach(() => places.reset());

// Result items as the Places V2 API reference documents GeocodeResultItem (PlaceId, PlaceType, Title, Position as [longitude, latitude]).
describe("Amazon Location geocoder", () => {
  it("asks with the address as structured components, for stored results, and reads [longitude, latitude]", async () => {
    places.on(GeocodeCommand).resolves({ ResultItems: [{ PlaceId: "p1", PlaceType: "PointAddress", Title: "Invalidenstraße 117, 10115 Berlin, Deutschland", Position: [13.38305, 52.53145] }], PricingBucket: "Core" });
    expect(await geocoder.locate({ country: "DE", city: "Berlin", postalCode: "10115", line1: "Invalidenstraße 117" })).toEqual({ lat: 52.53145, lon: 13.38305, precision: "exact", source: "amazon-location" });
    expect(places).toHaveReceivedCommandWith(GeocodeCommand, { QueryComponents: { Country: "DE", Locality: "Berlin", PostalCode: "10115", Street: "Invalidenstraße 117" }, MaxResults: 1, IntendedUse: "Storage" });
  });
  it("says how precise the answer is by its place type; no result is no answer", async () => {
    places.on(GeocodeCommand).resolvesOnce({ ResultItems: [{ PlaceId: "p2", PlaceType: "PostalCode", Title: "94103", Position: [-122.41, 37.77] }], PricingBucket: "Core" }).resolvesOnce({ ResultItems: [{ PlaceId: "p3", PlaceType: "Locality", Title: "Köln", Position: [6.96, 50.94] }], PricingBucket: "Core" }).resolvesOnce({ ResultItems: [], PricingBucket: "Core" });
    expect((await geocoder.locate({ country: "US", city: "San Francisco", postalCode: "94103" }))?.precision).toBe("postal");
    expect((await geocoder.locate({ country: "DE", city: "Köln", postalCode: "" }))?.precision).toBe("city");
    expect(await geocoder.locate({ country: "DE", city: "Nowhere", postalCode: "" })).toBeUndefined();
  });
});
