import * as serviceOperations from "../../shared/api/operations/service";
import { referenceScriptAnswer } from "../../shared/api/reference-page";
import { publicHttpHandler } from "../../shared/http/public-handler";

export const handler = publicHttpHandler(serviceOperations.getReferenceScript, async ({ headers }) =>
  referenceScriptAnswer(headers["accept-encoding"]),
);
