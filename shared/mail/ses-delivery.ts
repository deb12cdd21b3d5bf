import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  UserNotFoundException,
} from "@aws-sdk/client-cognito-identity-provider";
import { SendEmailCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import { verifiedCognitoAddress } from "../domain/notice-recipient";
import type { DeliveryLimit, NoticeDelivery } from "./notice-delivery";
import { noticeMime, type NoticeSender } from "./notice-mail";

// AWS: a notice goes through Amazon SES (SESv2 SendEmail, raw MIME) to the Cognito user's verified address,
// looked up when it is sent, so a changed or newly verified address counts.

export interface SesDeliverySettings {
  sender: NoticeSender;
  userPoolId: string;
}

export interface SesDeliveryClients {
  ses: SESv2Client;
  cognito: CognitoIdentityProviderClient;
}

export function sesDelivery(
  settings: SesDeliverySettings,
  clients: SesDeliveryClients,
  clock: () => Date = () => new Date(),
): NoticeDelivery {
  async function verifiedAddressOf(userId: string, limit: DeliveryLimit): Promise<string | null> {
    try {
      // The user ID is Cognito's `sub`, which AdminGetUser takes as the user name.
      const user = await clients.cognito.send(
        new AdminGetUserCommand({ UserPoolId: settings.userPoolId, Username: userId }),
        limit,
      );
      return verifiedCognitoAddress(user.UserAttributes);
    } catch (error) {
      // Deleted from the pool while the account lives on: nobody to write to.
      if (error instanceof UserNotFoundException) return null;
      throw error;
    }
  }

  return {
    async deliver(notice, limit = {}) {
      const to = await verifiedAddressOf(notice.userId, limit);
      if (to === null) return "undeliverable";
      const mime = await noticeMime(notice.message, settings.sender, to, clock());
      await clients.ses.send(
        new SendEmailCommand({
          FromEmailAddress: settings.sender.address,
          Destination: { ToAddresses: [to] },
          Content: { Raw: { Data: mime } },
        }),
        limit,
      );
      return "sent";
    },
  };
}
