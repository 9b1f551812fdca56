import type { Podman } from './podman';
import { podmanCommands } from './commands';

const answers = new WeakMap<Podman, Promise<boolean | undefined>>();

/**
 * Whether this podman runs rootless (in the user's namespace). The local podman of a user other than
 * root always does; a connection's service is asked (`podman info`), once per Podman. Undefined when
 * that podman does not answer.
 */
export function isRootless(podman: Podman): Promise<boolean | undefined> {
  if (!podman.remote) return Promise.resolve((process.getuid?.() ?? 0) !== 0);
  let answer = answers.get(podman);
  if (!answer) answers.set(podman, (answer = podman.exec(podmanCommands.rootless())));
  return answer;
}
