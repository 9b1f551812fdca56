// The remote suite: the same mocha runner, loading the *.test.js files next to this one. It runs in a
// VS Code started inside an isolated namespace (scripts/vscode/run-vscode-tests.mjs, test/isolated.sh).
export { run } from '../vscode/index';
