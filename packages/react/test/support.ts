import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { bufferResponsesInHappyDom } from '../../browser/test/happy-dom-fetch.js';

export { authorize, setPageUrl, startHarness, type Harness } from '../../browser/test/harness.js';
export { submitAuthorizeForm } from '../../../test-support/authorize-form.js';

bufferResponsesInHappyDom();
// Tells React that Testing Library's `act` is in use (Vitest runs without globals, so RTL cannot).
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/** Replaces navigation with a record of where the page was sent. */
export function captureNavigation() {
  return vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);
}
