// Dependency rules of the architecture, checked by `npm run lint` (depcruise src simulator).
// The rooms under src/ are described in docs/design.md ("Dependency rules"). A rule on a room that does not
// exist yet simply matches nothing.

const CLIENT = '^src/client/';
const ADAPTERS = '^src/(exchange|storage|backup|alerts)/';
// Worker-side files of src/reliability. None of them imports ccxt, node:*, pino or @clickhouse, but each does
// run-time work that has no place in workflow code: classify.ts maps live ccxt/ClickHouse/socket errors to
// ApplicationFailures for the worker interceptor, response-headers.ts wraps live ccxt calls and writes to the
// exchange object, rate-limiter.ts keeps in-process token buckets that wait in real time through clock.ts,
// whose systemClock is the wall clock and real timers, and recovery-gate.ts parks worker calls on real timers.
// The other files (policies, backoff, activity-options, circuit-breaker, dependency, failure-payload) are plain
// data and pure functions.
const IMPURE_RELIABILITY = '^src/reliability/(classify|rate-limiter|response-headers|clock|recovery-gate)[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-nothing',
      comment: 'src/domain is pure types and constants that every room shares, so it imports nothing outside src/domain (no other room, no package, no Node module).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'reliability-only-on-domain',
      comment: 'src/reliability is pure policy code that workflows and workers share; inside src it may use src/domain only.',
      severity: 'error',
      from: { path: '^src/reliability/' },
      to: { path: '^src/', pathNot: '^src/(domain|reliability)/' },
    },
    {
      name: 'reliability-pure-files-stay-pure',
      comment: 'Workflows may import the pure reliability files, so those must not pull in a worker-side one at run time (the list of those is IMPURE_RELIABILITY).',
      severity: 'error',
      from: { path: '^src/reliability/', pathNot: IMPURE_RELIABILITY },
      to: { path: IMPURE_RELIABILITY, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'config-only-on-domain-and-reliability',
      comment: 'Config loading sits under every process; inside src it may use only src/domain and src/reliability (for the policy override schema).',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/(domain|reliability|config)/' },
    },
    {
      name: 'adapters-not-on-upper-rooms',
      comment: 'The ccxt, ClickHouse, backup and alert-delivery adapters are used by activities, the client side and the CLI, never the other way round.',
      severity: 'error',
      from: { path: ADAPTERS },
      to: { path: '^src/(activities|workflows|workers|cli|client|services)/' },
    },
    {
      name: 'activities-not-on-processes',
      comment: 'Activities are thin wrappers over the adapters; process wiring, the CLI and the local stack sit above them.',
      severity: 'error',
      from: { path: '^src/activities/' },
      to: { path: '^src/(workers|cli|services)/' },
    },
    {
      name: 'workflows-only-on-pure-rooms',
      comment: 'Workflow code runs in the deterministic sandbox: inside src it may use src/domain, src/reliability, src/workflows and src/activities (types only, next rule).',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { path: '^src/', pathNot: '^src/(domain|reliability|workflows|activities)/' },
    },
    {
      name: 'workflows-activities-types-only',
      comment: "Temporal's pattern: a workflow sees activities only through `import type { Activities }` for proxyActivities; activity code must never be bundled into workflows.",
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { path: '^src/activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-not-on-worker-side-reliability',
      comment: 'classify, rate-limiter, response-headers and clock do worker-side run-time work (live errors, ccxt calls, real time) that must not run in the workflow sandbox.',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { path: IMPURE_RELIABILITY },
    },
    {
      name: 'client-not-on-activities-workers-cli',
      comment: 'The Temporal client side (src/client) talks to workflows through the server; it may use workflow signal/query definitions and input types, never activities, workers or the CLI.',
      severity: 'error',
      from: { path: CLIENT },
      to: { path: '^src/(activities|workers|cli)/' },
    },
    {
      name: 'workers-not-on-cli',
      comment: 'Workers wire everything together but are started by the CLI, not the other way round.',
      severity: 'error',
      from: { path: '^src/workers/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'cli-not-on-activities',
      comment: 'The CLI uses the adapters, the client and the workers directly; activity internals are for workers only.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/activities/' },
    },
    {
      name: 'services-not-on-runtime-rooms',
      comment: 'The local stack (Temporal, ClickHouse, simulator processes) is infrastructure; it must not depend on what runs on it.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: '^src/(activities|workflows|workers|cli)/' },
    },
    {
      name: 'src-not-on-simulator-or-tests',
      comment: 'Production code never imports the exchange simulator, tests or benchmarks; it only talks to the simulator over HTTP and spawns it as a process.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(simulator|test|bench)/' },
    },
    {
      name: 'simulator-only-on-pure-src',
      comment: 'The simulator stands in for the exchanges, so it shares only pure helpers with src (src/domain, src/config/duration.ts), never collector code.',
      severity: 'error',
      from: { path: '^simulator/' },
      to: { path: '^src/', pathNot: ['^src/domain/', '^src/config/duration[.]ts$'] },
    },
    {
      name: 'no-circular-at-runtime',
      comment: 'A cycle of run-time imports makes module load order decide what is undefined; cycles may only close through type-only imports.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-circular-beyond-workflows-activities',
      comment: 'The one tolerated cycle is Temporal\'s workflows -(import type)-> activities; a cycle that passes through any other module is forbidden.',
      severity: 'error',
      from: { pathNot: '^src/(workflows|activities)/' },
      to: { circular: true },
    },
    {
      name: 'no-circular-through-type-imports',
      comment: 'Inside workflows and activities a cycle may close only through a type import of activities; a type import of anything else that closes a cycle is forbidden.',
      severity: 'error',
      from: { path: '^src/(workflows|activities)/' },
      to: { circular: true, dependencyTypes: ['type-only'], pathNot: '^src/activities/' },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import dependency-cruiser cannot resolve is invisible to every rule above, so it fails the check instead.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // Packages stay in the graph as leaves (not followed). Excluding node_modules as well would drop every
    // edge to a package, and domain-imports-nothing could no longer see a package imported by src/domain.
    doNotFollow: { path: 'node_modules' },
  },
};
