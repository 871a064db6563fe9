import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import type { WorkflowStarter } from "../../app/ports.js";

/** Starts one Standard execution per order, named by the order id (names are unique per state machine). */
export class StepFunctionsWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(executionName: string, input: unknown): Promise<{ alreadyStarted: boolean }> {
    try {
      // Same name + same input on a running execution returns it: AWS treats that as idempotent.
      await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: executionName, input: JSON.stringify(input) }),
      );
      return { alreadyStarted: false };
    } catch (error) {
      // A closed execution of that name: the order's workflow has already run.
      if (error instanceof ExecutionAlreadyExists) return { alreadyStarted: true };
      throw error;
    }
  }
}
