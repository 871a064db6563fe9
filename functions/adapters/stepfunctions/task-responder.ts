import { SendTaskFailureCommand, SendTaskHeartbeatCommand, SendTaskSuccessCommand, type SFNClient } from "@aws-sdk/client-sfn";

/** Answers a waiting workflow task; an answer to a task that already closed is not an error (someone answered first). */
export class StepFunctionsTaskResponder {
  constructor(private readonly sfn: SFNClient) {}

  async succeed(token: string, output: unknown): Promise<boolean> {
    return this.send(() => this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })));
  }

  async fail(token: string, error: string, cause: string): Promise<boolean> {
    return this.send(() => this.sfn.send(new SendTaskFailureCommand({ taskToken: token, error, cause })));
  }

  /** Progress on a task whose HeartbeatSeconds is its SLA. */
  async heartbeat(token: string): Promise<boolean> {
    return this.send(() => this.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })));
  }

  private async send(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      if (["TaskTimedOut", "InvalidToken", "TaskDoesNotExist"].includes((error as Error).name)) return false;
      throw error;
    }
  }
}
