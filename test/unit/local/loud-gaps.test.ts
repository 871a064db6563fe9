import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalCloud } from "../../../local/cloud.js";
import { checkDefinition } from "../../../local/stepfunctions.js";
import { CloudAssembly } from "../../../local/assembly.js";
import { EventBridgeLocal } from "../../../local/eventbridge.js";
import { Resolver } from "../../../local/intrinsics.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A minimal cloud assembly with one stack holding the given resources. */
function assembly(resources: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "oms-asm-"));
  dirs.push(dir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ version: "55.0.0", artifacts: { S: { type: "aws:cloudformation:stack", properties: { templateFile: "S.template.json" } } } }));
  writeFileSync(path.join(dir, "S.template.json"), JSON.stringify({ Resources: resources }));
  return dir;
}

describe("loud gaps", () => {
  it("refuses to start on a resource type it does not implement, naming it", async () => {
    const dir = assembly({ Stream: { Type: "AWS::Kinesis::Stream", Properties: {} }, Role: { Type: "AWS::IAM::Role", Properties: {} } });
    await expect(startLocalCloud({ assemblyDir: dir, dataDir: path.join(dir, "data") })).rejects.toThrow(/S\/Stream \(AWS::Kinesis::Stream\)/);
  });

  it("rejects ASL the runner cannot do faithfully, with the state's name and why", () => {
    const def = {
      StartAt: "A",
      States: {
        A: { Type: "Pass", Assign: { x: 1 }, Next: "B" },
        B: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", ResultPath: "$", Next: "C" },
        C: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", TimeoutSecondsPath: "$.t", End: true },
      },
    };
    expect(() => checkDefinition("m", def as never)).toThrow(
      /"A": Assign[\s\S]*"B": an explicit ResultPath[\s\S]*"B": resource arn:aws:states:::sqs:sendMessage is not supported[\s\S]*"C": TimeoutSecondsPath/,
    );
  });

  it("refuses an event rule whose pattern AWS would refuse (InvalidEventPatternException at deploy)", () => {
    const dir = assembly({
      Bus: { Type: "AWS::Events::EventBus", Properties: { Name: "b" } },
      Rule: { Type: "AWS::Events::Rule", Properties: { EventBusName: "b", EventPattern: { source: ["oms.orders"], detail: { status: "CANCELLED" } }, Targets: [] } },
    });
    const asm = new CloudAssembly(dir);
    expect(() => new EventBridgeLocal(asm, new Resolver(asm), {} as never, {} as never, dir)).toThrow(/Rule S\/Rule: Event pattern is not valid. Reason: "status" must be an object or an array/);
  });
});
