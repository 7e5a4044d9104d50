// Transpiles ESM JavaScript from node_modules to CommonJS for jest (see STACK.md: NestJS 12
// is ESM-only and jest on Node 20 cannot require it natively).
const ts = require('typescript');
const { pathToFileURL } = require('node:url');

module.exports = {
  process(source, filename) {
    const withUrl = source
      .replace(/import\.meta\.url/g, JSON.stringify(pathToFileURL(filename).href))
      // @nestjs/terminus checks optional packages with import.meta.resolve
      .replace(/import\.meta\.resolve\(/g, 'require.resolve(')
      .replace(/import\.meta\.dirname/g, JSON.stringify(require('node:path').dirname(filename)))
      // `const require = createRequire(import.meta.url)` would clash with CommonJS's own require
      .replace(/\b(const|let|var)\s+require\s*=/g, '$1 __esmRequire =');
    const out = ts.transpileModule(withUrl, {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        allowJs: true,
        esModuleInterop: true,
        sourceMap: false,
      },
    });
    return { code: out.outputText };
  },
  getCacheKey(source, filename) {
    return require('node:crypto').createHash('sha1').update(filename).update(source).update('v4').digest('hex');
  },
};
