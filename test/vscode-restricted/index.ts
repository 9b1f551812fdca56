// The Restricted Mode suite: the same mocha runner, loading the *.test.js files next to this one.
export { run } from '../vscode/index';
