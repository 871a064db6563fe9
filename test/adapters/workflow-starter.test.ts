import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach, describe, expect, it } from "vitest";
import { StepFunctionsWorkflowStarter } from "../../functions/adapters/stepfunctions/workflow-starter.js";

const sfn = mockClient(SFNClient);
const starter = new StepFunctionsWorkflowStarter(new SFNClient({ region: "us-east-1" }), "arn:sm");

beforeEach(() => sfn.reset());

describe("StepFunctionsWorkflowStarter", () => {
  it("starts an execution named by the order id with the JSON input", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: "arn:x", startDate: new Date() });
    expect(await starter.start("01JQ", { orderId: "01JQ" })).toEqual({ alreadyStarted: false });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: "arn:sm", name: "01JQ", input: '{"orderId":"01JQ"}' });
  });

  it("treats an execution that already exists as started, and other errors as errors", async () => {
    sfn.on(StartExecutionCommand).rejectsOnce(new ExecutionAlreadyExists({ message: "exists", $metadata: {} })).rejectsOnce(new Error("throttled"));
    expect(await starter.start("01JQ", {})).toEqual({ alreadyStarted: true });
    await expect(starter.start("01JQ", {})).rejects.toThrow("throttled");
  });
});
