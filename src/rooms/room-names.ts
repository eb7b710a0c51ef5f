import { randomBytes } from "node:crypto";
import { adjectives, animals, colors, uniqueNamesGenerator } from "unique-names-generator";

/** A friendly random room: `{ roomId: "brave-green-otter-k3x9", name: "Brave green otter" }`. */
export function generateRoomName(): { roomId: string; name: string } {
  const words = uniqueNamesGenerator({
    dictionaries: [adjectives, colors, animals],
    separator: " ",
    length: 3,
  });
  const name = words.charAt(0).toUpperCase() + words.slice(1);
  const suffix = randomBytes(3).toString("hex");
  return { roomId: `${words.replaceAll(" ", "-").replace(/[^A-Za-z0-9-]/g, "")}-${suffix}`, name };
}
