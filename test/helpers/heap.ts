import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
/** A full collection, so heap numbers measure what is retained rather than garbage. */
const gc = runInNewContext("gc") as () => void;

/** True when nothing keeps `ref`'s target alive any more (after a full collection). */
export async function isCollected(ref: WeakRef<object>): Promise<boolean> {
  // A WeakRef's target lives at least until the current job ends.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return ref.deref() === undefined;
}

/** The heap in use after a full collection, in bytes. */
export function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}
