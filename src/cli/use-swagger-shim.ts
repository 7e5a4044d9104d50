import Module from 'node:module';

type Resolve = (request: string, ...rest: unknown[]) => string;

/**
 * From here on, `require('@nestjs/swagger')` in this process gives `./swagger-shim` (no-op
 * decorators). Node 20 has no public synchronous resolve hook (`module.registerHooks` is
 * Node 22.15+), so this wraps the CommonJS resolver, as module-alias does. Only ./manage calls
 * it, before its modules load; the server loads the real package.
 */
export function useSwaggerShimForCli(): void {
  const loader = Module as unknown as { _resolveFilename: Resolve };
  const resolve = loader._resolveFilename;
  const shim = require.resolve('./swagger-shim');
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return resolve.call(this, request === '@nestjs/swagger' ? shim : request, ...rest);
  };
}
