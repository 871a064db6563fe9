import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { genericOrderJsonSchema } from "../../../scripts/order-schema.js";

describe("published order schema", () => {
  it("docs/generic-order.schema.json is what the handler validates with (run npm run docs:schema after changing it)", () => {
    const published = JSON.parse(readFileSync(new URL("../../../docs/generic-order.schema.json", import.meta.url), "utf8")) as unknown;
    expect(published).toEqual(genericOrderJsonSchema());
  });
});
