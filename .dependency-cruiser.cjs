/**
 * The layering of docs/ARCHITECTURE.md, enforced: `npm run depcheck` fails on an import against it.
 * shared <- domain <- middle layers (through the interface files of store/nlu/kb/connectors) <- app <- cli/server/web.
 */
const middle =
  'ingest|nlu|kb|audit|workflows|escalation|connectors|analytics|demo|abcd|jobs|conversations|replay|demo-tour|access|channels|inbox|pilots|conversation-tests|learning|simulation';
const implementations = '^src/(store/(sqlite|postgres)|connectors/[^/]+/)';

module.exports = {
  forbidden: [
    {
      name: 'shared-imports-nothing',
      comment: 'src/shared imports nothing of ours',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'domain-only-shared',
      comment: 'src/domain imports only src/shared',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/(shared|domain)/' },
    },
    {
      name: 'middle-not-upwards',
      comment:
        'the middle layers never import app/, cli/, server/ or web/ (their tests may use the composition root, as any surface does)',
      severity: 'error',
      from: { path: `^src/(${middle}|store|config)/`, pathNot: '(\\.test|-testing)\\.ts$' },
      to: { path: '^src/(app|cli|server|web)/' },
    },
    {
      name: 'no-implementations-outside-app',
      comment:
        'only app/ picks concrete store or connector implementations; others see the interface files (the demo tour plays the demo shop fixture customers)',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(app/|store/|connectors/|demo-tour/)|\\.test\\.ts$` },
      to: { path: implementations },
    },
    {
      name: 'workflows-not-escalation',
      comment: 'workflows emit an escalate effect; app/ hands it to escalation',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { path: '^src/escalation/' },
    },
    {
      name: 'surfaces-through-app',
      comment:
        'cli/, server/ and web/ do not reach into store implementations (their tests may start a demo shop)',
      severity: 'error',
      from: { path: '^src/(cli|server|web)/', pathNot: '\\.test\\.ts$' },
      to: { path: implementations },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
