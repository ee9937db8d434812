/**
 * The algorithms a DPoP proof may be signed with (RFC 9449 section 4.3 step 6): asymmetric only, since a
 * shared-secret proof would prove nothing. Discovery advertises them and DPoP challenges name them.
 */
export const DPOP_SIGNING_ALGS = ['ES256', 'PS256', 'RS256', 'EdDSA'] as const;
