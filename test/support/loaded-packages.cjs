// Preloaded into a ./manage process by test/e2e/cli-bundle.e2e-spec.ts (NODE_OPTIONS=--require):
// at exit, writes every file the process loaded through require to LOADED_FILES_OUT, one per line.
const fs = require('node:fs');

process.on('exit', () => {
  fs.writeFileSync(process.env.LOADED_FILES_OUT, Object.keys(require.cache).join('\n'));
});
