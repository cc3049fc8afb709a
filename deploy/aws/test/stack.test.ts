// The stack synthesized offline (Template.fromStack), property by property, and deploy/aws
// type-checked with its own TypeScript. Skips loudly without deploy/aws/node_modules (support/installed.ts).

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { BeaconStackProps } from "../lib/beacon-stack.js";
import { cdkInstalled, SKIP_REASON } from "./support/installed.js";

const cdk = cdkInstalled() ? await import("./support/cdk.js") : undefined;

if (cdk === undefined) {
  it.skip(SKIP_REASON, () => {});
} else {
  const { App, BeaconStack, Code, Runtime, RetentionDays, TABLE_ACTIONS, Template } = cdk;
  const ZONES = [
    { zone: "dyn.example.com", hostedZoneId: "Z0123456789ABC" },
    { zone: "home.example.net", hostedZoneId: "Z0987654321XYZ" },
  ];

  function synth(props: Partial<BeaconStackProps> = {}) {
    const stack = new BeaconStack(new App(), "Beacon", {
      code: Code.fromInline("exports.handler = async () => ({ statusCode: 200 });"),
      zones: ZONES,
      ...props,
    });
    const template = Template.fromStack(stack);
    const only = (type: string) => {
      const found = Object.entries(template.findResources(type));
      expect(found, type).toHaveLength(1);
      return { id: found[0]![0], ...(found[0]![1] as { Properties: Record<string, unknown> }) };
    };
    const all = (type: string) => Object.values(template.findResources(type)).map((r) => r["Properties"]);
    return { template, only, all };
  }

  const partitionArn = (rest: string) => ({ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, rest]] });

  describe("BeaconStack", () => {
    it("creates one table: pk/sk strings, TTL on ttl, on-demand, PITR on, retained on delete, no index", () => {
      const table = synth().only("AWS::DynamoDB::Table");
      expect(table).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
      expect(table.Properties).toEqual({
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: "ttl", Enabled: true },
      });
    });

    it("runs Beacon's handler on Node.js 24, arm64, 256 MB, 10 s, reserved concurrency 10, with its settings", () => {
      const { only } = synth();
      const table = only("AWS::DynamoDB::Table");
      const logs = only("AWS::Logs::LogGroup");
      expect(logs.Properties).toEqual({ RetentionInDays: 30 });
      expect(only("AWS::Lambda::Function").Properties).toMatchObject({
        Handler: "index.handler",
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        MemorySize: 256,
        Timeout: 10,
        ReservedConcurrentExecutions: 10,
        LoggingConfig: { LogGroup: { Ref: logs.id } },
        Environment: {
          Variables: {
            BEACON_STORE_DYNAMODB_TABLE: { Ref: table.id },
            BEACON_SERVERLESS_ROUTE53_ZONES: "dyn.example.com=Z0123456789ABC,home.example.net=Z0987654321XYZ",
            NODE_OPTIONS: "--enable-source-maps",
          },
        },
      });
    });

    it("takes the cost cap, log retention and runtime from props; reservedConcurrency false reserves none", () => {
      const fn = (props: Partial<BeaconStackProps>) => synth(props).only("AWS::Lambda::Function").Properties;
      expect(fn({ reservedConcurrency: 3 })["ReservedConcurrentExecutions"]).toBe(3);
      expect(fn({ reservedConcurrency: false })).not.toHaveProperty("ReservedConcurrentExecutions");
      expect(fn({ runtime: Runtime.NODEJS_22_X })["Runtime"]).toBe("nodejs22.x");
      const retention = synth({ logRetention: RetentionDays.ONE_WEEK }).only(
        "AWS::Logs::LogGroup",
      ).Properties;
      expect(retention["RetentionInDays"]).toBe(7);
    });

    it("serves the AWS sample's protocol only with awsSample", () => {
      const env = (props: Partial<BeaconStackProps>) =>
        (
          synth(props).only("AWS::Lambda::Function").Properties["Environment"] as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
      expect(env({})).not.toHaveProperty("BEACON_COMPAT_AWS_SAMPLE");
      expect(env({ awsSample: false })).not.toHaveProperty("BEACON_COMPAT_AWS_SAMPLE");
      expect(env({ awsSample: true })["BEACON_COMPAT_AWS_SAMPLE"]).toBe("true");
    });

    it.each([0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY])("rejects reservedConcurrency %s", (n) => {
      expect(() => synth({ reservedConcurrency: n })).toThrow(/reservedConcurrency must be a whole number/);
    });

    it.each([
      [[], /at least one hosted zone/],
      [[{ zone: "dyn.example.com", hostedZoneId: "*" }], /not a Route 53 hosted zone ID/],
      [[{ zone: "dyn.example.com", hostedZoneId: "Z1,other.example=Z2" }], /not a Route 53 hosted zone ID/],
      [[{ zone: "*.example.com", hostedZoneId: "Z0123456789ABC" }], /not a DNS zone name/],
      [[ZONES[0]!, ZONES[0]!], /listed twice/],
    ])("rejects the zone list %j", (zones, message) => {
      expect(() => synth({ zones })).toThrow(message);
    });

    it("grants exactly: its log group, the table's calls, the configured zones, change status", () => {
      const { only } = synth();
      const ref = (type: string) => ({ "Fn::GetAtt": [only(type).id, "Arn"] });
      const role = only("AWS::IAM::Role");
      expect(role.Properties).toEqual({
        AssumeRolePolicyDocument: {
          Statement: [
            { Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" } },
          ],
          Version: "2012-10-17",
        },
      });
      const policy = only("AWS::IAM::Policy").Properties;
      expect(policy["Roles"]).toEqual([{ Ref: role.id }]);
      expect(policy["PolicyDocument"]).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: ref("AWS::Logs::LogGroup"),
          },
          { Sid: "Table", Effect: "Allow", Action: TABLE_ACTIONS, Resource: ref("AWS::DynamoDB::Table") },
          {
            Sid: "Route53Zones",
            Effect: "Allow",
            Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
            Resource: [
              partitionArn(":route53:::hostedzone/Z0123456789ABC"),
              partitionArn(":route53:::hostedzone/Z0987654321XYZ"),
            ],
          },
          {
            Sid: "Route53Changes",
            Effect: "Allow",
            Action: "route53:GetChange",
            Resource: partitionArn(":route53:::change/*"),
          },
        ],
      });
      expect(TABLE_ACTIONS).not.toContain("dynamodb:Scan");
    });

    it("has no IAM statement on Resource '*' and no managed policy, in either front door", () => {
      for (const frontDoor of ["function-url", "http-api"] as const) {
        const { all } = synth({ frontDoor });
        const statements = all("AWS::IAM::Policy").flatMap(
          (p) => (p["PolicyDocument"] as { Statement: { Resource: unknown }[] }).Statement,
        );
        expect(statements.length).toBeGreaterThan(0);
        for (const s of statements) {
          for (const r of [s.Resource].flat()) expect(r, JSON.stringify(s)).not.toBe("*");
        }
        for (const role of all("AWS::IAM::Role")) expect(role).not.toHaveProperty("ManagedPolicyArns");
      }
    });

    it("gives a NONE Function URL both invoke permissions and outputs its URL", () => {
      const { only, all, template } = synth();
      const fn = { "Fn::GetAtt": [only("AWS::Lambda::Function").id, "Arn"] };
      const url = only("AWS::Lambda::Url");
      expect(url.Properties).toEqual({ AuthType: "NONE", TargetFunctionArn: fn });
      const permissions = all("AWS::Lambda::Permission");
      expect(permissions).toContainEqual({
        Action: "lambda:InvokeFunctionUrl",
        FunctionName: fn,
        FunctionUrlAuthType: "NONE",
        Principal: "*",
      });
      expect(permissions).toContainEqual({
        Action: "lambda:InvokeFunction",
        FunctionName: fn,
        InvokedViaFunctionUrl: true,
        Principal: "*",
      });
      expect(template.toJSON()["Outputs"]["Url"]["Value"]).toEqual({ "Fn::GetAtt": [url.id, "FunctionUrl"] });
    });

    it("with auth AWS_IAM the URL lets nobody in by resource policy", () => {
      const { only, all } = synth({ auth: "AWS_IAM" });
      expect(only("AWS::Lambda::Url").Properties["AuthType"]).toBe("AWS_IAM");
      expect(all("AWS::Lambda::Permission").filter((p) => p["Principal"] === "*")).toEqual([]);
    });

    it("invokes the function every minute to drain pending changes, without retries", () => {
      const { only, all } = synth();
      const fn = { "Fn::GetAtt": [only("AWS::Lambda::Function").id, "Arn"] };
      const rule = only("AWS::Events::Rule");
      expect(rule.Properties).toMatchObject({
        ScheduleExpression: "rate(1 minute)",
        State: "ENABLED",
        Targets: [
          { Arn: fn, Id: "Target0", RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 0 } },
        ],
      });
      expect(all("AWS::Lambda::Permission")).toContainEqual({
        Action: "lambda:InvokeFunction",
        FunctionName: fn,
        Principal: "events.amazonaws.com",
        SourceArn: { "Fn::GetAtt": [rule.id, "Arn"] },
      });
    });

    it("puts an HTTP API in front instead of the Function URL when asked, IAM-authorized with AWS_IAM", () => {
      const open = synth({ frontDoor: "http-api" });
      open.template.resourceCountIs("AWS::Lambda::Url", 0);
      const api = open.only("AWS::ApiGatewayV2::Api");
      const permissions = open.all("AWS::Lambda::Permission");
      expect(permissions.map((p) => p["Principal"]).sort()).toEqual([
        "apigateway.amazonaws.com",
        "events.amazonaws.com",
      ]);
      // API Gateway may invoke it through this API only.
      const viaApi = permissions.find((p) => p["Principal"] === "apigateway.amazonaws.com");
      expect(JSON.stringify(viaApi?.["SourceArn"])).toContain(`{"Ref":"${api.id}"}`);
      expect(api.Properties).toMatchObject({ ProtocolType: "HTTP" });
      expect(open.only("AWS::ApiGatewayV2::Route").Properties).toMatchObject({ RouteKey: "$default" });
      expect(JSON.stringify(open.template.toJSON()["Outputs"]["Url"]["Value"])).toContain(api.id);
      const signed = synth({ frontDoor: "http-api", auth: "AWS_IAM" });
      expect(signed.only("AWS::ApiGatewayV2::Route").Properties).toMatchObject({
        AuthorizationType: "AWS_IAM",
      });
    });

    it("type-checks (deploy/aws's own tsc)", { timeout: 180_000 }, () => {
      const dir = fileURLToPath(new URL("..", import.meta.url));
      const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
      const run = spawnSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8" });
      expect({ status: run.status, output: run.stdout + run.stderr }).toEqual({ status: 0, output: "" });
    });
  });
}
