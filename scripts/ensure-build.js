#!/usr/bin/env node
// Builds dist/ when it is missing or older than any source file, so `npm start` and
// `./manage` work straight after `npm ci`: the server (src/ → dist/src, by nest build) and the
// web console (console/ and the client in clients/typescript → dist/console, by vite build).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const SOURCE = /\.(ts|tsx|css|html|json)$/;

function newestMtime(dir) {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (SOURCE.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function builtAt(marker) {
  return fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
}

function build(what, args, marker) {
  process.stderr.write(`Building ${what} (it is missing or stale)…\n`);
  execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  fs.utimesSync(marker, new Date(), new Date());
}

const server = path.join(root, 'dist', 'src', 'main.js');
const serverSources = Math.max(newestMtime(path.join(root, 'src')), newestMtime(path.join(root, 'migrations')), fs.statSync(path.join(root, 'ormconfig.ts')).mtimeMs);
// nest build empties dist/, the console's build with it.
const serverRebuilt = builtAt(server) < serverSources;
if (serverRebuilt) {
  build('the server', [path.join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], server);
  // ./manage in one file (dist/src/manage.js falls back to the modules while it is missing).
  build('./manage in one file', [path.join(root, 'scripts', 'bundle-cli.mjs')], path.join(root, 'dist', 'cli', 'manage.cjs'));
}

const consoleIndex = path.join(root, 'dist', 'console', 'index.html');
const consoleSources = Math.max(newestMtime(path.join(root, 'console')), newestMtime(path.join(root, 'clients', 'typescript', 'src')));
if (serverRebuilt || builtAt(consoleIndex) < consoleSources)
  build('the console', [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'console/vite.config.mts', '--logLevel', 'warn'], consoleIndex);
