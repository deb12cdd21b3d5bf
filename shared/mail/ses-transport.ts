import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import type { NoticeDelivery } from "./notice-delivery";
import { sesDelivery, type SesDeliverySettings } from "./ses-delivery";

// The SES delivery with its clients, made once per process: loaded (a chunk of its own in the function's bundle)
// when the first notice goes out, not when the function starts (configured-delivery.ts).

export function sesTransport(region: string, settings: SesDeliverySettings): NoticeDelivery {
  return sesDelivery(settings, {
    ses: new SESv2Client({ region }),
    cognito: new CognitoIdentityProviderClient({ region }),
  });
}
