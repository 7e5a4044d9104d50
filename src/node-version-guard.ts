// First import of every entry point (main.ts, cli.ts, manage.ts): on an older Node the service
// stops here with a message, before a dependency built for Node 24 fails to load (argon2 needs
// Node-API 10 and crashes the process on Node 20).

/** The oldest Node major the service runs on (package.json `engines`; an ops test keeps them equal). */
export const REQUIRED_NODE_MAJOR = 24;

const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED_NODE_MAJOR) {
  process.stderr.write(
    `error: the jobs service needs Node ${REQUIRED_NODE_MAJOR} or newer; this is Node ${process.versions.node}.\n` +
      `npm start, npm test and ./manage use the Node that npm ci installed (node_modules/.bin/node); ` +
      `run those, or put a Node ${REQUIRED_NODE_MAJOR}+ first on PATH.\n`,
  );
  process.exit(1);
}
