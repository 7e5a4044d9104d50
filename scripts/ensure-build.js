#!/usr/bin/env node
// Builds dist/ when it is missing or older than any source file, so `npm start` and
// `./manage` work straight after `npm ci`.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'dist', 'src', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
const sources = Math.max(newestMtime(path.join(root, 'src')), newestMtime(path.join(root, 'migrations')), fs.statSync(path.join(root, 'ormconfig.ts')).mtimeMs);
if (built < sources) {
  process.stderr.write('Building (dist/ is missing or stale)…\n');
  execFileSync(process.execPath, [path.join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  fs.utimesSync(marker, new Date(), new Date());
}
