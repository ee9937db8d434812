// Logs a browser in at the BFF for real: the BFF's login route, the provider's login page, the
// BFF's callback. Returns the Cookie header the browser would send from then on.
import { BENCH_USER } from './oauth.mjs';
import { importTs } from './support.mjs';

function remember(jar, response) {
  for (const line of response.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
}

const cookieHeader = (jar) => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

export async function bffLogin(bffUrl, provider) {
  const { submitAuthorizeForm } = await importTs('test-support/authorize-form.ts');
  const jar = new Map();
  const get = async (url) => {
    const response = await fetch(url, { redirect: 'manual', headers: jar.size > 0 ? { cookie: cookieHeader(jar) } : {} });
    remember(jar, response);
    await response.arrayBuffer();
    return response;
  };
  const start = await get(`${bffUrl}/bff/login/${provider}`);
  const authorize = start.headers.get('location');
  if (start.status !== 302 || !authorize) throw new Error(`the BFF did not start a login (HTTP ${start.status})`);
  const { location } = await submitAuthorizeForm(authorize, { username: BENCH_USER.username, password: BENCH_USER.password });
  if (!location) throw new Error('the provider did not redirect back');
  const done = await get(location);
  if (done.status !== 302 || jar.size === 0) throw new Error(`the BFF callback failed (HTTP ${done.status})`);
  return cookieHeader(jar);
}
