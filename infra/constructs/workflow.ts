import type { IEventBus } from "aws-cdk-lib/aws-events";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { StageConfig } from "../config.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Props of a workflow: its ASL file and the resources its states use. */
export interface WorkflowProps {
  /** File name under statemachines/, e.g. "order-fulfillment.asl.json". */
  definitionFile: string;
  /** State machine name (operators find executions under it). */
  name: string;
  config: StageConfig;
  /** `${Name}` placeholders in the ASL → function; the state machine may invoke each. */
  functions: Record<string, IFunction>;
  /** `${Name}` placeholders in the ASL → bus; the state machine may put events on each. */
  eventBuses?: Record<string, IEventBus>;
}

/** A Standard state machine built from an ASL file with definition substitutions, full logging and tracing. */
export class Workflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const substitutions: Record<string, string> = {};
    for (const [key, fn] of Object.entries(props.functions)) substitutions[key] = fn.functionArn;
    for (const [key, bus] of Object.entries(props.eventBuses ?? {})) substitutions[key] = bus.eventBusName;
    this.stateMachine = new StateMachine(this, "StateMachine", {
      stateMachineName: props.name,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(path.join(ROOT, "statemachines", props.definitionFile)),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, "Logs", {
          logGroupName: `/aws/vendedlogs/states/${props.name}`,
          retention: props.config.logRetention,
          removalPolicy: props.config.removalPolicy,
        }),
        level: LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    // The unqualified ARN only: the ASL invokes $LATEST, so no "<arn>:*" version wildcard is granted.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: Object.values(props.functions).map((fn) => fn.functionArn) }),
    );
    for (const bus of Object.values(props.eventBuses ?? {})) bus.grantPutEventsTo(this.stateMachine);
  }
}
