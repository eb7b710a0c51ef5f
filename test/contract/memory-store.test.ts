import { MemoryRoomStore } from "../../src/rooms/index.js";
import { describeRoomStoreContract } from "./room-store.contract.js";

describeRoomStoreContract("MemoryRoomStore", (options) => new MemoryRoomStore(options));
