/**
 * Tandem's layers, checked by `npm run lint:deps` (and so by `npm test` and CI).
 *
 * The message path reads in one direction, and so do the imports:
 *   protocol/ (the wire, pure) ← store/, layer/, presence/ (backends) ← auth/, chat/ ← http/ ← app.ts
 * `errors.ts` and `metrics.ts` are shared by every part; `config.ts` hands each part its
 * slice, and backends may know its types only. `redis/` is the Redis connection the layer and
 * presence share. `subscriptions/` is how a local subscription is shared (layer/ and chat/ use
 * it). `client/` (and the pages in web/ built on it) speaks only the protocol.
 */
const BACKENDS = '^src/(store|layer|presence)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and hides which part owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'protocol-is-pure',
      severity: 'error',
      comment: 'protocol/ is the wire contract shared by server, client and tests: it imports nothing of Tandem.',
      from: { path: '^src/protocol/' },
      to: { path: '^src/', pathNot: '^src/protocol/' },
    },
    {
      name: 'moderation-is-pure',
      severity: 'error',
      comment: "moderation/ is the filter: pure functions that the storing path calls; it imports nothing of Tandem but the wire's names (protocol/).",
      from: { path: '^src/moderation/' },
      to: { path: '^src/', pathNot: ['^src/moderation/', '^src/protocol/'] },
    },
    {
      name: 'backends-stay-below',
      severity: 'error',
      comment: 'store/, layer/ and presence/ import only protocol/, errors.ts, their own folder, (layer, presence) redis/ and the leaf subscriptions/.',
      from: { path: '^src/(store|layer|presence)/' },
      to: {
        path: '^src/',
        pathNot: ['^src/protocol/', '^src/errors\\.ts$', '^src/config\\.ts$', '^src/$1/', '^src/redis/', '^src/subscriptions/'],
      },
    },
    {
      name: 'store-engines-stay-below',
      severity: 'error',
      comment: "An engine folder imports only protocol/, errors.ts, config types, the store's shared files and its own folder, never the other engine.",
      from: { path: '^src/store/(sqlite|postgres)/' },
      to: {
        path: '^src/',
        pathNot: ['^src/protocol/', '^src/errors\\.ts$', '^src/config(-types)?\\.ts$', '^src/store/[^/]+\\.ts$', '^src/store/migrations/', '^src/store/$1/'],
      },
    },
    {
      name: 'only-open-store-loads-an-engine',
      severity: 'error',
      comment: 'Callers hold a Store (or one of its parts); only store/index.ts (openStore) knows the engines.',
      from: { path: '^src/', pathNot: ['^src/store/index\\.ts$', '^src/store/(sqlite|postgres)/'] },
      to: { path: '^src/store/(sqlite|postgres)/' },
    },
    {
      name: 'store-parts-know-no-engine',
      severity: 'error',
      comment: "The parts' interfaces and the shared rows are engine-free: no driver outside its engine's folder.",
      from: { path: '^src/', pathNot: '^src/store/(sqlite|postgres)/' },
      to: { path: 'node_modules/(@types/)?(pg|better-sqlite3)/' },
    },
    {
      name: 'store-needs-no-redis',
      severity: 'error',
      comment: 'redis/ serves the channel layer and presence; the store never talks to Redis.',
      from: { path: '^src/store/' },
      to: { path: '^src/redis/' },
    },
    {
      name: 'backends-know-config-types-only',
      severity: 'error',
      comment: 'Backends get their settings as parameters; they may name config types but never read configuration.',
      from: { path: BACKENDS },
      to: { path: '^src/config\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'redis-connection-is-a-leaf',
      severity: 'error',
      comment: 'The shared Redis connection knows nothing of what it carries.',
      from: { path: '^src/redis/' },
      to: { path: '^src/', pathNot: ['^src/redis/', '^src/errors\\.ts$'] },
    },
    {
      name: 'transport-below-chat',
      severity: 'error',
      comment: 'transport/ is socket-level machinery below chat/: chat/ may import it, it never imports chat/, http/ or store/.',
      from: { path: '^src/transport/' },
      to: { path: '^src/(chat|http|store)/' },
    },
    {
      name: 'subscriptions-is-a-leaf',
      severity: 'error',
      comment: '"Subscribe on first join, drop after last leave", generic: it knows nothing of what is subscribed to.',
      from: { path: '^src/subscriptions/' },
      to: { path: '^src/', pathNot: '^src/subscriptions/' },
    },
    {
      name: 'client-speaks-only-protocol',
      severity: 'error',
      comment: 'The typed client runs in browsers and Node: it may import only protocol/ and itself.',
      from: { path: '^src/client/' },
      to: { path: '^src/', pathNot: ['^src/client/', '^src/protocol/'] },
    },
    {
      name: 'pages-use-the-client',
      severity: 'error',
      comment: 'The web pages reach the server only through the typed client and the protocol types.',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: ['^src/client/', '^src/protocol/'] },
    },
    {
      name: 'only-app-builds-http',
      severity: 'error',
      comment: 'http/ is the outermost door: nothing under src/ but app.ts imports it.',
      from: { path: '^src/', pathNot: ['^src/http/', '^src/app\\.ts$'] },
      to: { path: '^src/http/' },
    },
    {
      name: 'chat-and-auth-below-http',
      severity: 'error',
      comment: 'auth/ is shared by both doors (HTTP and WebSocket); it never imports chat/.',
      from: { path: '^src/auth/' },
      to: { path: '^src/chat/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // Type-only imports count: a circle of types is still a circle of parts.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
