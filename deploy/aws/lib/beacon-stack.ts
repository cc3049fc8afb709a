// Beacon's Lambda edition as one CloudFormation stack: the DynamoDB table that holds Beacon's state,
// the function running Beacon's bundle, its front door (a Function URL, or an API Gateway HTTP API),
// a one-minute schedule that retries the changes Route 53 has not accepted yet, and a role that can
// do exactly what Beacon does and nothing else.
//
// Promises:
// - The table is the one Beacon's DynamoDB store expects (pk S, sk S, TTL attribute `ttl`),
//   on-demand, point-in-time recovery on, and RETAINED when the stack is deleted: it holds the
//   users' tokens and history.
// - No IAM statement names Resource "*": the role writes its own log group, reads and writes the one
//   table, changes and lists the configured hosted zones only, and reads Route 53 change status.
// - A Function URL with auth NONE carries both permissions new URLs need (lambda:InvokeFunctionUrl
//   and lambda:InvokeFunction when invoked via the URL); the stack outputs the URL clients use.
// Callers: pass `code` (Beacon's `dist-lambda/` bundle in the app, anything in tests) and at least
// one hosted zone (lib/zones.ts checks them, here too); everything else has a default.

import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { AttributeType, BillingMode, Table } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, type Code, Function, FunctionUrlAuthType, Runtime } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { checkZones, formatZones, type HostedZone } from "./zones.js";

export type FrontDoor = "function-url" | "http-api";
export type Auth = "NONE" | "AWS_IAM";

export interface BeaconStackProps extends StackProps {
  /** Beacon's Lambda bundle; the handler is `index.handler`. */
  readonly code: Code;
  /** The hosted zones Beacon may change (at least one). */
  readonly zones: readonly HostedZone[];
  /** Reserved concurrency, the cost cap: at most this many invocations at once. `false` reserves none. Default 10. */
  readonly reservedConcurrency?: number | false;
  /** How clients reach the function. Default `function-url`. */
  readonly frontDoor?: FrontDoor;
  /** `AWS_IAM` lets only SigV4-signed requests through (no dyndns2 router can sign). Default `NONE`. */
  readonly auth?: Auth;
  /** How long CloudWatch keeps the function's logs. Default one month. */
  readonly logRetention?: RetentionDays;
  /**
   * Serve the AWS sample's protocol (POST / with execution_mode; docs/protocols/aws-sample.md) for the
   * hosts that have a sample credential: BEACON_COMPAT_AWS_SAMPLE. Default false.
   */
  readonly awsSample?: boolean;
  /** Default Node.js 24 (Lambda standard support until April 2028; Node.js 22's ends April 2027). */
  readonly runtime?: Runtime;
}

/** The DynamoDB calls Beacon's store makes (no Scan, no transactions, no index). */
export const TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:Query",
  "dynamodb:BatchGetItem",
  "dynamodb:BatchWriteItem",
];

export class BeaconStack extends Stack {
  readonly table: Table;
  readonly fn: Function;

  constructor(scope: Construct, id: string, props: BeaconStackProps) {
    super(scope, id, props);
    const reserved = props.reservedConcurrency ?? 10;
    // The same checks as the command line's, so no caller can put "*" or a path into the IAM policy.
    const zones = checkZones(props.zones);
    if (reserved !== false && !(Number.isInteger(reserved) && reserved >= 1)) {
      throw new Error(
        `BeaconStack: reservedConcurrency must be a whole number of at least 1 or false, not ${reserved}`,
      );
    }

    this.table = new Table(this, "Table", {
      partitionKey: { name: "pk", type: AttributeType.STRING },
      sortKey: { name: "sk", type: AttributeType.STRING },
      timeToLiveAttribute: "ttl",
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Our own role and log group instead of AWSLambdaBasicExecutionRole, whose log statements name "*".
    const logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, "Role", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    logGroup.grantWrite(role);
    role.addToPolicy(
      new PolicyStatement({ sid: "Table", actions: TABLE_ACTIONS, resources: [this.table.tableArn] }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: "Route53Zones",
        actions: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
        resources: zones.map((z) => `arn:${Aws.PARTITION}:route53:::hostedzone/${z.hostedZoneId}`),
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: "Route53Changes",
        actions: ["route53:GetChange"],
        resources: [`arn:${Aws.PARTITION}:route53:::change/*`],
      }),
    );

    this.fn = new Function(this, "Function", {
      description: "Beacon dynamic DNS (Lambda edition)",
      code: props.code,
      handler: "index.handler",
      runtime: props.runtime ?? Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // Lambda gives CPU in proportion to memory: 128 MB is a fourteenth of a vCPU. CPU-bound work
      // (parsing the bundle at a cold start, SigV4 signing) runs about twice as fast at 256 MB for
      // about the same GB-seconds; Beacon's working set fits well inside it.
      memorySize: 256,
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: reserved === false ? undefined : reserved,
      role,
      logGroup,
      environment: {
        BEACON_STORE_DYNAMODB_TABLE: this.table.tableName,
        BEACON_SERVERLESS_ROUTE53_ZONES: formatZones(zones),
        NODE_OPTIONS: "--enable-source-maps",
        ...(props.awsSample === true ? { BEACON_COMPAT_AWS_SAMPLE: "true" } : {}),
      },
    });

    // Every minute the handler drains the changes Route 53 has not accepted yet. A missed tick is
    // not retried: the next one comes a minute later anyway.
    new Rule(this, "Drain", {
      description: "Beacon: retry the record changes Route 53 has not accepted yet",
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.fn, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });

    new CfnOutput(this, "Url", {
      description: "Beacon's base URL (dyndns2: <Url>nic/update)",
      value: this.frontDoor(props),
    });
    new CfnOutput(this, "TableName", { value: this.table.tableName });
    new CfnOutput(this, "FunctionName", { value: this.fn.functionName });
  }

  /** Creates the front door and returns its base URL (ending in "/"). */
  private frontDoor(props: BeaconStackProps): string {
    const iam = props.auth === "AWS_IAM";
    if (props.frontDoor === "http-api") {
      const api = new HttpApi(this, "Api", {
        description: "Beacon dynamic DNS",
        defaultIntegration: new HttpLambdaIntegration("Beacon", this.fn),
        ...(iam ? { defaultAuthorizer: new HttpIamAuthorizer() } : {}),
      });
      return `${api.apiEndpoint}/`;
    }
    // CDK adds lambda:InvokeFunctionUrl and lambda:InvokeFunction (InvokedViaFunctionUrl) for NONE.
    const url = this.fn.addFunctionUrl({
      authType: iam ? FunctionUrlAuthType.AWS_IAM : FunctionUrlAuthType.NONE,
    });
    return url.url;
  }
}
