/** Markup that has already been escaped (or is trusted), so `html` does not escape it again. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template that escapes every interpolated value unless it is `SafeHtml` (or built by `html`). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

const STYLE = `
  :root { color-scheme: light; --accent: #3b5bdb; --ink: #1c2330; --muted: #5b6578; }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f2f4f8;
         font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
  main { width: min(420px, 100% - 32px); background: #fff; border-radius: 14px; padding: 28px;
         box-shadow: 0 6px 30px rgba(20, 30, 60, .12); }
  h1 { font-size: 1.3rem; margin: 0 0 4px; } p { margin: 8px 0; color: var(--muted); }
  label { display: block; font-weight: 600; margin: 14px 0 4px; }
  input[type=text], input[type=password], input[type=url], textarea, select { width: 100%; padding: 10px 12px;
         border: 1px solid #cfd6e4; border-radius: 8px; font: inherit; }
  ul.scopes { padding-left: 20px; } ul.scopes li { margin: 4px 0; }
  .actions { display: flex; flex-direction: row-reverse; gap: 10px; margin-top: 22px; }
  button { flex: 1; padding: 11px; border-radius: 8px; border: 1px solid var(--accent); font: inherit;
           font-weight: 600; cursor: pointer; background: #fff; color: var(--accent); }
  button.primary { background: var(--accent); color: #fff; }
  .error { background: #fff0f0; border: 1px solid #f3b8b8; color: #9b1c1c; padding: 10px 12px; border-radius: 8px; }
  .brand { font-size: .8rem; letter-spacing: .08em; text-transform: uppercase; color: var(--accent); font-weight: 700; }
  code { background: #f2f4f8; padding: 1px 5px; border-radius: 4px; }
`;

/** A complete HTML document in the provider's look. */
export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body><main><div class="brand">Latchkey ID</div>${body}</main></body>
</html>`.value;
}

/** Security headers for every provider page: no framing (clickjacking of the consent page), no caching. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self' http: https:; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};
