import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { EventBus } from "aws-cdk-lib/aws-events";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { INDEXES } from "../../functions/adapters/dynamodb/keys.js";
import { ORDER_LIST_ATTRIBUTES } from "../../functions/adapters/dynamodb/order-repository.js";
import { GENERIC_CHANNEL } from "../../functions/adapters/channels/generic.js";
import type { StageConfig } from "../config.js";

export interface StatefulStackProps extends StackProps {
  config: StageConfig;
}

/** What keeps data: the single table, the event bus with its archive, and the channel secrets. */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly bus: EventBus;
  readonly channelSecrets: Secret;
  readonly carrierSecrets: Secret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.table = new Table(this, "Table", {
      partitionKey: { name: "PK", type: AttributeType.STRING },
      sortKey: { name: "SK", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: "expiresAt",
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      deletionProtection: config.deletionProtection,
      removalPolicy: config.removalPolicy,
    });
    // The order list indexes carry only what a listing shows, so status changes stay cheap to index.
    for (const index of Object.values(INDEXES))
      this.table.addGlobalSecondaryIndex({
        indexName: index,
        partitionKey: { name: `${index}PK`, type: AttributeType.STRING },
        sortKey: { name: `${index}SK`, type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...ORDER_LIST_ATTRIBUTES, "type"],
      });

    this.bus = new EventBus(this, "Bus", { eventBusName: `oms-${config.stage}` });
    this.bus.archive("Archive", {
      archiveName: `oms-${config.stage}-all`,
      description: "Every OMS event, for replay after an incident or into a new consumer",
      eventPattern: { account: [Stack.of(this).account] },
      retention: config.archiveRetention,
    });

    this.channelSecrets = new Secret(this, "ChannelSecrets", {
      secretName: `oms/${config.stage}/channel-secrets`,
      description: 'Webhook HMAC secrets per sales channel: { "<channel>": "<secret>" }',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: GENERIC_CHANNEL,
        excludePunctuation: true,
        passwordLength: 48,
      },
      removalPolicy: config.removalPolicy,
    });

    this.carrierSecrets = new Secret(this, "CarrierSecrets", {
      secretName: `oms/${config.stage}/carrier-secrets`,
      description: 'Tracking-webhook HMAC secrets per carrier: { "<carrier>": "<secret>" }; "default" signs for carriers without their own',
      generateSecretString: { secretStringTemplate: JSON.stringify({}), generateStringKey: "default", excludePunctuation: true, passwordLength: 48 },
      removalPolicy: config.removalPolicy,
    });

    // What `npm run oms -- --stage <stage> ...` reads to find this stage's resources.
    new CfnOutput(this, "TableName", { value: this.table.tableName });
    new CfnOutput(this, "EventBusName", { value: this.bus.eventBusName });
    new CfnOutput(this, "ChannelSecretsArn", { value: this.channelSecrets.secretArn });
  }
}
