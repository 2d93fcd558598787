import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Parsing and validating a large rule set leaves megabytes of YAML and schema garbage that
 * survived into the old generation; left there, it makes every later collection under load
 * slower. One full collection right after a load (start or reload, never per request)
 * returns the heap to the size of what is actually kept.
 */
let collect: (() => void) | undefined;

export function releaseLoadGarbage(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}
