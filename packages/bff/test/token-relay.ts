import { listen } from '../../../test-support/listen.js';

/** One token answer the relay passed on: the refresh token in it, if any. */
interface RelayedAnswer {
  status: number;
  refreshToken: string | undefined;
}

/**
 * A token endpoint in front of the provider's: it forwards every request at once (the provider rotates
 * the refresh token then), and while `hold()` is in force keeps the answer back until `release()`, so a
 * test can act while a refresh is in flight. It never changes a byte of either.
 */
export interface TokenRelay {
  /** Use as `refreshTokenUrl`. */
  url: string;
  answers: RelayedAnswer[];
  /** Holds the next answer; resolves with it once the provider has answered. */
  hold(): Promise<RelayedAnswer>;
  release(): void;
  close(): Promise<void>;
}

export async function startTokenRelay(tokenEndpoint: string): Promise<TokenRelay> {
  const answers: RelayedAnswer[] = [];
  let holding: { answered: (answer: RelayedAnswer) => void; released: Promise<void>; release: () => void } | undefined;
  const server = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'accept']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = await fetch(tokenEndpoint, { method: 'POST', headers, body: Buffer.concat(chunks) });
      const body = await upstream.text();
      let refreshToken: string | undefined;
      try {
        refreshToken = (JSON.parse(body) as { refresh_token?: string }).refresh_token;
      } catch {
        refreshToken = undefined;
      }
      const answer = { status: upstream.status, refreshToken };
      answers.push(answer);
      const held = holding;
      holding = undefined;
      if (held !== undefined) {
        held.answered(answer);
        await held.released;
      }
      res.statusCode = upstream.status;
      res.setHeader('content-type', upstream.headers.get('content-type') ?? 'application/json');
      res.setHeader('cache-control', 'no-store');
      res.end(body);
    });
  });
  let release = () => {};
  return {
    url: `${server.url}/oauth/token`,
    answers,
    hold() {
      return new Promise((answered) => {
        let releaseNow = () => {};
        const released = new Promise<void>((resolve) => {
          releaseNow = resolve;
        });
        release = releaseNow;
        holding = { answered, released, release: releaseNow };
      });
    },
    release: () => release(),
    close: () => server.close(),
  };
}
