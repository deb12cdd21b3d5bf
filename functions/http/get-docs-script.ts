import * as serviceOperations from "../../shared/api/operations/service";
import { referenceScriptAnswer } from "../../shared/api/reference-page";
import { httpHandler } from "../../shared/http/handler";

export const handler = httpHandler(serviceOperations.getReferenceScript, async ({ headers }) =>
  referenceScriptAnswer(headers["accept-encoding"]),
);
