// The single table's physical design, read by the CDK stack and by the local and test set-up alike,
// so that the deployed table and DynamoDB Local always have the same keys and indexes.
// docs/data-model.md explains every key and access pattern.

export const tableDesign = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Epoch seconds; DynamoDB's TTL removes idempotency records and rate-limit windows after it. */
  timeToLiveAttribute: "expiresAt",
  indexes: {
    /** Sparse: only accounts the cleanup may ever delete carry these attributes. */
    inactivity: { name: "inactivity", partitionKey: "inactivityPk", sortKey: "inactivitySk" },
  },
} as const;
