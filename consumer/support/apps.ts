import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The fresh apps the published packages are installed into: what `npm create vite` and `npm init` would
 * leave, and nothing from the monorepo. The README snippets marked for each app are written over these.
 * Versions of React, Vue, Vite and TypeScript are the repository's own, so the apps test our packages and
 * not a new release of theirs.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
const pin = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, versionOf(name)]));

export interface AppTemplate {
  /** Files written before anything is installed, by path. */
  files: Record<string, string>;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Vite's template compiler options, made stricter: exactOptionalPropertyTypes, and libraries checked too. */
const strictBrowserOptions = {
  target: 'ES2022',
  lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  module: 'ESNext',
  moduleResolution: 'bundler',
  moduleDetection: 'force',
  types: ['vite/client'],
  strict: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  exactOptionalPropertyTypes: true,
  noFallthroughCasesInSwitch: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  allowImportingTsExtensions: true,
  // Our .d.ts files are checked as well: a type they import from a package the app lacks is an error, not `any`.
  skipLibCheck: false,
  noEmit: true,
};

const page = (title: string, mount: string, script: string) =>
  [
    '<!doctype html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${title}</title></head>`,
    `<body>${mount}<script type="module" src="${script}"></script></body>`,
    '</html>',
    '',
  ].join('\n');

/**
 * A Vite + React + TypeScript app. Its pages: `index.html` and `main.ts` (the browser SDK's quick start),
 * `react/` (the React example) and `react-bff/` (the React BFF example, rendered by a main.tsx of ours).
 */
export const spaApp: AppTemplate = {
  files: {
    'package.json': json({
      name: 'consumer-spa',
      private: true,
      version: '0.0.0',
      type: 'module',
      scripts: { build: 'tsc && vite build' },
      dependencies: pin(['react', 'react-dom']),
      devDependencies: pin(['@types/react', '@types/react-dom', 'typescript', 'vite']),
    }),
    'tsconfig.json': json({ compilerOptions: { ...strictBrowserOptions, jsx: 'react-jsx' }, include: ['*.ts', 'react', 'react-bff'] }),
    'vite.config.js': [
      "import { defineConfig } from 'vite';",
      '',
      "export default defineConfig({ build: { rollupOptions: { input: ['index.html', 'react/index.html', 'react-bff/index.html'] } } });",
      '',
    ].join('\n'),
    'react/index.html': page('React', '<div id="root"></div>', './main.tsx'),
    'react-bff/index.html': page('React BFF', '<div id="root"></div>', './main.tsx'),
    'react-bff/main.tsx': [
      "import { createRoot } from 'react-dom/client';",
      "import { App } from './app.tsx';",
      '',
      "createRoot(document.getElementById('root')!).render(<App />);",
      '',
    ].join('\n'),
  },
};

/** A Vite + Vue + TypeScript app whose `main.ts` is the Vue example (render functions, vue-router guard). */
export const vueApp: AppTemplate = {
  files: {
    'package.json': json({
      name: 'consumer-vue',
      private: true,
      version: '0.0.0',
      type: 'module',
      scripts: { build: 'tsc && vite build' },
      dependencies: pin(['vue', 'vue-router']),
      devDependencies: pin(['typescript', 'vite']),
    }),
    'tsconfig.json': json({ compilerOptions: strictBrowserOptions, include: ['*.ts'] }),
    'index.html': page('Vue', '<div id="app"></div>', '/main.ts'),
  },
};

/** The strictest settings a Node app might use, our .d.ts files included (no skipLibCheck). */
const strictNodeOptions = {
  target: 'ES2022',
  lib: ['ES2023'],
  module: 'nodenext',
  moduleResolution: 'nodenext',
  types: ['node'],
  strict: true,
  noUnusedLocals: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  noEmit: true,
};

/**
 * A Node app, as `npm init` leaves one (plus `"type": "module"`, as the BFF README says), for the BFF
 * README's server; the README's install lines add everything else. `cjs/` holds a CommonJS file that
 * imports the packages, checked by the same tsc.
 */
export const serverApp: AppTemplate = {
  files: {
    'package.json': json({ name: 'consumer-server', private: true, version: '1.0.0', type: 'module' }),
    'tsconfig.json': json({
      compilerOptions: { ...strictNodeOptions, verbatimModuleSyntax: false },
      include: ['*.ts', '*.cts'],
    }),
    // A CommonJS module (require) importing the ESM packages: TypeScript's nodenext allows it, as Node
    // 20.19+ does.
    'required.cts': [
      "import { createBff, OAuthRegistry } from '@latchkey/bff';",
      "import { createRedisStore } from '@latchkey/bff/redis';",
      '',
      'export const loaded = [createBff, OAuthRegistry, createRedisStore].map((value) => typeof value);',
      '',
    ].join('\n'),
  },
};

/**
 * Every package in a plain CommonJS app: `check.cjs` requires them and `check.mjs` imports them. `types.ts`
 * is type-checked with only what the packages depend on (the app installs no `@types/koa` of its own), so
 * the Koa types of the BFF and the provider must come from their own dependencies, and not as `any`.
 */
export const requireApp: AppTemplate = {
  files: {
    'package.json': json({ name: 'consumer-require', private: true, version: '1.0.0' }),
    'tsconfig.json': json({
      compilerOptions: strictNodeOptions,
      include: ['types.ts'],
    }),
    'types.ts': [
      "import { createBff } from '@latchkey/bff';",
      "import { createProvider } from '@latchkey/provider';",
      '',
      '// Each is `false` only while the Koa types resolve: a missing module would make them `any`.',
      'type IsAny<T> = 0 extends 1 & T ? true : false;',
      'type Middleware = ReturnType<typeof createBff>;',
      "type ProviderApp = Awaited<ReturnType<typeof createProvider>>['app'];",
      'export const typed: [IsAny<Middleware>, IsAny<Parameters<Middleware>[0]>, IsAny<ProviderApp>] = [false, false, false];',
      '',
    ].join('\n'),
    'check.cjs': [
      "'use strict';",
      '// Requires every package (Node >= 20.19 loads their ESM builds through require) and tells whether',
      '// ioredis was loaded by the main BFF entry (it must not be) and by @latchkey/bff/redis (it must be).',
      "const { sep } = require('node:path');",
      'const ioredisLoaded = () => Object.keys(require.cache).some((file) => file.includes(`${sep}ioredis${sep}`));',
      'const result = { exports: {} };',
      "result.exports['@latchkey/bff'] = Object.keys(require('@latchkey/bff')).length;",
      'result.ioredisAfterMain = ioredisLoaded();',
      "for (const name of ['common', 'oauth1', 'browser', 'browser/bff', 'browser/state', 'provider', 'react', 'vue']) {",
      '  result.exports[`@latchkey/${name}`] = Object.keys(require(`@latchkey/${name}`)).length;',
      '}',
      "result.exports['@latchkey/bff/redis'] = Object.keys(require('@latchkey/bff/redis')).length;",
      'result.ioredisAfterRedis = ioredisLoaded();',
      'process.stdout.write(JSON.stringify(result));',
      '',
    ].join('\n'),
    'check.mjs': [
      '// The same for import: the main BFF entry does not load ioredis.',
      "import { createRequire } from 'node:module';",
      "import { sep } from 'node:path';",
      '',
      "const bff = await import('@latchkey/bff');",
      'const { cache } = createRequire(import.meta.url);',
      'const ioredisAfterMain = Object.keys(cache).some((file) => file.includes(`${sep}ioredis${sep}`));',
      "await import('@latchkey/bff/redis');",
      'const ioredisAfterRedis = Object.keys(cache).some((file) => file.includes(`${sep}ioredis${sep}`));',
      'process.stdout.write(JSON.stringify({ exports: Object.keys(bff).length, ioredisAfterMain, ioredisAfterRedis }));',
      '',
    ].join('\n'),
  },
};

/** What the require check installs: every package, and the peers they load. */
export const requireInstall = [
  'npm',
  'install',
  ...['common', 'oauth1', 'browser', 'bff', 'provider', 'react', 'vue'].map((name) => `@latchkey/${name}`),
  'koa',
  'ioredis',
  `react@${versionOf('react')}`,
  `vue@${versionOf('vue')}`,
  `typescript@${versionOf('typescript')}`,
  `@types/node@${versionOf('@types/node')}`,
];
