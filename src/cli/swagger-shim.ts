import { OmitType, PartialType } from '@nestjs/mapped-types';
import * as path from 'node:path';

/**
 * What `@nestjs/swagger` is inside ./manage (see `useSwaggerShimForCli`): the package's own shim
 * (`dist/extra/swagger-shim`: every decorator a no-op, shipped for code that carries the
 * decorators but never builds a document), with PartialType and OmitType from `@nestjs/mapped-types`,
 * which keep the class-validator rules `jobs update` validates with. The CLI never builds the OpenAPI
 * document; loading the real package cost ~200 ms of each start (issue 16).
 */
const SHIM_FILE = path.join(
  path.dirname(require.resolve('@nestjs/swagger/package.json')),
  'dist/extra/swagger-shim.js',
);

export = { ...(require(SHIM_FILE) as Record<string, unknown>), PartialType, OmitType };
