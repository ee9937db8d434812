/** The DPoP key of one login (RFC 9449), stored with its login transaction and then beside its tokens. */
export interface DPoPKey {
  /** ES256; the private key is not extractable, so no script can copy it out of the browser. */
  readonly keyPair: CryptoKeyPair;
  /** The public key's JWK SHA-256 thumbprint (RFC 7638): the `cnf.jkt` of the tokens bound to it. */
  readonly jkt: string;
}
