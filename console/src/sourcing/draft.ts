// The draft editor's state and its translation to SourcingProfileInput. The form edits text (a blank limit is
// "no limit"); the API takes numbers and lists, so the conversion lives here, pure and tested.
import type { LocationType, ServiceLevel, SourcingProfileInput } from "../gql/graphql";

export const SERVICE_LEVELS: readonly ServiceLevel[] = ["STANDARD", "EXPRESS", "SAME_DAY"];
export const LOCATION_TYPES: readonly LocationType[] = [
  "DISTRIBUTION_CENTER",
  "STORE",
  "THIRD_PARTY_LOGISTICS",
  "DROP_SHIP_VENDOR",
  "RETURNS_CENTER",
];

export interface RuleDraft {
  channel: string;
  serviceLevel: ServiceLevel | "";
  locationTypes: LocationType[];
}

export interface Draft {
  eligibility: RuleDraft[];
  maxDistanceKm: Record<ServiceLevel, string>;
  maxDays: Record<ServiceLevel, string>;
  excludedLocations: string;
  preferredLocations: string;
  maxShipments: string;
  storePenalty: string;
  reason: string;
}

interface ProfileLike {
  eligibility: readonly {
    channel?: string | null;
    serviceLevel?: ServiceLevel | null;
    locationTypes: readonly LocationType[];
  }[];
  maxDistanceKm: readonly { serviceLevel: ServiceLevel; value: number }[];
  maxDays: readonly { serviceLevel: ServiceLevel; value: number }[];
  excludedLocations: readonly string[];
  preferredLocations: readonly string[];
  maxShipments?: number | null;
  storePenalty: number;
}

function limits(given: ProfileLike["maxDays"]): Record<ServiceLevel, string> {
  const byLevel = { STANDARD: "", EXPRESS: "", SAME_DAY: "" };
  for (const limit of given) byLevel[limit.serviceLevel] = String(limit.value);
  return byLevel;
}

/** The draft a version starts from; with no version defined, the built-in rules the API documents (every
 * shipping location type eligible, EXPRESS within 2 days, SAME_DAY today, unlimited splits). */
export function draftOf(profile: ProfileLike | null | undefined): Draft {
  if (!profile) {
    return {
      eligibility: [
        {
          channel: "",
          serviceLevel: "",
          locationTypes: LOCATION_TYPES.filter((t) => t !== "RETURNS_CENTER"),
        },
      ],
      maxDistanceKm: limits([]),
      maxDays: limits([
        { serviceLevel: "EXPRESS", value: 2 },
        { serviceLevel: "SAME_DAY", value: 0 },
      ]),
      excludedLocations: "",
      preferredLocations: "",
      maxShipments: "",
      storePenalty: "0",
      reason: "",
    };
  }
  return {
    eligibility: profile.eligibility.map((rule) => ({
      channel: rule.channel ?? "",
      serviceLevel: rule.serviceLevel ?? "",
      locationTypes: [...rule.locationTypes],
    })),
    maxDistanceKm: limits(profile.maxDistanceKm),
    maxDays: limits(profile.maxDays),
    excludedLocations: profile.excludedLocations.join(", "),
    preferredLocations: profile.preferredLocations.join(", "),
    maxShipments: profile.maxShipments == null ? "" : String(profile.maxShipments),
    storePenalty: String(profile.storePenalty),
    reason: "",
  };
}

/** "nwk, CHI ,," → ["NWK", "CHI"]: location codes are upper case, separated by commas or spaces. */
export function codes(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((code) => code.trim().toUpperCase())
    .filter((code) => code.length > 0);
}

function numberOrNull(text: string): number | null {
  const trimmed = text.trim();
  return trimmed === "" ? null : Number(trimmed);
}

/** The draft as the API's input; blank limits are left out, a blank max shipments is "unlimited". */
export function inputOf(draft: Draft, expectedVersion?: number): SourcingProfileInput {
  const limitList = (byLevel: Record<ServiceLevel, string>) =>
    SERVICE_LEVELS.flatMap((serviceLevel) => {
      const value = numberOrNull(byLevel[serviceLevel]);
      return value === null ? [] : [{ serviceLevel, value }];
    });
  const input: SourcingProfileInput = {
    name: "default",
    eligibility: draft.eligibility.map((rule) => ({
      channel: rule.channel.trim() || null,
      serviceLevel: rule.serviceLevel || null,
      locationTypes: rule.locationTypes,
    })),
    maxDistanceKm: limitList(draft.maxDistanceKm),
    maxDays: limitList(draft.maxDays),
    excludedLocations: codes(draft.excludedLocations),
    preferredLocations: codes(draft.preferredLocations),
    maxShipments: numberOrNull(draft.maxShipments),
    storePenalty: numberOrNull(draft.storePenalty) ?? 0,
    reason: draft.reason.trim() || null,
  };
  if (expectedVersion !== undefined) input.expectedVersion = expectedVersion;
  return input;
}

/** The form field a userError belongs to: the input's top-level field ("excludedLocations" for
 * ["input", "excludedLocations", "0"]; a what-if's "input.profile.maxDays.1.value" → "maxDays"). */
export function draftField(path: readonly string[] | string | null | undefined): string | null {
  if (!path) return null;
  const parts = (typeof path === "string" ? path.split(".") : [...path]).filter(
    (part) => part !== "input" && part !== "profile",
  );
  return parts[0] ?? null;
}
