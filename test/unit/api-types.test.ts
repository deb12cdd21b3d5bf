import { describe, expect, it } from "vitest";
import { committedApiTypes, generatedApiTypes } from "../support/api/generate-types";

// The test client's types (test/support/api/types.ts) are what openapi-typescript makes of the OpenAPI document
// today: a route or schema changed without `npm run api:types` fails here, before a test compiles against old types.

describe("the test client's types", () => {
  it("are generated from the OpenAPI document as it is now (npm run api:types)", async () => {
    const generated = await generatedApiTypes();
    expect(generated.split("\n").length, "regenerate them: npm run api:types").toBeGreaterThan(1000);
    expect(committedApiTypes() === generated, "test/support/api/types.ts is stale: run npm run api:types").toBe(true);
  });

  it("name every operation by its operationId", async () => {
    const types = committedApiTypes();
    for (const id of ["publishPost", "getFeed", "follow", "writeComment", "startCleanupRun", "getOpenApiDocument"]) {
      expect(types).toContain(`  ${id}: {`);
    }
  });
});
