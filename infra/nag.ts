import { Token, Validations, type Stack } from "aws-cdk-lib";
import { channelCredentialsPrefix } from "../functions/domain/channel.js";

/**
 * Every cdk-nag (AwsSolutions) acknowledgement of the app, each with its reason, in one place.
 * Stack-wide only where the finding is a property of a pattern we use throughout.
 */
export const NAG_ACKNOWLEDGEMENTS: { id: string; reason: string }[] = [
  {
    id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    reason:
      "Lambda functions use the AWS managed AWSLambdaBasicExecutionRole, which only allows writing their own CloudWatch logs.",
  },
  {
    id: "AwsSolutions-IAM5[Resource::*]",
    reason:
      "Only for actions that accept no narrower resource: X-Ray PutTraceSegments/PutTelemetryRecords and the CloudWatch Logs " +
      "delivery actions of Step Functions logging. Table, index and function grants name their resources exactly.",
  },
  {
    id: "AwsSolutions-L1",
    reason: "Functions pin nodejs22.x on purpose: the runtime the code and its dependencies are tested on.",
  },
  {
    id: "AwsSolutions-APIG4",
    reason:
      "Only /webhooks/*, /carriers/{carrier}/tracking and /health are open (every other route is IAM): webhooks and carrier tracking updates are " +
      "authenticated by their HMAC signature in the handler (marketplaces and carriers cannot sign SigV4); /health reveals nothing.",
  },
  {
    id: "AwsSolutions-SMG4",
    reason:
      "The channel and carrier signing secrets are shared with each marketplace or carrier and rolled together with it (no rotation Lambda can " +
      "change the other side); the handlers accept two v1 signatures during a roll.",
  },
  {
    id: "AwsSolutions-SQS3",
    reason: "This queue is itself the dead-letter queue of the notifications rule target.",
  },
];

/** Acknowledgements whose finding names the stage's resources. */
function stageAcknowledgements(stack: Stack, stage: string): { id: string; reason: string }[] {
  const region = Token.isUnresolved(stack.region) ? "<AWS::Region>" : stack.region;
  return [
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:<AWS::AccountId>:secret:${channelCredentialsPrefix(stage)}*]`,
      reason:
        "A channel's API credentials are a secret the operator creates when registering it (its name is in the channel); the functions that call " +
        "channels may read the secrets under the stage's channels/ prefix and no other, and PUT /channels refuses a name outside it.",
    },
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:<AWS::AccountId>:execution:oms-${stage}-replenishment-planning/*]`,
      reason:
        "A Distributed Map describes and stops the child executions it starts; their names are generated per run, so the grant names the " +
        "planning state machine's own executions and nothing else.",
    },
  ];
}

/** Applies the acknowledgements to a stack. */
export function acknowledgeNagFindings(stack: Stack, stage: string): void {
  for (const ack of [...NAG_ACKNOWLEDGEMENTS, ...stageAcknowledgements(stack, stage)]) Validations.of(stack).acknowledge(ack);
}
