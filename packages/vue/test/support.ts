import { cleanup } from '@testing-library/vue';
import { afterEach, vi } from 'vitest';
import { bufferResponsesInHappyDom } from '../../browser/test/happy-dom-fetch.js';

export { authorize, setPageUrl, startHarness, type Harness } from '../../browser/test/harness.js';
export { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
export { startContractServer, type ContractServer } from '../../../test-support/bff-contract-server.js';

bufferResponsesInHappyDom();

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/** Replaces navigation with a record of where the page was sent. */
export function captureNavigation() {
  return vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);
}
