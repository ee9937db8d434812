// BFF mode: the browser holds only the BFF's cookie.
import { createBffClient } from '@latchkey/browser/bff';

const bff = createBffClient();

export async function main() {
  const session = await bff.session();
  if (!session.authenticated) bff.login('github');
  return bff.fetch('github', 'user');
}
