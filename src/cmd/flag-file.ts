import { readFileSync } from "node:fs";

/**
 * The text of the file a flag names.
 * @throws Error with a one-line reason naming the flag
 */
export function readFlagFile(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`${flag} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
}
