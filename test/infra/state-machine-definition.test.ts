import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";
import { resolverFor } from "../support/template-values";
import { buildTemplate, resourcesOf } from "./build-app";

// What Step Functions would check when the stack is deployed, checked offline: the synthesized definition of the
// cleanup state machine is valid Amazon States Language (states, transitions, paths, ARNs).

describe("the cleanup state machine's definition", () => {
  it("passes asl-validator with its function ARNs resolved as CloudFormation resolves them", () => {
    const template = buildTemplate();
    const [, stateMachine] = resourcesOf(template, "AWS::StepFunctions::StateMachine")[0]!;
    const resolve = resolverFor(template.toJSON().Resources);
    const definition = JSON.parse(resolve(stateMachine.Properties.DefinitionString));
    const { isValid, errorsText } = aslValidator(definition);
    expect(errorsText("\n"), "asl-validator's findings").toBe("");
    expect(isValid).toBe(true);
  });
});
