// oidc-provider 9 ships no types (DefinitelyTyped has them, not installed here): the part of its
// documented API these tests use, from its docs/README.md and docs/events.md.
declare module 'oidc-provider' {
  import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

  export type JsonWebKey = import('node:crypto').JsonWebKey & { kid?: string; use?: string; alg?: string };

  /** Client metadata as registered (OpenID Connect Dynamic Client Registration 1.0, section 2). */
  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    token_endpoint_auth_method?: 'none' | 'client_secret_basic' | 'client_secret_post';
    redirect_uris?: string[];
    post_logout_redirect_uris?: string[];
    grant_types?: string[];
    response_types?: string[];
    application_type?: 'web' | 'native';
    /** OpenID Connect Back-Channel Logout 1.0 section 2.2 (with features.backchannelLogout). */
    backchannel_logout_uri?: string;
    backchannel_logout_session_required?: boolean;
  }

  /** A registered client as oidc-provider hands it to configuration helpers. */
  export interface Client {
    readonly clientId: string;
    readonly clientAuthMethod: string;
    readonly applicationType: string;
    readonly redirectUris: string[];
    grantTypeAllowed(type: string): boolean;
  }

  export interface OidcContext {
    readonly params?: Readonly<Record<string, unknown>>;
    readonly client?: Client;
  }

  /** The Koa context oidc-provider passes to configuration helpers and events. */
  export interface ProviderContext {
    readonly oidc: OidcContext;
    readonly method: string;
    readonly host: string;
    readonly headers: Readonly<Record<string, string | string[] | undefined>>;
    type: string;
    body: unknown;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>> | Record<string, unknown>;
  }

  /** What `issueRefreshToken` is asked about: the code (or grant) being exchanged. */
  export interface TokenSource {
    readonly scopes: ReadonlySet<string>;
  }

  export interface Configuration {
    clients?: ClientMetadata[];
    jwks?: { keys: JsonWebKey[] };
    findAccount?: (ctx: ProviderContext, sub: string) => Promise<Account | undefined>;
    claims?: Record<string, string[]>;
    cookies?: { keys?: string[] };
    features?: {
      devInteractions?: { enabled: boolean };
      revocation?: { enabled: boolean; allowedPolicy?: (ctx: ProviderContext, client: Client, token: TokenModel) => Promise<boolean> };
      introspection?: { enabled: boolean; allowedPolicy?: (ctx: ProviderContext, client: Client, token: TokenModel) => Promise<boolean> };
      rpInitiatedLogout?: {
        enabled: boolean;
        logoutSource?: (ctx: ProviderContext, form: string) => Promise<void>;
        postLogoutSuccessSource?: (ctx: ProviderContext) => Promise<void>;
      };
      /** RFC 9449 (docs: features.dPoP; oidc-provider 9 spells it so, and ignores an unknown `dpop`). */
      dPoP?: { enabled: boolean; nonceSecret?: Buffer; requireNonce?: (ctx: ProviderContext) => boolean; allowReplay?: boolean };
      /** RFC 9126 (docs: features.pushedAuthorizationRequests). */
      pushedAuthorizationRequests?: {
        enabled: boolean;
        requirePushedAuthorizationRequests?: boolean;
        allowUnregisteredRedirectUris?: boolean;
      };
      /** OpenID Connect Back-Channel Logout 1.0 (docs: features.backchannelLogout). */
      backchannelLogout?: { enabled: boolean };
    };
    interactions?: { url?: (ctx: ProviderContext, interaction: { uid: string }) => Promise<string> };
    pkce?: { required?: (ctx: ProviderContext, client: Client) => boolean };
    issueRefreshToken?: (ctx: ProviderContext, client: Client, source: TokenSource) => Promise<boolean>;
    rotateRefreshToken?: boolean | ((ctx: ProviderContext) => boolean);
    clientBasedCORS?: (ctx: ProviderContext, origin: string, client: Client) => boolean;
    renderError?: (ctx: ProviderContext, out: Record<string, string>, error: Error) => Promise<void>;
    /** Every outgoing request (docs: fetch); the default refuses special-use addresses, 127.0.0.1 included. */
    fetch?: (url: string, options: RequestInit & { dispatcher?: unknown }) => Promise<Response>;
    ttl?: Partial<
      Record<
        'AccessToken' | 'AuthorizationCode' | 'IdToken' | 'RefreshToken' | 'Interaction' | 'Session' | 'Grant',
        number | ((ctx: ProviderContext, token: unknown, client: Client) => number)
      >
    >;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: 'login' | 'consent' | string; details: { missingOIDCScope?: string[] } };
    params: Readonly<Record<string, unknown>> & { client_id: string; scope?: string };
    session?: { accountId: string };
    grantId?: string;
  }

  export type InteractionResult =
    | { login?: { accountId: string }; consent?: { grantId: string } }
    | { error: string; error_description?: string };

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    static find(id: string): Promise<Grant | undefined>;
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  /** An opaque token as events hand it over; `jti` is its value (formats: opaque). */
  export interface TokenModel {
    readonly jti: string;
    readonly clientId: string;
  }

  export interface ProviderEvents {
    'authorization.accepted': [ctx: ProviderContext];
    'grant.success': [ctx: ProviderContext];
    'grant.error': [ctx: ProviderContext, error: Error];
    'grant.revoked': [ctx: ProviderContext, grantId: string];
    'access_token.saved': [token: TokenModel];
    'refresh_token.saved': [token: TokenModel];
    'refresh_token.consumed': [token: TokenModel];
    'end_session.success': [ctx: ProviderContext];
    'backchannel.success': [ctx: ProviderContext, client: Client, accountId: string, sid: string];
    'backchannel.error': [ctx: ProviderContext, error: Error, client: Client, accountId: string, sid: string];
    'session.destroyed': [session: unknown];
    server_error: [ctx: ProviderContext, error: Error];
  }

  export class Provider {
    constructor(issuer: string, configuration: Configuration);
    readonly issuer: string;
    readonly Grant: typeof Grant;
    /** The access token model: `find` by value, `destroy` forgets it (the OP's adapter API). */
    readonly AccessToken: { find(value: string): Promise<{ destroy(): Promise<void> } | undefined> };
    callback(): RequestListener;
    on<E extends keyof ProviderEvents>(event: E, listener: (...args: ProviderEvents[E]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResult,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }

  export default Provider;
}
