// npm run vscode:web: real VS Code (code-server) with the extension under development and the sample
// workspace, for a person to use in a browser. Ctrl-C stops it (and everything it started).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer, workbenchUrl } from './codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const port = Number(process.env.PORT ?? 18080);
const folder = path.resolve(process.argv[2] ?? path.join(root, 'resources/sample'));
const server = await startCodeServer({ port, smokeDriver: true });
console.log(`VS Code ${'(code-server)'} with bootc-ephemeral under development:\n\n  ${workbenchUrl(server.base, { folder, devPath: root })}\n`);
console.log(`(bound to 127.0.0.1:${port}; from another machine: ssh -L ${port}:127.0.0.1:${port} this-host). Ctrl-C stops it.`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await new Promise(() => {});
