import { createBffClient } from '@latchkey/browser/bff';
import { BffProvider, useBffSession } from '@latchkey/react';

const bff = createBffClient(); // the BFF mounted at /bff on this origin

function Account() {
  const { user, isAuthenticated, isLoading, error, login, logout, fetch } = useBffSession();
  if (isLoading) return <p>Loading…</p>;
  if (!isAuthenticated) {
    return (
      <>
        {error && <p role="alert">Login failed: {error.message}</p>}
        <button onClick={() => login('github')}>Log in with GitHub</button>
      </>
    );
  }
  const repos = async () => (await fetch('github', '/user/repos')).json(); // the BFF adds the token
  return (
    <>
      <p>Hello {user?.name}</p>
      <button onClick={() => void repos()}>My repositories</button>
      <button onClick={() => void logout()}>Log out</button>
    </>
  );
}

export const App = () => (
  <BffProvider client={bff}>
    <Account />
  </BffProvider>
);
