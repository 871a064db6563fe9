import * as DynamoDB from "@aws-sdk/client-dynamodb";
import type { EventBridgeLocal, PutEventsEntry } from "../eventbridge.js";
import { busArn, dynamoAccess, type IamLocal, type Session } from "../iam.js";
import type { LambdaRuntime } from "../lambda-runtime.js";
import { namedError } from "./errors.js";
import type { Json, LocalExecution } from "./types.js";

/** What a Task's resource may call: the functions, the bus, the table, and other state machines. */
export interface IntegrationServices {
  lambda: LambdaRuntime;
  events: EventBridgeLocal;
  dynamodb: DynamoDB.DynamoDBClient;
  iam: IamLocal;
}

/** Nested executions (states:startExecution), as the Step Functions that runs them starts and ends them. */
export interface ChildExecutions {
  start(stateMachineArn: string, name: string | undefined, input: string, parentExecutionArn: string): LocalExecution;
  /** Resolves when the execution has stopped. */
  finished(executionArn: string): Promise<void> | undefined;
}

/**
 * The service integrations a Task runs (lambda:invoke and Lambda ARNs, events:putEvents,
 * dynamodb and aws-sdk:dynamodb actions, states:startExecution plain, .sync and .sync:2), each
 * answering and failing with the shapes and error names AWS gives them.
 */
export class ServiceIntegrations {
  constructor(
    private readonly services: IntegrationServices,
    private readonly children: ChildExecutions,
  ) {}

  /**
   * Runs a Task's resource as the state machine's role (`role`): a call its policies do not allow
   * fails the task as AWS fails it (Lambda.AWSLambdaException, DynamoDB.AccessDeniedException, ...),
   * with AWS's AccessDenied message as the cause.
   */
  async invoke(e: LocalExecution, base: string, resource: string, input: Json, role: Session): Promise<Json> {
    const allow = (prefix: string, action: string, resources: string[]) => {
      const denied = this.services.iam.denial(role, action, resources);
      if (denied) throw accessDenied(prefix, denied);
    };
    if (base === "arn:aws:states:::lambda:invoke" || base.startsWith("arn:aws:lambda:")) {
      const direct = base.startsWith("arn:aws:lambda:");
      const params = (direct ? { FunctionName: base, Payload: input } : input) as { FunctionName: string; Payload?: Json };
      const out = await this.services.lambda.invoke(params.FunctionName, params.Payload ?? {}, { background: true, caller: { session: role } });
      if (!out.ok) {
        if (out.denied) throw accessDenied("Lambda.AWSLambdaException", out.errorMessage);
        if (out.errorType === "ResourceNotFoundException") throw namedError("Lambda.ResourceNotFoundException", out.errorMessage);
        throw namedError(out.errorType, JSON.stringify({ errorType: out.errorType, errorMessage: out.errorMessage, trace: out.trace ?? [] }));
      }
      if (direct) return out.result;
      return { ExecutedVersion: "$LATEST", Payload: out.result, StatusCode: 200, SdkHttpMetadata: { httpStatusCode: 200 }, SdkResponseMetadata: {} };
    }
    if (base === "arn:aws:states:::events:putEvents") {
      const entries = (input as { Entries: PutEventsEntry[] }).Entries;
      allow("EventBridge.AccessDeniedException", "events:PutEvents", [...new Set((entries ?? []).map((x) => busArn(x.EventBusName)))]);
      try {
        return this.services.events.putEvents(entries);
      } catch (err) {
        throw namedError(`EventBridge.${(err as Error).name}`, (err as Error).message);
      }
    }
    if (base.startsWith("arn:aws:states:::states:startExecution")) {
      allow("StepFunctions.AccessDeniedException", "states:StartExecution", [(input as { StateMachineArn: string }).StateMachineArn]);
      return this.startChild(e, resource, input);
    }
    const action = /^arn:aws:states:::(?:aws-sdk:)?dynamodb:(\w+)$/.exec(base)?.[1];
    if (action) {
      const commandName = `${action[0]?.toUpperCase()}${action.slice(1)}Command`;
      const Command = (DynamoDB as unknown as Record<string, new (i: unknown) => never>)[commandName];
      if (!Command) throw namedError("States.Runtime", `Unknown DynamoDB action ${action}`);
      const op = `${action[0]?.toUpperCase()}${action.slice(1)}`;
      for (const [a, resources] of dynamoAccess(op, input as Record<string, unknown>)) allow("DynamoDB.AccessDeniedException", a, resources);
      try {
        const { $metadata: _m, ...rest } = (await this.services.dynamodb.send(new Command(input))) as unknown as Record<string, unknown>;
        return rest;
      } catch (err) {
        throw namedError(`DynamoDB.${(err as Error).name}`, (err as Error).message);
      }
    }
    throw namedError("States.Runtime", `Unsupported resource ${resource}`);
  }

  /** states:startExecution, plain (returns at once), .sync (output as a string) or .sync:2 (output as JSON). */
  private async startChild(parent: LocalExecution, resource: string, input: Json): Promise<Json> {
    const p = input as { StateMachineArn: string; Name?: string; Input?: Json };
    const childInput = typeof p.Input === "string" ? p.Input : JSON.stringify(p.Input ?? {});
    let child: LocalExecution;
    try {
      child = this.children.start(p.StateMachineArn, p.Name, childInput, parent.executionArn);
    } catch (err) {
      throw namedError(`StepFunctions.${(err as Error).name}`, (err as Error).message);
    }
    const sync = /\.sync(:2)?$/.exec(resource);
    if (!sync) return { ExecutionArn: child.executionArn, StartDate: child.startDate };
    await this.children.finished(child.executionArn);
    const describe = {
      ExecutionArn: child.executionArn,
      StateMachineArn: child.stateMachineArn,
      Name: child.name,
      Status: child.status,
      StartDate: child.startDate,
      StopDate: child.stopDate,
      Input: sync[1] ? (JSON.parse(child.input) as Json) : child.input,
      Output: child.output === undefined ? null : sync[1] ? (JSON.parse(child.output) as Json) : child.output,
    };
    if (child.status !== "SUCCEEDED") throw namedError("States.TaskFailed", JSON.stringify({ ...describe, Error: child.error, Cause: child.cause }));
    return describe;
  }
}

/** A task failed because the state machine's role may not make the call: the error and cause AWS gives it. */
const accessDenied = (error: string, message: string) => namedError(error, `${message} (Service: ${error.split(".")[0]}; Status Code: 400; Error Code: AccessDeniedException)`);
