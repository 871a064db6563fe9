import { unmarshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, it } from "vitest";
import { withEmptyMaps } from "../../../local/streams.js";

describe("stream images handed to Lambda", () => {
  it("give empty maps back their type, at any depth, and leave everything else as it was", () => {
    // As DynamoDB Local's stream reaches us through the SDK: the empty maps have lost their `M`.
    const image = { PK: { S: "ORDER#1" }, lines: { L: [{ M: { dispositions: {}, units: { L: [] } } }] }, tokens: {}, n: { N: "1" } };
    expect(() => unmarshall(image as never)).toThrow(/No value defined/);
    const fixed = withEmptyMaps(image);
    expect(fixed).toEqual({ PK: { S: "ORDER#1" }, lines: { L: [{ M: { dispositions: { M: {} }, units: { L: [] } } }] }, tokens: { M: {} }, n: { N: "1" } });
    expect(unmarshall(fixed as never)).toEqual({ PK: "ORDER#1", lines: [{ dispositions: {}, units: [] }], tokens: {}, n: 1 });
  });
});
