// bundled as text by esbuild (see scripts/build.mjs)
import script from '../../../resources/supervisor.sh';

export const SUPERVISOR_SCRIPT: string = script;
