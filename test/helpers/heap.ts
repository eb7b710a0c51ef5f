import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
/** A full collection, so heap numbers measure what is retained rather than garbage. */
const gc = runInNewContext("gc") as () => void;

/** The heap in use after a full collection, in bytes. */
export function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}
