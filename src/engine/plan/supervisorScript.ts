// bundled as text by esbuild (see scripts/build.mjs)
import script from '../../../resources/supervisor.sh';
import logCap from '../../../resources/log-cap.sh';

export const SUPERVISOR_SCRIPT: string = script;
/** copies one output of the guest into size-capped files (logCaps.ts) */
export const LOG_CAP_SCRIPT: string = logCap;
