import { graphql } from "../gql";

/** What a verification of the log found, as `lastVerification` and `verifyLog`'s last step both carry it. */
export const VerificationResult = graphql(`
  fragment VerificationResult on LogVerification {
    intact
    startedAt
    finishedAt
    eventsChecked
    streamsChecked
    lastPosition
    brokenStreams
    verifiedBy
    broken {
      streamId
      version
      reason
      globalPosition
    }
  }
`);
