import { App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { stageConfig } from "./config.js";
import { acknowledgeNagFindings } from "./nag.js";
import { StatefulStack } from "./stacks/stateful-stack.js";
import { StatelessStack } from "./stacks/stateless-stack.js";

/** Builds the whole OMS app for a stage; tests build it the same way. */
export function buildApp(app = new App()) {
  const stage = (app.node.tryGetContext("stage") as string | undefined) ?? "dev";
  const config = stageConfig(stage);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const stateful = new StatefulStack(app, `Oms-${stage}-Stateful`, { config, env, description: "OMS data: table, event bus, secrets" });
  const stateless = new StatelessStack(app, `Oms-${stage}-Stateless`, {
    config,
    env,
    description: "OMS compute: functions, HTTP API, workflows, rules",
    table: stateful.table,
    bus: stateful.bus,
    channelSecrets: stateful.channelSecrets,
    carrierSecrets: stateful.carrierSecrets,
  });
  stateless.addStackDependency(stateful);
  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add("app", "oms");
    Tags.of(stack).add("stage", stage);
    acknowledgeNagFindings(stack, stage);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless, config };
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth();
