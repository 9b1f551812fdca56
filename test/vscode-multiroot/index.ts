// The multi-root suite: the same mocha runner, in a workspace of two folders that are both named "app".
export { run } from '../vscode/index';
