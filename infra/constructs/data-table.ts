import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, Billing, ProjectionType, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { tableDesign } from "../../shared/db/table-design";
import type { TableAction } from "../../shared/api/route";

/** A function's grant: DynamoDB actions on the table, and on each index it reads (named in full, no wildcard). */
export interface TableGrant {
  readonly table: readonly TableAction[];
  readonly indexes?: Partial<Record<keyof typeof tableDesign.indexes, readonly TableAction[]>>;
}

/** The single table, built from the same design the local server and tests create on DynamoDB Local. */
export class DataTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const string = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new TableV2(this, "Table", {
      partitionKey: string(tableDesign.partitionKey),
      sortKey: string(tableDesign.sortKey),
      billing: Billing.onDemand(),
      timeToLiveAttribute: tableDesign.timeToLiveAttribute,
      globalSecondaryIndexes: Object.values(tableDesign.indexes).map((index) => ({
        indexName: index.name,
        partitionKey: string(index.partitionKey),
        sortKey: string(index.sortKey),
        // ALL: the cleanup reads whole accounts from the index, with no second GetItem per account.
        projectionType: ProjectionType.ALL,
      })),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The table holds every account and post: neither a stack deletion nor a console click may drop it.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Grants a function exactly the actions of `grant` on the table and on the indexes it names, and tells it the
   * table's name, in one call, so that a function can never know the table without the grant or hold a grant to
   * another table. Actions are listed one by one, resources named in full: never `dynamodb:*` nor CDK's broader
   * grantReadData (which adds Scan and stream reads), never `index/*`.
   */
  connect(fn: LambdaFunction, grant: TableGrant): void {
    fn.addEnvironment("TABLE_NAME", this.table.tableName);
    const dynamoDb = (actions: readonly TableAction[]) => [...new Set(actions)].map((action) => `dynamodb:${action}`);
    if (grant.table.length > 0) {
      fn.addToRolePolicy(new PolicyStatement({ actions: dynamoDb(grant.table), resources: [this.table.tableArn] }));
    }
    for (const [key, actions] of Object.entries(grant.indexes ?? {})) {
      const index = tableDesign.indexes[key as keyof typeof tableDesign.indexes];
      fn.addToRolePolicy(
        new PolicyStatement({ actions: dynamoDb(actions), resources: [`${this.table.tableArn}/index/${index.name}`] }),
      );
    }
  }

  /**
   * For a function that never touches the table but still loads the shared configuration, which requires
   * TABLE_NAME at cold start (the fallback route): the name only, no grant, so any call would be denied.
   */
  nameOnly(fn: LambdaFunction): void {
    fn.addEnvironment("TABLE_NAME", this.table.tableName);
  }
}
