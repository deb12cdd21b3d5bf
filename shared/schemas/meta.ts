import * as z from "zod/mini";

// Answers of the routes that describe the service itself.

export const healthSchema = z
  .strictObject({ status: z.literal("ok") })
  .check(z.meta({ id: "Health", description: "The API answers." }));

export const openApiDocumentSchema = z
  .looseObject({
    openapi: z.string().check(z.regex(/^3\.1\.\d+$/)),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .check(
    z.meta({
      id: "OpenApiDocument",
      description: "An OpenAPI 3.1 document; see https://spec.openapis.org/oas/v3.1.0.",
    }),
  );
