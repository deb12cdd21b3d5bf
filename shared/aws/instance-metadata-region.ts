// In place of the SDK's region from the instance metadata service (@smithy/core's getInstanceMetadataRegion) in
// every bundle (infra/bundling.ts): the SDK asks it only when AWS_REGION is not set, and Lambda always sets it. Code
// run from source keeps the SDK's.

/** No region, as the SDK's answers when the metadata service does not: the client then fails with "Region is missing". */
export const getInstanceMetadataRegion = async (): Promise<string | undefined> => undefined;
