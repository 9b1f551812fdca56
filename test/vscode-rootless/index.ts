// The rootless suite: the same mocha runner, loading the *.test.js files next to this one. It runs in a
// VS Code started as an ordinary user with rootless podman (scripts/vscode/code-shim-rootless.sh).
export { run } from '../vscode/index';
