import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { ApiStack, type ApiStackProps } from "../../infra/stacks/api-stack";
import { defineApp } from "../../infra/stacks/define-app";

// `aws:cdk:bundling-stacks: []` makes NodejsFunction skip esbuild: these tests need neither bundles nor DynamoDB.
const skipBundling = { "aws:cdk:bundling-stacks": [] };

/** The app exactly as `cdk synth` builds it, cdk-nag included (its findings make `app.synth()` throw). */
export function buildApp(props: ApiStackProps = {}) {
  const app = new App({ context: skipBundling });
  const stack = defineApp(app, props);
  return { app, stack };
}

/**
 * The stack's template without cdk-nag, so that a broken setting fails the assertion that names it
 * rather than every test file at once on a nag finding (cdk-nag.test.ts covers the findings).
 */
export function buildTemplate(props: ApiStackProps = {}): Template {
  const app = new App({ context: skipBundling });
  return Template.fromStack(new ApiStack(app, "Test", props));
}

interface Resource {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** The template's resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}
