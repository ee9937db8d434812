/** One API call as the demo shows it. */
export interface ApiResult {
  label: string;
  status: number;
  ms: number;
  body: string;
  /** The kind of token the call carried, when the page knows it. */
  tokenType?: string;
}

/** Runs a call, timing it and pretty-printing a JSON answer. */
export async function callApi(label: string, send: () => Promise<Response>): Promise<ApiResult> {
  const started = performance.now();
  const response = await send();
  const raw = await response.text();
  let body = raw;
  try {
    body = JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    // Not JSON: shown as it came.
  }
  return { label, status: response.status, ms: Math.round(performance.now() - started), body };
}
