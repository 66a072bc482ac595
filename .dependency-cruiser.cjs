// Layer rules of gmsup (docs/architecture.md draws them): which folder of src/ may import which.
// `npm run lint` runs this; a violation or an import cycle fails `npm test`.
/** @type {import('dependency-cruiser').IConfiguration} */
const layer = (name) => `^src/${name}/`;
const notIn = (...names) => `^src/(?!(${names.join('|')})/)`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'import cycles hide layering; break them with a narrower module',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-is-the-base',
      severity: 'error',
      comment: 'shared/ imports nothing else of ours',
      from: { path: layer('shared') },
      to: { path: notIn('shared') },
    },
    {
      name: 'protocol-is-pure',
      severity: 'error',
      comment: 'protocol/ turns bytes into values: it imports nothing of ours',
      from: { path: layer('protocol') },
      to: { path: notIn('protocol') },
    },
    {
      name: 'transport-over-protocol',
      severity: 'error',
      comment: 'transport/ imports protocol/ (and the shared base) only',
      from: { path: layer('transport') },
      to: { path: notIn('transport', 'protocol', 'shared') },
    },
    {
      name: 'engines-not-above',
      severity: 'error',
      comment: 'server, client, worker, store never import the daemon, the UI or the CLI',
      from: { path: '^src/(server|client|worker|store)/' },
      to: { path: '^src/(supervisor|tui|cli|config|control)/' },
    },
    {
      name: 'config-below-daemon',
      severity: 'error',
      comment: 'config/ never imports control/ or supervisor/',
      from: { path: layer('config') },
      to: { path: '^src/(control|supervisor|tui|cli|server|client)/' },
    },
    {
      name: 'control-is-a-contract',
      severity: 'error',
      comment: 'control/ is the contract between processes: shared only',
      from: { path: layer('control') },
      to: { path: notIn('control', 'shared') },
    },
    {
      name: 'tui-reads-snapshots',
      severity: 'error',
      comment: 'tui/ reads snapshots through control/, never the supervisor',
      from: { path: layer('tui') },
      to: { path: notIn('tui', 'control', 'shared') },
    },
    {
      name: 'http-over-the-server',
      comment: 'http/ serves the job server and the Snapshot: server, protocol, control types and shared only',
      severity: 'error',
      from: { path: layer('http') },
      to: { path: notIn('http', 'server', 'protocol', 'control', 'shared') },
    },
    {
      name: 'engines-not-over-http',
      severity: 'error',
      comment: 'the HTTP listener sits on top of the engines: server, client, worker, protocol never import it',
      from: { path: '^src/(server|client|worker|protocol|transport|control|config|tui|shared)/' },
      to: { path: layer('http') },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'cli/ is the composition root',
      from: { path: notIn('cli') },
      to: { path: layer('cli') },
    },
    {
      name: 'src-not-tests',
      severity: 'error',
      comment: 'src/ never imports tests, benchmarks or examples',
      from: { path: '^src/' },
      to: { path: '^(test|bench|examples)/' },
    },
    {
      name: 'examples-use-the-package',
      severity: 'error',
      comment: 'examples import the package (gmsup/worker, gmsup/client, gmsup/control), never ../src',
      from: { path: '^examples/' },
      to: { path: '^src/', dependencyTypesNot: ['aliased-tsconfig-paths'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(src|examples)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs'],
    },
  },
};
