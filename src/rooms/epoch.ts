import { randomBytes } from "node:crypto";

/** A fresh epoch: random, so cursors from a lost history never match a new one. */
export function newEpoch(): string {
  return randomBytes(5).toString("hex");
}
